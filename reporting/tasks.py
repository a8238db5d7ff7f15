"""Celery jobs of the reporting app: thin, idempotent, scheduled in settings.CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reporting.quarters import Quarter


@shared_task(name="reporting.tasks.freeze_ended_quarter")
def freeze_ended_quarter() -> int:
    """Freeze the quarter that ended last (runs daily, so a missed quarter end is caught up the next day)."""
    from reporting.services.snapshots import snapshot_freeze_quarter

    previous = Quarter.containing(timezone.localdate()).previous()
    return snapshot_freeze_quarter(quarter=previous)


@shared_task(name="reporting.tasks.generate_analysis_report")
def generate_analysis_report(report_id: int) -> str | None:
    """Render one analysis report's PDF (safe to run twice: the service only renders a queued report)."""
    from reporting.services.analysis import analysis_report_generate

    report = analysis_report_generate(report_id=report_id)
    return None if report is None else report.status


@shared_task(name="reporting.tasks.generate_quarter_reports")
def generate_quarter_reports() -> int:
    """Queue the analysis report of every town and district for the quarter that ended last (runs daily
    after the freeze, so a missed quarter end is caught up; regions already done are skipped)."""
    from reporting.services.analysis import analysis_reports_generate_for_quarter

    previous = Quarter.containing(timezone.localdate()).previous()
    return analysis_reports_generate_for_quarter(quarter=previous)

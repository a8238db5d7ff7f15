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
    from reporting.analysis.services import analysis_report_generate

    report = analysis_report_generate(report_id=report_id)
    return None if report is None else report.status


@shared_task(name="reporting.tasks.generate_quarter_reports")
def generate_quarter_reports() -> int:
    """Queue the analysis report of every town and district for the quarter that ended last (runs daily
    after the freeze, so a missed quarter end is caught up; regions already done are skipped)."""
    from reporting.analysis.services import analysis_reports_generate_for_quarter

    previous = Quarter.containing(timezone.localdate()).previous()
    return analysis_reports_generate_for_quarter(quarter=previous)


@shared_task(name="reporting.tasks.build_ledger_export")
def build_ledger_export(export_id: int) -> str | None:
    """Build one large ledger export's file (safe to run twice: a READY export is not rebuilt, and a
    build under way holds the export's row lock)."""
    from reporting.exports.services import ledger_export_build

    export = ledger_export_build(export_id=export_id)
    return None if export is None else export.status


@shared_task(name="reporting.tasks.purge_expired_exports")
def purge_expired_exports() -> int:
    """Delete the files of ledger exports past MINORPROT_EXPORT_KEEP_DAYS (runs daily)."""
    from reporting.exports.services import ledger_exports_purge_expired

    return ledger_exports_purge_expired()


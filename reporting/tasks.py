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

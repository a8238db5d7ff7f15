"""Celery jobs of the governance records: thin, idempotent, scheduled in settings.CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="governance.tasks.escalate_meeting_items")
def escalate_meeting_items() -> dict:
    """Daily: overdue follow-up items of governance meetings become alerts (resolved when done)."""
    from governance.services import meeting_items_escalate

    return meeting_items_escalate()

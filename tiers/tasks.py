"""Scheduled jobs of the tiers app. Tasks are thin: they call a service (STYLE.md rule 5)."""

from celery import shared_task

from tiers.services import heartbeat_record

HEARTBEAT_JOB = "heartbeat"


@shared_task(name="tiers.tasks.record_heartbeat")
def record_heartbeat() -> None:
    """Scheduled every minute (CELERY_BEAT_SCHEDULE); /healthz reports the age of the last run."""
    heartbeat_record(name=HEARTBEAT_JOB)

"""Thin Celery tasks of the intake queue (listed in CELERY_IMPORTS)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def escalate_untriaged_reports() -> dict:
    """Every 15 minutes: reports past their triage deadline (referrals.intake.services)."""
    from referrals.intake.services import reports_escalate_untriaged

    return reports_escalate_untriaged()

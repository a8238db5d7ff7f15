"""Thin Celery tasks of the intake queue (listed in CELERY_IMPORTS; referrals/tasks.py is the referrals')."""

from __future__ import annotations

from celery import shared_task


@shared_task
def escalate_untriaged_reports() -> dict:
    """Every 15 minutes: reports past their triage deadline (referrals.services.intake)."""
    from referrals.services.intake import reports_escalate_untriaged

    return reports_escalate_untriaged()

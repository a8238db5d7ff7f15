"""Thin, idempotent Celery tasks for the visit schedule; schedules are in settings.CELERY_BEAT_SCHEDULE.
Messages are acknowledged late (settings), so a task cut off by a dying worker is simply run again."""

from __future__ import annotations

import logging

from celery import shared_task

from screening.campaigns.services import campaign_alerts_sync
from screening.escalation.services import age_rules_apply, escalate
from screening.visits.services.plan import visit_plan_refresh

logger = logging.getLogger(__name__)


@shared_task
def refresh_visit_plan(*, minor_ids: list[int] | None = None) -> dict:
    result = visit_plan_refresh(minor_ids=minor_ids)
    logger.info("visit plan refreshed: %s", result)
    return result


@shared_task
def escalate_overdue() -> dict:
    result = escalate()
    logger.info("escalation: %s", result)
    return result


@shared_task
def escalate_minors(*, minor_ids: list[int]) -> dict:
    """Re-evaluate some children's alerts at once after a grade change, helper, response or visit."""
    return escalate(minor_ids=minor_ids)


@shared_task
def apply_age_rules() -> dict:
    result = age_rules_apply()
    logger.info("age rules: %s", result)
    return result


@shared_task
def alert_campaigns_behind() -> dict:
    """Villages of open screening campaigns past their deadline with children to confirm (issue 12 §3)."""
    result = campaign_alerts_sync()
    logger.info("campaigns behind: %s", result)
    return result

"""Thin Celery tasks of the referrals app: load by id, call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def escalate_referrals() -> dict:
    """Hourly: referrals not accepted in time, feedback late (referrals.services.deadlines)."""
    from referrals.services.deadlines import referrals_escalate

    result = referrals_escalate()
    logger.info("referral escalation: %s", result)
    return result


@shared_task
def expire_referral_grants() -> int:
    """Daily: partners lose their view of referrals closed long enough ago."""
    from referrals.services.lifecycle import referral_grants_expire

    return referral_grants_expire()


@shared_task
def sync_referral_grants() -> dict:
    """Every ten minutes: a department's new staff see its live referrals; staff who left no longer do."""
    from referrals.services.lifecycle import referral_grants_sync

    return referral_grants_sync()


@shared_task
def deliver_webhook(*, delivery_id: int) -> str:
    """Try one webhook delivery; a failure is rescheduled in the outbox row, not by Celery."""
    from referrals.services.webhooks import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id)


@shared_task
def dispatch_webhooks() -> int:
    """Every minute: queue the deliveries that are due (retries, and those written while the broker was down)."""
    from referrals.services.webhooks import webhooks_dispatch

    return webhooks_dispatch()


@shared_task
def refresh_county_suggestions(*, county_id: int) -> dict:
    """Re-evaluate the routing table for every active child of one county after its rules changed."""
    from cases.models import Minor, MinorStatus
    from referrals.services.rules import suggestions_refresh
    from tiers.models import Region

    county = Region.objects.filter(pk=county_id).first()
    totals = {"created": 0, "removed": 0}
    if county is None:
        return totals
    minors = Minor.objects.filter(status=MinorStatus.ACTIVE, region__path__startswith=county.path).order_by("pk")
    for minor in minors.iterator(chunk_size=500):
        result = suggestions_refresh(minor=minor)
        totals["created"] += result["created"]
        totals["removed"] += result["removed"]
    return totals

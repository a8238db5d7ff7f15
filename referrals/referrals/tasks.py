"""Thin Celery tasks of referrals (listed in CELERY_IMPORTS): load by id, call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def escalate_referrals() -> dict:
    """Hourly: referrals not accepted in time, feedback late (referrals.referrals.services.deadlines)."""
    from referrals.referrals.services.deadlines import referrals_escalate

    result = referrals_escalate()
    logger.info("referral escalation: %s", result)
    return result


@shared_task
def expire_referral_grants() -> int:
    """Daily: partners lose their view of referrals closed long enough ago."""
    from referrals.referrals.services.lifecycle import referral_grants_expire

    return referral_grants_expire()


@shared_task
def sync_referral_grants() -> dict:
    """Every ten minutes: a department's new staff see its live referrals; staff who left no longer do."""
    from referrals.referrals.services.lifecycle import referral_grants_sync

    return referral_grants_sync()


@shared_task
def refresh_county_suggestions(*, county_id: int) -> dict:
    """Re-evaluate the routing table for every active child of one county after its rules changed."""
    from cases.models import Minor, MinorStatus
    from referrals.referrals.services.routing import suggestions_refresh
    from tiers.models import Region

    county = Region.objects.filter(pk=county_id).first()
    totals = {"created": 0, "removed": 0}
    if county is None:
        return totals
    minors = Minor.objects.filter(county.subtree(), status=MinorStatus.ACTIVE).order_by("pk")
    for minor in minors.iterator(chunk_size=500):
        result = suggestions_refresh(minor=minor)
        totals["created"] += result["created"]
        totals["removed"] += result["removed"]
    return totals

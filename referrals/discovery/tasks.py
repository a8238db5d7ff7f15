"""Thin Celery tasks of patrols and sentinel points (listed in CELERY_IMPORTS)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def flag_silent_sentinel_points() -> dict:
    """Daily: sentinel points silent too long (referrals.discovery.services.sentinel_points_flag_silent)."""
    from referrals.discovery.services import sentinel_points_flag_silent

    return sentinel_points_flag_silent()

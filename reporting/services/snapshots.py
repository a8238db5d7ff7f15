"""Freezing a quarter's figures (issue 6 §2; domain.md §4 mechanism 3, §12).

Rule: once a quarter has ended its figures are computed once, stored per region, and read from there
ever after — later changes to records do not move them. Freezing is idempotent (a row per region and
quarter, enforced by a unique constraint; existing rows are left alone). Only a deliberate rebuild
(`manage.py rebuild_quarter`) recomputes a frozen quarter, and it says so on the row.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting.figures import SCHEMA, figures_compute, figures_compute_tree
from reporting.models import QuarterSnapshot
from reporting.quarters import Quarter
from tiers.models import Region
from tiers.roles import Level

logger = logging.getLogger(__name__)


def _require_ended(quarter: Quarter, now: datetime | None) -> None:
    if not quarter.is_over(now):
        raise ValueError(f"{quarter} has not ended yet; only ended quarters are frozen")


def snapshot_freeze_quarter(*, quarter: Quarter, county: Region | None = None, now: datetime | None = None) -> int:
    """Freeze `quarter` for every county, town and village (or those of one county). Returns rows written."""
    _require_ended(quarter, now)
    counties = [county] if county else list(Region.objects.filter(level=Level.COUNTY, is_active=True))
    written = 0
    for root in counties:
        done = set(
            QuarterSnapshot.objects.filter(root.subtree(), quarter=str(quarter)).values_list("region_id", flat=True)
        )
        if (
            done
            and len(done)
            >= Region.objects.filter(
                root.subtree("path"), is_active=True, level__in=[Level.COUNTY, Level.TOWN, Level.VILLAGE]
            ).count()
        ):
            continue
        rows = [
            QuarterSnapshot(region=region, quarter=str(quarter), figures=figures, schema=SCHEMA)
            for region, figures in figures_compute_tree(root=root, quarter=quarter, now=now)
            if region.pk not in done
        ]
        QuarterSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=200)
        written += len(rows)
        logger.info("froze %s for %s: %s regions", quarter, root.code, len(rows))
    return written


def snapshot_rebuild(*, quarter: Quarter, region: Region, now: datetime | None = None) -> int:
    """Recompute a frozen quarter for `region` and everything below it, replacing what was frozen."""
    _require_ended(quarter, now)
    written = 0
    with transaction.atomic():
        for each, figures in figures_compute_tree(root=region, quarter=quarter, now=now):
            QuarterSnapshot.objects.update_or_create(
                region=each,
                quarter=str(quarter),
                defaults={"figures": figures, "schema": SCHEMA, "frozen_at": timezone.now(), "rebuilt": True},
            )
            written += 1
    return written


def snapshot_get_or_freeze(*, region: Region, quarter: Quarter, now: datetime | None = None) -> QuarterSnapshot:
    """The frozen figures of an ended quarter; frozen now if the quarter-end job has not reached it yet."""
    _require_ended(quarter, now)
    existing = QuarterSnapshot.objects.filter(region=region, quarter=str(quarter)).first()
    if existing is not None:
        return existing
    figures = figures_compute(region=region, quarter=quarter, now=now)
    try:
        with transaction.atomic():
            return QuarterSnapshot.objects.create(region=region, quarter=str(quarter), figures=figures, schema=SCHEMA)
    except IntegrityError:  # the job (or another reader) froze it first: theirs stands
        return QuarterSnapshot.objects.get(region=region, quarter=str(quarter))

"""Reads for the leadership dashboard (issue 6 §1–2): which regions a user may look at, and the figures
of one region and quarter — live for the current quarter, frozen for past ones. Aggregates only: no
child's name or record ever passes through here."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from reporting.figures import SCHEMA, figures_compute
from reporting.models import QuarterSnapshot
from reporting.quarters import Quarter
from reporting.services.snapshots import snapshot_get_or_freeze
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import region_ancestors, region_list, user_reach

DASHBOARD_LEVELS = (Level.COUNTY, Level.TOWN, Level.VILLAGE)


def dashboard_home_region(*, user) -> Region | None:
    """Where a user's dashboard opens: the top of their reach (a district for the county, a town for its staff)."""
    reach = user_reach(user, Capability.VIEW_AGGREGATES)
    if not reach:
        return None
    return Region.objects.filter(path__in=reach.prefixes, is_active=True).order_by("depth", "path").first()


def dashboard_region_get(*, user, pk: int) -> Region:
    """A region whose figures `user` may see; 404 otherwise (its existence is private too)."""
    region = region_list(user=user, capability=Capability.VIEW_AGGREGATES).filter(pk=pk).first()
    if region is None or region.level not in DASHBOARD_LEVELS:
        raise Http404
    return region


def dashboard_breadcrumbs(*, user, region: Region) -> list[Region]:
    """The ancestors the user may also open, then the region itself (the drill-up path)."""
    reach = user_reach(user, Capability.VIEW_AGGREGATES)
    return [r for r in region_ancestors(region) if reach.covers(r.path)] + [region]


def quarter_choices(*, count: int = 8) -> list[Quarter]:
    return list(reversed(Quarter.current().recent(count)))


def figures_for(*, region: Region, quarter: Quarter) -> dict:
    """The figures of `region` for `quarter`: frozen once the quarter has ended, live (briefly cached) before."""
    if quarter > Quarter.current():
        raise Http404
    if quarter.is_over():
        return snapshot_get_or_freeze(region=region, quarter=quarter).figures
    seconds = getattr(settings, "MINORPROT_DASHBOARD_CACHE_SECONDS", 120)
    if not seconds:
        return figures_compute(region=region, quarter=quarter)
    key = f"reporting:live:{SCHEMA}:{region.pk}:{quarter}"
    figures = cache.get(key)
    if figures is None:
        figures = figures_compute(region=region, quarter=quarter)
        cache.set(key, figures, seconds)
    return figures


def trend_for(*, region: Region, quarter: Quarter, count: int = 8, figures: dict | None = None) -> list[dict]:
    """The headline figures of the `count` quarters ending with `quarter`, oldest first.

    Past quarters come from their snapshots; a quarter never frozen (before the system was in use, or
    not yet reached by the quarter-end job) is frozen on the way. Pass `figures` (of `quarter`) when the
    caller has them, so the live quarter is not computed twice."""
    frozen = {
        snap.quarter: snap.figures["summary"]
        for snap in QuarterSnapshot.objects.filter(region=region, quarter__in=[str(q) for q in quarter.recent(count)])
    }
    trend = []
    for each in quarter.recent(count):
        if str(each) in frozen:
            summary = frozen[str(each)]
        elif figures is not None and each == quarter:  # the caller has this quarter's figures already
            summary = figures["summary"]
        else:
            summary = figures_for(region=region, quarter=each)["summary"]
        trend.append({"quarter": str(each), "label": each.label, "summary": summary})
    return trend

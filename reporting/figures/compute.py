"""The figures of a region, or of every region of a subtree, from one collection pass (domain.md §12)."""

from __future__ import annotations

from datetime import datetime

from reporting.figures.casework import collect_casework
from reporting.figures.common import LeafData, Period
from reporting.figures.referrals import collect_referrals
from reporting.figures.registry import collect_registry
from reporting.figures.shape import context_for, rollup, shape, summary
from reporting.figures.visits import collect_visits
from reporting.quarters import Quarter
from tiers.models import Region
from tiers.roles import Level


def _collect(root: Region, period: Period) -> LeafData:
    """Every count of the figures, per leaf region under `root`, for `period`."""
    data = LeafData()
    collect_registry(data, root, period)
    collect_visits(data, root, period)
    collect_casework(data, root, period)
    collect_referrals(data, root, period)
    return _by_path(data, root)


def _by_path(data: LeafData, root: Region) -> LeafData:
    """The counts were gathered per region id (no join to the region table); roll-ups go by path."""
    paths = dict(Region.objects.filter(path__startswith=root.path).values_list("id", "path"))
    converted = LeafData()
    for region_id, counts in data.counts.items():
        if region_id in paths:
            converted.counts[paths[region_id]].update(counts)
    for region_id, lists in data.durations.items():
        if region_id in paths:
            for key, values in lists.items():
                converted.durations[paths[region_id]][key].extend(values)
    return converted


def _child_regions(region: Region, tree: list[Region]) -> list[Region]:
    return [r for r in tree if r.parent_id == region.pk]


def _child_line(child: Region, data: LeafData) -> dict:
    counts, _durations = rollup(data, child.path)
    return {"id": child.pk, "code": child.code, "name": child.name, "level": child.level, **summary(counts)}


def figures_compute(*, region: Region, quarter: Quarter, now: datetime | None = None) -> dict:
    """The figures of `region`'s subtree for `quarter`, computed from the records (live or reconstructed)."""
    period = Period.of(quarter, now)
    data = _collect(region, period)
    tree = list(Region.objects.filter(path__startswith=region.path, is_active=True).order_by("path"))
    children = [_child_line(child, data) for child in _child_regions(region, tree)]
    counts, durations = rollup(data, region.path)
    return shape(region, period, counts, durations, children, context_for(region))


def figures_compute_tree(*, root: Region, quarter: Quarter, now: datetime | None = None, levels=None):
    """Figures for `root` and every region below it (down to villages), from one collection pass.

    Yields (region, figures). Used by the quarter-end freeze, where computing each region on its own
    would repeat the same queries hundreds of times."""
    period = Period.of(quarter, now)
    data = _collect(root, period)
    context = context_for(root)
    levels = levels or (Level.COUNTY, Level.TOWN, Level.VILLAGE)
    tree = list(Region.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
    for region in tree:
        if region.level not in levels:
            continue
        children = [_child_line(child, data) for child in _child_regions(region, tree)]
        counts, durations = rollup(data, region.path)
        yield region, shape(region, period, counts, durations, children, context)

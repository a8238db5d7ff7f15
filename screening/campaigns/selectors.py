"""Reads of screening campaigns (issue 12 §3), scoped like the registry: a campaign is seen by those who
see records in part of its area (or above it); a campaign's items by those who may see the child
(cases.registry.selectors.minor_scope_q). Anything else is absent (404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import Minor
from cases.registry.selectors import category_names, minor_scope_q
from screening.campaigns import rules
from screening.campaigns.models import Campaign, CampaignItem, CampaignStatus
from screening.campaigns.services import new_minors_q
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def campaign_scope_q(user) -> Q:
    """Campaigns whose area overlaps the user's reach: the area lies in it, or it lies in the area."""
    reach = user_reach(user, Capability.VIEW_RECORDS)
    if not reach:
        return Q(pk__in=[])
    condition = Q()
    for prefix in reach.prefixes:
        condition |= Region.subtree_q(prefix, "region__path") | Q(region__path__in=Region.path_ancestor_paths(prefix))
    return condition


def campaign_list(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(campaign_scope_q(user)).select_related("region", "result")


def campaign_get(*, user, pk: int) -> Campaign:
    return get_object_or_404(campaign_list(user=user), pk=pk)


def campaign_item_list(*, user, campaign: Campaign | None = None) -> QuerySet[CampaignItem]:
    items = CampaignItem.objects.filter(minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__"))
    if campaign is not None:
        items = items.filter(campaign=campaign)
    return items.select_related("campaign", "village", "minor__region", "confirmed_by")


def campaign_item_get(*, user, pk: int) -> CampaignItem:
    return get_object_or_404(campaign_item_list(user=user), pk=pk)


def campaign_new_minors(*, user, campaign: Campaign, village: Region) -> QuerySet[Minor]:
    """Children registered in `village` (or its grids) while the campaign runs: "new this period"."""
    return (
        Minor.objects.filter(new_minors_q(campaign), village.subtree("region__path"))
        .filter(minor_scope_q(user, Capability.VIEW_RECORDS))
        .select_related("region")
        .order_by("created_at", "id")
    )


@dataclass
class VillageProgress:
    village: Region
    total: int
    confirmed: int
    changed: int
    new: int

    @property
    def done(self) -> bool:
        return self.confirmed >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.confirmed / self.total)


def campaign_progress(*, user, campaign: Campaign) -> list[VillageProgress]:
    """Confirmed / total, changed and new per village of the campaign that the user may see (issue 12 §3);
    counted in the database (no child is loaded)."""
    items = CampaignItem.objects.filter(campaign=campaign).filter(
        minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    )
    rows = items.values("village_id").annotate(
        total=Count("id"),
        confirmed=Count("id", filter=~Q(outcome="")),
        changed=Count("id", filter=Q(outcome__in=rules.CHANGED_OUTCOMES)),
    )
    counts = {row["village_id"]: row for row in rows}
    new_rows = (
        Minor.objects.filter(new_minors_q(campaign))
        .filter(minor_scope_q(user, Capability.VIEW_RECORDS))
        .values_list("region_id", "region__parent_id", "region__level")
    )
    new_by_village: dict[int, int] = {}
    for region_id, parent_id, level in new_rows:
        village_id = parent_id if level == Level.GRID else region_id
        new_by_village[village_id] = new_by_village.get(village_id, 0) + 1
    villages = Region.objects.filter(pk__in=set(counts) | set(new_by_village)).order_by("path")
    return [
        VillageProgress(
            village=village,
            total=counts.get(village.pk, {}).get("total", 0),
            confirmed=counts.get(village.pk, {}).get("confirmed", 0),
            changed=counts.get(village.pk, {}).get("changed", 0),
            new=new_by_village.get(village.pk, 0),
        )
        for village in villages
    ]


def progress_totals(rows: list[VillageProgress]) -> dict[str, int]:
    return {key: sum(getattr(row, key) for row in rows) for key in ("total", "confirmed", "changed", "new")}


def campaign_towns(rows: list[VillageProgress]) -> list[dict]:
    """The villages' progress rolled up per town (a county campaign's page shows both)."""
    by_town: dict[str, list[VillageProgress]] = {}
    for row in rows:
        by_town.setdefault(row.village.town_path or row.village.path, []).append(row)
    towns = {r.path: r for r in Region.objects.filter(path__in=by_town)}
    return [
        {"town": towns.get(path), "villages": villages, **progress_totals(villages)}
        for path, villages in sorted(by_town.items())
    ]


# --------------------------------------------------------------------------------------------------
# Aggregates for reporting (the dashboard and the quarterly analysis report; issue 12 §3): counts only,
# never a child, read by those who may see the region's figures (VIEW_AGGREGATES).


def _result_figures(campaign: Campaign, names: dict[str, str]) -> dict:
    result = campaign.result

    def named(counts: dict[str, int]) -> list[tuple[str, int]]:
        return [(names.get(code, code), n) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    return {
        "id": campaign.pk,
        "name": campaign.name,
        "region": campaign.region.name,
        "starts_on": campaign.starts_on,
        "deadline": campaign.deadline,
        "closed_on": timezone.localdate(campaign.closed_at) if campaign.closed_at else None,
        "total": result.total,
        "confirmed": result.confirmed,
        "new": result.new_count,
        "changed": result.changed_count,
        "new_by_category": named(result.new_by_category),
        "changed_by_category": named(result.changed_by_category),
    }


def _campaigns_in(*, user, region: Region) -> QuerySet[Campaign] | None:
    if not user_reach(user, Capability.VIEW_AGGREGATES).covers(region.path):
        return None
    return Campaign.objects.filter(region.subtree("region__path")).select_related("region")


def campaign_figures(*, user, region: Region) -> dict | None:
    """The dashboard's campaign card for `region` (its subtree's campaigns): the latest closed campaign's
    figures as recorded at closing (CampaignResult), and each open campaign's progress, confirmed / total.
    None when there is none or the user may not see the region's figures."""
    campaigns = _campaigns_in(user=user, region=region)
    if campaigns is None:
        return None
    latest = (
        campaigns.filter(status=CampaignStatus.CLOSED, result__isnull=False)
        .select_related("result")
        .order_by("-closed_at", "-id")
        .first()
    )
    open_rows = (
        campaigns.filter(status=CampaignStatus.OPEN)
        .annotate(total=Count("items"), confirmed=Count("items", filter=~Q(items__outcome="")))
        .order_by("deadline", "id")
    )
    running = [
        {
            "id": c.pk,
            "name": c.name,
            "region": c.region.name,
            "deadline": c.deadline,
            "total": c.total,
            "confirmed": c.confirmed,
            "percent": 100 if not c.total else round(100 * c.confirmed / c.total),
        }
        for c in open_rows
    ]
    if latest is None and not running:
        return None
    return {"latest": _result_figures(latest, category_names()) if latest else None, "open": running}


def campaigns_closed_between(*, region: Region, start, end) -> list[dict]:
    """The figures of `region`'s campaigns closed in [start, end) (the quarterly analysis report), oldest
    first, as recorded at closing. Like reporting's figures_for it takes no user: the report is built by a
    worker for a region whose request reporting.analysis.services has already checked; counts only."""
    closed = (
        Campaign.objects.filter(region.subtree("region__path"))
        .select_related("region")
        .filter(status=CampaignStatus.CLOSED, result__isnull=False, closed_at__gte=start, closed_at__lt=end)
        .select_related("result")
        .order_by("closed_at", "id")
    )
    names = category_names()
    return [_result_figures(campaign, names) for campaign in closed]

"""Writes of screening campaigns (摸底排查; issue 12 §3, domain.md §4 row 2, §7.1; 004 一(二)): opening a
campaign for a town or a county, confirming each child, closing it with its figures, and the daily alert
for villages behind the deadline. Record changes go through cases.registry.services (never written here)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Minor, MinorCategory, MinorStatus
from cases.registry.services import minor_close
from screening.campaigns import rules
from screening.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignItem,
    CampaignResult,
    CampaignStatus,
    ItemOutcome,
)
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def may_run(*, user, region: Region) -> bool:
    """Whether `user` may open or close a campaign for `region` (its town or county)."""
    return region.level in rules.CAMPAIGN_LEVELS and user_reach(user, Capability.RUN_CAMPAIGNS).covers(region.path)


def may_confirm(*, user, item: CampaignItem) -> bool:
    """Whether `user` may confirm this child: CONFIRM_CAMPAIGN at the child's village (or its grid)."""
    reach = user_reach(user, Capability.CONFIRM_CAMPAIGN)
    return reach.covers(item.village.path) or reach.covers(item.minor.region.path)


def _overlapping_open(region: Region) -> Q:
    """Open campaigns whose area contains `region` or lies inside it."""
    return Q(status=CampaignStatus.OPEN) & (Q(region__path__in=region.ancestor_paths) | region.subtree("region__path"))


@transaction.atomic
def campaign_open(*, actor, region: Region, name: str, starts_on: date, deadline: date) -> Campaign:
    """Open a campaign for a town or county (issue 12 §3): one CampaignItem per active registered child of the
    area, in one bulk insert, each in the village the child lives in (a grid's child in its village)."""
    if not may_run(user=actor, region=region):
        raise ActionNotAllowed(_("您的岗位无权在该区域组织摸底排查。"))
    errors: dict[str, list[ValidationError]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("请填写排查名称。"), code="required")]
    if starts_on and deadline and deadline < starts_on:
        errors["deadline"] = [ValidationError(_("截止日期不能早于开始日期。"), code="before_start")]
    # Opening serialises per county (its row locked), so two overlapping campaigns cannot both open.
    Region.objects.select_for_update().filter(path=region.county_path).first()
    if Campaign.objects.filter(_overlapping_open(region)).exists():
        errors["region"] = [ValidationError(_("该区域已有进行中的摸底排查，请先结束。"), code="overlap")]
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        region=region, name=name, starts_on=starts_on, deadline=deadline, opened_by=actor, opened_at=timezone.now()
    )
    rows = Minor.objects.filter(region.subtree("region__path"), status=MinorStatus.ACTIVE).values_list(
        "pk", "region_id", "region__level", "region__parent_id"
    )
    CampaignItem.objects.bulk_create(
        [
            CampaignItem(campaign=campaign, minor_id=pk, village_id=parent_id if level == Level.GRID else region_id)
            for pk, region_id, level, parent_id in rows
        ],
        batch_size=2000,
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        kind=CampaignEvent.Kind.OPENED,
        actor=actor,
        detail={"items": campaign.items.count(), "deadline": deadline.isoformat()},
    )
    return campaign


@transaction.atomic
def campaign_item_confirm(*, actor, item: CampaignItem, outcome: str, note: str = "") -> CampaignItem:
    """Confirm one child (issue 12 §3). Left the area, aged out and deceased close the record through
    cases.registry.services.minor_close with the matching reason (rules.CLOSING_OUTCOMES); changed and
    moved are recorded here and made on the registry's edit and move pages (rules.REGISTRY_PAGE_OUTCOMES)."""
    locked = (
        CampaignItem.objects.select_for_update().select_related("campaign", "village", "minor__region").get(pk=item.pk)
    )
    if not may_confirm(user=actor, item=locked):
        raise ActionNotAllowed(_("您的岗位无权确认该儿童的排查结果。"))
    if outcome not in ItemOutcome.values:
        raise ValidationError({"outcome": [ValidationError(_("请选择排查结果。"), code="required")]})
    if not locked.campaign.is_open:
        raise ValidationError({"outcome": [ValidationError(_("该摸底排查已结束。"), code="closed")]})
    if locked.outcome in rules.CLOSING_OUTCOMES and outcome != locked.outcome:
        raise ValidationError(
            {"outcome": [ValidationError(_("该儿童已按排查结果销档，如需更正请先恢复在册。"), code="record_closed")]}
        )
    reason = rules.CLOSING_OUTCOMES.get(outcome)
    minor = locked.minor
    if reason is not None and not (minor.status == MinorStatus.CLOSED and minor.closed_reason == reason):
        minor_close(actor=actor, minor=minor, reason=reason, note=note or locked.campaign.name)
    previous = locked.outcome
    locked.outcome = outcome
    locked.note = (note or "").strip()[:200]
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = actor
    locked.save(update_fields=["outcome", "note", "confirmed_at", "confirmed_by"])
    CampaignEvent.objects.create(
        campaign=locked.campaign,
        item=locked,
        kind=CampaignEvent.Kind.CONFIRMED,
        actor=actor,
        at=locked.confirmed_at,
        detail={"from": previous or None, "to": outcome},
    )
    return locked


def new_minors_q(campaign: Campaign, *, until=None) -> Q:
    """Children registered in the campaign's area while it ran count as "new this period" (issue 12 §3)."""
    condition = campaign.region.subtree("region__path") & Q(created_at__gte=campaign.opened_at)
    end = until or campaign.closed_at
    if end is not None:
        condition &= Q(created_at__lte=end)
    return condition


def _by_category(minor_ids) -> dict[str, int]:
    return dict(
        Counter(
            MinorCategory.objects.filter(minor_id__in=minor_ids).values_list("category__code", flat=True).iterator()
        )
    )


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign, closed_at: datetime | None = None) -> CampaignResult:
    """Close a campaign and record its figures (issue 12 §3; domain.md §4 row 2 "new this period", "changed
    this period"): totals, outcomes, and the new and the changed children by category.

    `closed_at` (default now) is when the campaign ended, for a closing recorded afterwards (the demo's
    last-quarter campaign): "new this period" counts the children registered from its opening up to then.
    It may not lie before the opening nor in the future."""
    locked = Campaign.objects.select_for_update().select_related("region").get(pk=campaign.pk)
    if not may_run(user=actor, region=locked.region):
        raise ActionNotAllowed(_("您的岗位无权结束该摸底排查。"))
    if not locked.is_open:
        raise ValidationError(_("该摸底排查已结束。"), code="closed")
    now = timezone.now()
    if closed_at is not None:
        if closed_at < locked.opened_at or closed_at > now:
            raise ValidationError(
                {"closed_at": [ValidationError(_("结束时间须在开启之后、当前时间之前。"), code="out_of_period")]}
            )
        now = closed_at
    items = CampaignItem.objects.filter(campaign=locked)
    by_outcome = dict(Counter(items.exclude(outcome="").values_list("outcome", flat=True)))
    new_ids = list(Minor.objects.filter(new_minors_q(locked, until=now)).values_list("pk", flat=True))
    changed_ids = list(items.filter(outcome__in=rules.CHANGED_OUTCOMES).values_list("minor_id", flat=True))
    result = CampaignResult.objects.create(
        campaign=locked,
        total=items.count(),
        confirmed=sum(by_outcome.values()),
        new_count=len(new_ids),
        changed_count=len(changed_ids),
        by_outcome=by_outcome,
        new_by_category=_by_category(new_ids),
        changed_by_category=_by_category(changed_ids),
        recorded_at=now,
    )
    locked.status = CampaignStatus.CLOSED
    locked.closed_at = now
    locked.closed_by = actor
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    CampaignEvent.objects.create(
        campaign=locked,
        kind=CampaignEvent.Kind.CLOSED,
        actor=actor,
        at=now,
        detail={"total": result.total, "confirmed": result.confirmed, "new": result.new_count},
    )
    return result


def _pending_by_village(**deadline):
    from django.db.models import Count

    return (
        CampaignItem.objects.filter(
            campaign__status=CampaignStatus.OPEN,
            outcome="",
            **{f"campaign__deadline__{k}": v for k, v in deadline.items()},
        )
        .values("campaign_id", "campaign__name", "campaign__deadline", "village_id", "village__path", "village__name")
        .annotate(n=Count("id"))
        .order_by("campaign_id", "village__path")
    )


def _village_candidates(rows, message: str) -> list:
    from django.urls import reverse

    from cases.alerts.services import AlertCandidate

    return [
        AlertCandidate(
            subject_key=f"campaign:{row['campaign_id']}:village:{row['village_id']}",
            period_key=row["campaign__deadline"].isoformat(),
            region_id=row["village_id"],
            region_path=row["village__path"],
            message=message
            % {
                "campaign": row["campaign__name"],
                "deadline": row["campaign__deadline"].isoformat(),
                "village": row["village__name"],
                "n": row["n"],
            },
            url=reverse("campaign_village", args=[row["campaign_id"], row["village_id"]]),
        )
        for row in rows
    ]


def campaign_alerts_sync(*, today: date | None = None) -> dict[str, dict[str, int]]:
    """The daily job (screening.tasks.alert_campaigns_behind), per village of an open campaign with children
    still to confirm: a reminder (CAMPAIGN_DEADLINE_NEAR) in the last rules.REMIND_DAYS_BEFORE days before the
    deadline, and an alert (CAMPAIGN_VILLAGE_BEHIND) once it has passed; each raised once and resolved when
    the village is done or the campaign closed (cases/alerts/rules.py says who is told)."""
    from cases.alerts.rules import AlertRule
    from cases.alerts.services import alerts_sync

    today = today or timezone.localdate()
    limit = today - timezone.timedelta(days=rules.BEHIND_GRACE_DAYS)
    behind = _village_candidates(
        _pending_by_village(lt=limit),
        _("%(campaign)s已过截止日期（%(deadline)s），%(village)s还有%(n)d名儿童未确认"),
    )
    near = _village_candidates(
        _pending_by_village(gte=limit, lte=today + timezone.timedelta(days=rules.REMIND_DAYS_BEFORE)),
        _("%(campaign)s将于%(deadline)s截止，%(village)s还有%(n)d名儿童未确认"),
    )
    return {
        "behind": alerts_sync(rule=AlertRule.CAMPAIGN_VILLAGE_BEHIND, candidates=behind, resolve_scope=Q()),
        "near": alerts_sync(rule=AlertRule.CAMPAIGN_DEADLINE_NEAR, candidates=near, resolve_scope=Q()),
    }

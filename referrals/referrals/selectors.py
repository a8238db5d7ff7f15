"""What each user may see of referrals (STYLE.md rule 2; domain.md §13 need to know).

- Town staff see the referrals of children in their reach (the tree, `scope_q`).
- Partner staff see only referrals addressed to their organisation and granted to them when sent
  (tiers.grants), never drafts or revoked ones, never a sealed child's.
Anything else is absent from lists and answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.registry.identity import age_on
from cases.registry.selectors import minor_scope_q
from referrals.referrals.models import (
    RULE_OVERRIDE_FIELDS,
    EventKind,
    Referral,
    ReferralEvent,
    ReferralRule,
    ReferralRuleOverride,
)
from referrals.referrals.rules import HIDDEN_FROM_PARTNERS
from tiers import grants
from tiers.models import Region
from tiers.roles import Capability, Role
from tiers.selectors import user_posts, user_reach


def partner_organisation_ids(user) -> set[int]:
    """The organisations of the user's partner posts (issue 5 §1)."""
    return {
        post.organisation_id for post in user_posts(user) if post.role == Role.PARTNER_STAFF and post.organisation_id
    }


def _apply_override(rule: ReferralRule, override: ReferralRuleOverride | None) -> ReferralRule:
    rule.override = override
    if override is not None:
        rule.default_values = {field: getattr(rule, field) for field in RULE_OVERRIDE_FIELDS}
        for field in RULE_OVERRIDE_FIELDS:
            setattr(rule, field, getattr(override, field))
    else:
        rule.default_values = None
    return rule


def referral_rules_in_force(*, region: Region | None, active_only: bool = True) -> list[ReferralRule]:
    """The routing table in force in the county `region` lies in (domain.md §6.1, §14.7): every default
    rule, with the county's own routing applied where it has one (the override wins by code). Each row
    carries `override` (the county's ReferralRuleOverride or None) and `default_values`; its pk stays
    the default row's, the identity suggestions and referrals refer to. `region=None`: the defaults."""
    rules = list(ReferralRule.objects.order_by("sort_order", "code"))
    overrides = (
        {o.rule_id: o for o in ReferralRuleOverride.objects.filter(county__code=region.county_code)}
        if region is not None
        else {}
    )
    rules = [_apply_override(rule, overrides.get(rule.pk)) for rule in rules]
    return [rule for rule in rules if rule.is_active] if active_only else rules


def referral_rule_in_force(*, rule: ReferralRule, region: Region) -> ReferralRule:
    """One rule as in force in the county `region` lies in (a fresh copy; `rule` is left as it was)."""
    fresh = ReferralRule.objects.get(pk=rule.pk)
    override = ReferralRuleOverride.objects.filter(county__code=region.county_code, rule_id=rule.pk).first()
    return _apply_override(fresh, override)


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    updated_since: datetime | None = None
    case_id: int | None = None


def partner_referrals(*, user) -> QuerySet[Referral]:
    """Referrals addressed to the user's organisation and granted to the user."""
    org_ids = partner_organisation_ids(user)
    if not org_ids:
        return Referral.objects.none()
    # Only while the child lives in the department's area: a move out withdraws the view (issue 10 §5).
    addressed = Referral.objects.filter(
        organisation_id__in=org_ids,
        minor__is_sealed=False,
        minor__region__path__startswith=F("organisation__region__path"),
    ).exclude(status__in=HIDDEN_FROM_PARTNERS)
    return grants.granted(user=user, queryset=addressed)


def is_town_view(*, user, referral: Referral) -> bool:
    """Whether the user sees the referral as town staff (the full case) rather than as its destination."""
    return user_reach(user, Capability.VIEW_RECORDS).covers(referral.minor.region.path)


def referral_list(*, user, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    filters = filters or ReferralFilters()
    town = minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    partner_ids = partner_referrals(user=user).values("pk") if partner_organisation_ids(user) else None
    condition = town | Q(pk__in=partner_ids) if partner_ids is not None else town
    referrals = Referral.objects.filter(condition)
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.updated_since is not None:
        referrals = referrals.filter(updated_at__gte=filters.updated_since)
    if filters.case_id is not None:
        referrals = referrals.filter(case_id=filters.case_id)
    return referrals.select_related("minor__region", "organisation").order_by("-updated_at", "-id")


def referral_get(*, user, pk: int) -> Referral:
    return get_object_or_404(referral_list(user=user), pk=pk)


def referral_updates(*, referral: Referral) -> QuerySet[ReferralEvent]:
    """The destination's progress notes and feedback, oldest first."""
    return referral.events.filter(kind__in=[EventKind.UPDATE, EventKind.FEEDBACK]).select_related("actor")


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor")


def village_name(referral: Referral) -> str:
    """The child's village (a grid is shown as its village: the partner needs no finer place)."""
    region = referral.minor.region
    if region.level == "GRID" and region.parent_id:
        return region.parent.name
    return region.name


def child_age(referral: Referral, today: date | None = None) -> int:
    return age_on(referral.minor.birth_date, today or timezone.localdate())


RULE_HISTORY_LIMIT = 50


def referral_rule_history(*, county: Region, limit: int = RULE_HISTORY_LIMIT) -> list:
    """Who changed the routing table in force in `county`, when, from → to (issue 10 §7): the deployment
    defaults (also edited in the admin) and the county's own rows, newest first. Trigger-written events
    (tiers.audit); empty on SQLite."""
    from django.apps import apps
    from django.utils.translation import gettext as _

    from tiers.audit import history_rows

    rule_events = apps.get_model("referrals", "ReferralRuleEvent")
    override_events = apps.get_model("referrals", "ReferralRuleOverrideEvent")
    codes = dict(ReferralRule.objects.values_list("pk", "code"))
    defaults = history_rows(
        rule_events.objects.order_by("-pgh_created_at", "-pgh_id")[:limit],
        fields=["name", *RULE_OVERRIDE_FIELDS, "categories", "indicators", "min_age", "max_age"],
        label=lambda e: _("系统默认 %(code)s") % {"code": e.code},
    )
    own = history_rows(
        override_events.objects.filter(county_id=county.pk).order_by("-pgh_created_at", "-pgh_id")[:limit],
        fields=list(RULE_OVERRIDE_FIELDS),
        label=lambda e: _("%(county)s自定 %(code)s") % {"county": county.name, "code": codes.get(e.rule_id, "?")},
    )
    return sorted(defaults + own, key=lambda row: row.at, reverse=True)[:limit]

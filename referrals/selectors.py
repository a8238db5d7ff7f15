"""What each user may see of referrals (STYLE.md rule 2; domain.md §13 need to know).

- Town staff see the referrals of children in their reach (the tree, `scope_q`).
- Partner staff see only referrals addressed to their organisation and granted to them when sent
  (tiers.grants), never drafts or revoked ones, never a sealed child's.
Anything else is absent from lists and answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.identity import age_on
from referrals.models import Referral, ReferralEvent, ReferralStatus
from referrals.services.lifecycle import EventKind, partner_organisation_ids
from tiers import grants
from tiers.roles import Capability
from tiers.selectors import scope_q, user_reach

HIDDEN_FROM_PARTNERS = (ReferralStatus.DRAFT, ReferralStatus.REVOKED)


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
    addressed = Referral.objects.filter(organisation_id__in=org_ids, minor__is_sealed=False).exclude(
        status__in=HIDDEN_FROM_PARTNERS
    )
    return grants.granted(user=user, queryset=addressed)


def is_town_view(*, user, referral: Referral) -> bool:
    """Whether the user sees the referral as town staff (the full case) rather than as its destination."""
    return user_reach(user, Capability.VIEW_RECORDS).covers(referral.minor.region.path)


def referral_list(*, user, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    filters = filters or ReferralFilters()
    town = scope_q(user, Capability.VIEW_RECORDS, field="minor__region__path")
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

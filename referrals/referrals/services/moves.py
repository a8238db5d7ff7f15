"""What a move does to a child's referrals (issue 10 §5; domain.md §1.3 T-5, §13 need to know).

A partner department sees a referral because the child lives in its area (a town's departments for the
town's children, the county's for the county's). When the child moves out of that area the department
loses its view at once, in the move's own transaction (cases.hooks.on_minor_moved):
- a referral it is still working on (draft, sent, accepted, in progress) is revoked through the
  lifecycle, with the reason "儿童迁出", so its history says why and the department's webhooks are told;
- a referral already answered (feedback given, closed, rejected) keeps its status — the work and the
  feedback stay true history, and the new town office may still close it — but its grants are withdrawn.
Departments whose area still holds the child (the county's, on a move within the county) keep theirs.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from referrals.referrals import rules
from referrals.referrals.models import Referral, ReferralStatus
from referrals.referrals.services import lifecycle
from tiers import grants


def referrals_hand_over(minor_id: int, *, actor, from_region, to_region, reason: str) -> dict[str, int]:
    """Revoke or un-share the child's referrals to departments whose area no longer holds the child."""
    revoked = withdrawn = 0
    referrals = (
        Referral.objects.filter(minor_id=minor_id)
        .exclude(status=ReferralStatus.REVOKED)
        .select_related("organisation__region")
        .order_by("pk")
    )
    for referral in referrals:
        if to_region.is_within(referral.organisation.region):
            continue
        if referral.status in rules.REVOCABLE_STATUSES:
            lifecycle.referral_revoke_on_move(actor=actor, referral=referral, reason=reason or _("儿童迁出"))
            revoked += 1
        else:
            grants.withdraw_all(obj=referral)
            withdrawn += 1
    return {"revoked": revoked, "withdrawn": withdrawn}

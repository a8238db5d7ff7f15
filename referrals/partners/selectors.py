"""What waits for a partner department's staff member (issue 10 §8): referrals to accept, feedback due,
and the open measures of their working groups. Only what referrals.referrals.selectors.partner_referrals and
cases' measure_list already let them see; the home page shows references and deadlines, not children's
names (the referral and group pages do, and are logged)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from cases.casework.selectors import measure_list
from cases.models import OPEN_MEASURE_STATUSES, CaseStage, Measure
from referrals.referrals.models import Referral, ReferralStatus
from referrals.referrals.selectors import partner_referrals

WAITING_LIMIT = 50


@dataclass(frozen=True)
class PartnerWaiting:
    to_accept: list[Referral]
    feedback_due: list[Referral]
    measures_due: list[Measure]

    def __bool__(self) -> bool:
        return bool(self.to_accept or self.feedback_due or self.measures_due)


def partner_waiting(*, user) -> PartnerWaiting:
    referrals = partner_referrals(user=user).select_related("organisation")
    to_accept = referrals.filter(status=ReferralStatus.SENT).order_by(F("accept_due_at").asc(nulls_last=True), "id")
    feedback_due = referrals.filter(status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]).order_by(
        F("feedback_due_on").asc(nulls_last=True), "id"
    )
    measures = (
        measure_list(user=user)
        .filter(Q(responsible_user=user) | Q(group__members=user), status__in=OPEN_MEASURE_STATUSES)
        .exclude(case__stage=CaseStage.CLOSED)
        .select_related(None)
        .select_related("group__region")
        .order_by("due_on", "id")
    )
    return PartnerWaiting(
        to_accept=list(to_accept[:WAITING_LIMIT]),
        feedback_due=list(feedback_due[:WAITING_LIMIT]),
        measures_due=list(measures[:WAITING_LIMIT]),
    )

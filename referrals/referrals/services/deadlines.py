"""Referral deadlines watched hourly through the one alert mechanism (cases.alerts.services; issue 5 §3):
- REFERRAL_NOT_ACCEPTED: sent and not accepted (nor rejected) by its accept deadline;
- REFERRAL_FEEDBACK_LATE: accepted or in progress, past its feedback date.
One alert per referral and deadline, to the town office of the child's place and the sender; resolved
when the cause is gone (accepted, rejected, feedback given, revoked)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync
from referrals.referrals.models import EventKind, Referral, ReferralEvent, ReferralStatus
from referrals.referrals.rules import ACTIVE_STATUSES


def _with_sender(referrals):
    sender = ReferralEvent.objects.filter(referral=OuterRef("pk"), kind=EventKind.SENT).order_by("-at")
    return referrals.annotate(sender_id=Subquery(sender.values("actor_id")[:1])).select_related(
        "minor__region", "organisation"
    )


def _candidate(referral: Referral, period: str, message: str) -> AlertCandidate:
    return AlertCandidate(
        subject_key=f"referral:{referral.pk}",
        period_key=period,
        minor_id=referral.minor_id,
        region_id=referral.minor.region_id,
        region_path=referral.minor.region.path,
        message=message,
        url=f"/referrals/{referral.pk}/",
        extra_user_ids=frozenset({referral.sender_id} if referral.sender_id else set()),
    )


def referrals_escalate(*, now=None) -> dict[str, dict]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    not_accepted = _with_sender(Referral.objects.filter(status=ReferralStatus.SENT, accept_due_at__lt=now))
    results = {
        AlertRule.REFERRAL_NOT_ACCEPTED: alerts_sync(
            rule=AlertRule.REFERRAL_NOT_ACCEPTED,
            candidates=[
                _candidate(
                    r,
                    r.accept_due_at.isoformat(),
                    _("%(name)s的转介（%(org)s）已超过接收时限仍未接收。")
                    % {"name": r.minor.name, "org": r.organisation.name},
                )
                for r in not_accepted
            ],
        )
    }
    late = _with_sender(Referral.objects.filter(status__in=ACTIVE_STATUSES, feedback_due_on__lt=today))
    results[AlertRule.REFERRAL_FEEDBACK_LATE] = alerts_sync(
        rule=AlertRule.REFERRAL_FEEDBACK_LATE,
        candidates=[
            _candidate(
                r,
                r.feedback_due_on.isoformat(),
                _("%(org)s应于%(due)s反馈%(name)s的转介处理情况，已逾期。")
                % {"name": r.minor.name, "org": r.organisation.name, "due": r.feedback_due_on},
            )
            for r in late
        ],
    )
    return results

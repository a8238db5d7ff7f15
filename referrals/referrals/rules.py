"""The rules of a referral in one place: which steps are allowed from which status, the deadlines that follow
the priority, and how long a partner keeps its view. Services, selectors and the deadline job read them here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings

from referrals.referrals.models import ReferralStatus

# --- the lifecycle (domain.md §6.2 [PROPOSAL]: CREATED → SENT → ACCEPTED → IN_PROGRESS → FEEDBACK → CLOSED,
# or REJECTED → REROUTED; issue 5 §3) -----------------------------------------------------------------------
# draft → sent → accepted / rejected → in progress → feedback → closed; the sender may revoke until the
# feedback; a rejected referral may be re-routed as a new draft to another department.

# Statuses in which the destination works on the referral (and may still be late with its feedback).
ACTIVE_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
REVOCABLE_STATUSES = (ReferralStatus.DRAFT, ReferralStatus.SENT, *ACTIVE_STATUSES)
# A referral that ended: a new one to the same department may be drafted.
ENDED_STATUSES = (ReferralStatus.REVOKED, ReferralStatus.CLOSED, ReferralStatus.REJECTED)

# step → (the statuses it may be taken from, the status it leads to; None: the referral keeps its status).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "send": ((ReferralStatus.DRAFT,), ReferralStatus.SENT),
    "accept": ((ReferralStatus.SENT,), ReferralStatus.ACCEPTED),
    "reject": ((ReferralStatus.SENT,), ReferralStatus.REJECTED),
    "update": (ACTIVE_STATUSES, ReferralStatus.IN_PROGRESS),
    "feedback": (ACTIVE_STATUSES, ReferralStatus.FEEDBACK),
    "close": ((ReferralStatus.FEEDBACK,), ReferralStatus.CLOSED),
    "revoke": (REVOCABLE_STATUSES, ReferralStatus.REVOKED),
    "reroute": ((ReferralStatus.REJECTED,), None),
}


def step_allowed(step: str, status: str) -> bool:
    return status in TRANSITIONS[step][0]


def step_target(step: str) -> str | None:
    return TRANSITIONS[step][1]


# --- need to know (domain.md §13) -----------------------------------------------------------------------
# A partner never sees a draft nor a revoked referral; sending shares it until it is closed or rejected
# (and a while after, below).
HIDDEN_FROM_PARTNERS = (ReferralStatus.DRAFT, ReferralStatus.REVOKED)
SHARED_STATUSES = (ReferralStatus.SENT, *ACTIVE_STATUSES, ReferralStatus.FEEDBACK)


# --- deadlines by priority (issue 5 §3; [PROPOSAL] defaults, configurable) --------------------------------
# Hours to accept a sent referral, by priority: the setting MINORPROT_REFERRAL_ACCEPT_HOURS (one environment
# variable per priority), read here only. Feedback is due a number of days after accepting:
# MINORPROT_REFERRAL_FEEDBACK_DAYS. Late ones become alerts (referrals.referrals.services.deadlines).


def accept_hours(priority: str) -> int:
    return settings.MINORPROT_REFERRAL_ACCEPT_HOURS[priority]


def accept_due_at(*, priority: str, sent_at: datetime) -> datetime:
    return sent_at + timedelta(hours=accept_hours(priority))


def feedback_days() -> int:
    return settings.MINORPROT_REFERRAL_FEEDBACK_DAYS


def feedback_due_on(*, accepted_on: date) -> date:
    return accepted_on + timedelta(days=feedback_days())


# --- the partner's view after the end (domain.md §13; issue 5 §4) -----------------------------------------
# A closed (or rejected) referral stays visible to the destination's staff for
# MINORPROT_REFERRAL_GRANT_DAYS_AFTER_CLOSE days, then the grants are withdrawn (referral_grants_expire).


def grant_days_after_close() -> int:
    return settings.MINORPROT_REFERRAL_GRANT_DAYS_AFTER_CLOSE


def grant_cutoff(now: datetime) -> datetime:
    """Referrals that ended before this moment are no longer shared."""
    return now - timedelta(days=grant_days_after_close())

"""The referral lifecycle (issue 5 §3, §4): draft → sent → accepted / rejected → in progress → feedback →
closed; the sender may revoke; a rejected referral may be re-routed to another department.

Rules and their sources:
- Destinations and priorities come from the routing table (domain.md §6.1); the allowed steps, the
  deadlines by priority and how long a partner keeps its view are in referrals.referrals.rules
  (domain.md §6.2 [PROPOSAL], §13).
- Need-to-know sharing (domain.md §13): sending grants the destination's staff a view of this one
  referral (tiers.grants); revoking withdraws it at once, closing a set time later (`referral_grants_expire`).

Every step locks the referral, writes a ReferralEvent and, for each active webhook endpoint of the
destination, a WebhookDelivery in the same transaction (the outbox; referrals.webhooks.services).
Town-side steps need the case-work capability over the child's place; partner-side steps need a partner
post in the destination organisation. Others get ActionNotAllowed; illegal transitions a coded
ValidationError.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseStage
from referrals.referrals import rules
from referrals.referrals.models import EventKind, Priority, Referral, ReferralEvent, ReferralRule, ReferralStatus
from referrals.referrals.selectors import partner_organisation_ids
from referrals.webhooks.services import deliveries_enqueue
from tiers import grants
from tiers.errors import ActionNotAllowed
from tiers.models import Organisation, StaffPost
from tiers.roles import Capability, Role
from tiers.selectors import user_reach

EVENT_LABELS = {
    EventKind.CREATED: gettext_lazy("创建草稿"),
    EventKind.SENT: gettext_lazy("发送"),
    EventKind.ACCEPTED: gettext_lazy("接收"),
    EventKind.REJECTED: gettext_lazy("拒收"),
    EventKind.UPDATE: gettext_lazy("进展"),
    EventKind.FEEDBACK: gettext_lazy("反馈"),
    EventKind.CLOSED: gettext_lazy("办结"),
    EventKind.REVOKED: gettext_lazy("撤回"),
    EventKind.REROUTED: gettext_lazy("改派"),
}

DENIED = gettext_lazy("您无权对该转介进行此操作。")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _illegal(referral: Referral) -> ValidationError:
    return _error(
        "status",
        _("转介当前状态为“%(status)s”，不能进行此操作。") % {"status": referral.get_status_display()},
        "invalid_transition",
    )


def referral_may_manage(*, user, referral: Referral) -> bool:
    """Town side: case workers (town office, child supervisor) whose reach covers the child's place."""
    return user_reach(user, Capability.MANAGE_CASES).covers(referral.minor.region.path)


def referral_may_act_as_partner(*, user, referral: Referral) -> bool:
    """Partner side: staff of the destination organisation holding the grant; never on a sealed record."""
    return (
        referral.organisation_id in partner_organisation_ids(user)
        and not referral.minor.is_sealed
        and grants.is_granted(user=user, obj=referral)
    )


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("minor__region", "organisation", "case")
        .get(pk=referral.pk)
    )


def _event(*, referral: Referral, kind: str, actor, from_status: str = "", note: str = "") -> ReferralEvent:
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(updated_at=now)
    referral.updated_at = now
    event = ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=referral.status if referral.status != from_status else "",
        note=note,
    )
    if referral.sent_at is not None:  # a draft was never shown to the partner
        deliveries_enqueue(referral=referral, event=event)
    return event


def _set_status(referral: Referral, status: str, *, actor, kind: str, note: str = "", fields=()) -> ReferralEvent:
    from_status = referral.status
    referral.status = status
    referral.save(update_fields=["status", *fields])
    return _event(referral=referral, kind=kind, actor=actor, from_status=from_status, note=note)


def _partner_users(organisation_id: int):
    from django.contrib.auth import get_user_model

    user_ids = StaffPost.objects.filter(role=Role.PARTNER_STAFF, organisation_id=organisation_id).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True)


def _check_destination(*, organisation: Organisation, case: Case) -> None:
    if not organisation.is_active:
        raise _error("organisation", _("该单位已停用。"), "inactive_organisation")
    if not case.minor.region.is_within(organisation.region):
        raise _error("organisation", _("只能转介给本乡镇或上级区县的单位。"), "out_of_reach")


@transaction.atomic
def referral_create(
    *,
    actor,
    case: Case,
    organisation: Organisation,
    reason: str,
    priority: str = Priority.NORMAL,
    town_contact: str = "",
    rule: ReferralRule | None = None,
    rerouted_from: Referral | None = None,
) -> Referral:
    """A draft referral of an open case to one partner department (domain.md §6.1: a case may generate
    several referrals). Nothing is shared until it is sent."""
    case = Case.objects.select_related("minor__region").get(pk=case.pk)
    if not user_reach(actor, Capability.MANAGE_CASES).covers(case.minor.region.path):
        raise ActionNotAllowed(DENIED)
    if case.stage == CaseStage.CLOSED:
        raise _error("case", _("个案已结案，不能转介。"), "case_closed")
    if priority not in Priority.values:
        raise _error("priority", _("请选择优先级。"), "invalid_priority")
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("请填写转介事由。"), "required")
    _check_destination(organisation=organisation, case=case)
    referral = Referral.objects.create(
        case=case,
        minor=case.minor,
        organisation=organisation,
        rule=rule,
        priority=priority,
        reason=reason,
        town_contact=town_contact.strip(),
        created_by=actor,
        rerouted_from=rerouted_from,
    )
    _event(referral=referral, kind=EventKind.CREATED, actor=actor)
    return referral


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send a draft: the accept deadline follows the priority (referrals.referrals.rules; issue 5 §3), and
    the destination's staff are granted a view of this referral (domain.md §13)."""
    referral = _lock(referral)
    if not referral_may_manage(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("send", referral.status):
        raise _illegal(referral)
    if referral.case.stage == CaseStage.CLOSED:
        raise _error("case", _("个案已结案，不能转介。"), "case_closed")
    now = timezone.now()
    referral.sent_at = now
    referral.accept_due_at = rules.accept_due_at(priority=referral.priority, sent_at=now)
    for user in _partner_users(referral.organisation_id):
        grants.grant(user=user, obj=referral)
    _set_status(
        referral, rules.step_target("send"), actor=actor, kind=EventKind.SENT, fields=["sent_at", "accept_due_at"]
    )
    _notify_also(referral=referral)
    return referral


def _notify_also(*, referral: Referral) -> None:
    """A rule's extra notice (domain.md §6.1, e.g. RF-4: a dropout also notifies the education authority):
    the staff of that kind of department in the child's town (else the county) are told that a referral
    went out — without the child's data, which only the destination receives."""
    if referral.rule is None or referral.minor.is_sealed:
        return
    from cases.alerts.services import notify
    from referrals.referrals.selectors import referral_rule_in_force
    from referrals.referrals.services.routing import destination_for

    rule = referral_rule_in_force(rule=referral.rule, region=referral.minor.region)
    if not rule.also_notify_kind:
        return

    organisation = destination_for(region=referral.minor.region, kind=rule.also_notify_kind)
    if organisation is None or organisation.pk == referral.organisation_id:
        return
    users = [user.pk for user in _partner_users(organisation.pk)]
    if users:
        notify(
            user_ids=users,
            title=_("通报：已按转介规则%(code)s（%(rule)s）向%(org)s转介一名未成年人。")
            % {"code": rule.code, "rule": rule.name, "org": referral.organisation.name},
            minor=referral.minor,
        )


@transaction.atomic
def referral_accept(*, actor, referral: Referral, note: str = "") -> Referral:
    """The destination accepts; feedback is then due a set number of days later (referrals.referrals.rules)."""
    referral = _lock(referral)
    if not referral_may_act_as_partner(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("accept", referral.status):
        raise _illegal(referral)
    now = timezone.now()
    referral.accepted_at = now
    referral.feedback_due_on = rules.feedback_due_on(accepted_on=timezone.localdate(now))
    _set_status(
        referral,
        rules.step_target("accept"),
        actor=actor,
        kind=EventKind.ACCEPTED,
        note=note.strip(),
        fields=["accepted_at", "feedback_due_on"],
    )
    return referral


@transaction.atomic
def referral_reject(*, actor, referral: Referral, reason: str) -> Referral:
    """The destination refuses, with a reason (issue 5 §3); the town may then re-route it."""
    referral = _lock(referral)
    if not referral_may_act_as_partner(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("reject", referral.status):
        raise _illegal(referral)
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("拒收须说明理由。"), "required")
    _set_status(referral, rules.step_target("reject"), actor=actor, kind=EventKind.REJECTED, note=reason)
    return referral


@transaction.atomic
def referral_add_update(*, actor, referral: Referral, note: str) -> ReferralEvent:
    """A progress note from the destination; the referral is then in progress."""
    referral = _lock(referral)
    if not referral_may_act_as_partner(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("update", referral.status):
        raise _illegal(referral)
    note = note.strip()
    if not note:
        raise _error("note", _("请填写进展情况。"), "required")
    return _set_status(referral, rules.step_target("update"), actor=actor, kind=EventKind.UPDATE, note=note)


@transaction.atomic
def referral_feedback(*, actor, referral: Referral, note: str) -> Referral:
    """The destination reports what it did (feedback; mandatory for mandatory-report cases, domain.md §7.2)."""
    referral = _lock(referral)
    if not referral_may_act_as_partner(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("feedback", referral.status):
        raise _illegal(referral)
    note = note.strip()
    if not note:
        raise _error("note", _("请填写反馈内容。"), "required")
    referral.feedback_at = timezone.now()
    _set_status(
        referral, rules.step_target("feedback"), actor=actor, kind=EventKind.FEEDBACK, note=note, fields=["feedback_at"]
    )
    return referral


@transaction.atomic
def referral_close(*, actor, referral: Referral, note: str = "") -> Referral:
    """The town office closes a referral after the feedback; the partner keeps its view for a
    set number of days (referrals.referrals.rules, domain.md §13)."""
    referral = _lock(referral)
    if not referral_may_manage(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("close", referral.status):
        raise _illegal(referral)
    referral.closed_at = timezone.now()
    _set_status(
        referral,
        rules.step_target("close"),
        actor=actor,
        kind=EventKind.CLOSED,
        note=note.strip(),
        fields=["closed_at"],
    )
    return referral


@transaction.atomic
def referral_revoke(*, actor, referral: Referral, reason: str = "") -> Referral:
    """The sender withdraws the referral; the destination loses its view at once."""
    referral = _lock(referral)
    if not referral_may_manage(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("revoke", referral.status):
        raise _illegal(referral)
    grants.withdraw_all(obj=referral)
    _set_status(referral, rules.step_target("revoke"), actor=actor, kind=EventKind.REVOKED, note=reason.strip())
    return referral


@transaction.atomic
def referral_revoke_on_move(*, actor, referral: Referral, reason: str) -> Referral:
    """The child moved out of the destination's area (issue 10 §5; domain.md §1.3 T-5): the referral is
    revoked as the sender would, with the move as its reason. Called only by the move's hand-over
    (referrals.referrals.services.moves), which has checked the actor's right to move the record (a child director
    or a receiving county may move a record without holding the case-work capability)."""
    referral = _lock(referral)
    if not rules.step_allowed("revoke", referral.status):
        raise _illegal(referral)
    grants.withdraw_all(obj=referral)
    _set_status(referral, rules.step_target("revoke"), actor=actor, kind=EventKind.REVOKED, note=reason.strip())
    return referral


@transaction.atomic
def referral_reroute(
    *, actor, referral: Referral, organisation: Organisation, reason: str = "", priority: str = ""
) -> Referral:
    """A rejected referral becomes a new draft to another department (domain.md §6.2 REJECTED → REROUTED);
    the old one keeps its history and points forward through the new one's `rerouted_from`."""
    referral = _lock(referral)
    if not referral_may_manage(user=actor, referral=referral):
        raise ActionNotAllowed(DENIED)
    if not rules.step_allowed("reroute", referral.status):
        raise _illegal(referral)
    if organisation.pk == referral.organisation_id:
        raise _error("organisation", _("请选择另一个接收单位。"), "same_organisation")
    new = referral_create(
        actor=actor,
        case=referral.case,
        organisation=organisation,
        reason=reason.strip() or referral.reason,
        priority=priority or referral.priority,
        town_contact=referral.town_contact,
        rule=referral.rule,
        rerouted_from=referral,
    )
    _event(referral=referral, kind=EventKind.REROUTED, actor=actor, note=organisation.name)
    return new


def referral_grants_sync(*, now=None) -> dict[str, int]:
    """Keep each shared referral's grants equal to its department's current staff (domain.md §13, need to
    know): someone who joins the department after the referral was sent gets its view; someone who
    left it (post removed, account disabled) loses it. Shared means sent and not revoked, and not yet
    past the grant period after closing or rejection (rules.grant_cutoff). Safe to rerun."""
    from collections import defaultdict

    from django.contrib.auth import get_user_model
    from django.db.models import F, Q

    now = now or timezone.now()
    cutoff = rules.grant_cutoff(now)
    shared = Referral.objects.filter(
        Q(status__in=rules.SHARED_STATUSES)
        | Q(status=ReferralStatus.CLOSED, closed_at__gte=cutoff)
        | Q(status=ReferralStatus.REJECTED, updated_at__gte=cutoff)
    )
    staff: dict[int, set[int]] = defaultdict(set)
    for organisation_id, user_id in StaffPost.objects.filter(
        role=Role.PARTNER_STAFF, organisation__isnull=False, user__is_active=True
    ).values_list("organisation_id", "user_id"):
        staff[organisation_id].add(user_id)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=set().union(*staff.values()))}
    granted = withdrawn = 0
    # A department sees a referral only while the child lives in its area (a move withdraws it).
    shared = shared.filter(minor__region__path__startswith=F("organisation__region__path"))
    for referral in shared.only("pk", "organisation_id"):
        with transaction.atomic():
            holders = {user.pk: user for user in grants.holders(obj=referral)}
            expected = staff.get(referral.organisation_id, set())
            for user_id in expected - set(holders):
                grants.grant(user=users[user_id], obj=referral)
                granted += 1
            for user_id in set(holders) - expected:
                grants.withdraw(user=holders[user_id], obj=referral)
                withdrawn += 1
    return {"granted": granted, "withdrawn": withdrawn}


def referral_grants_expire(*, now=None) -> int:
    """Daily: withdraw the partner's view of referrals closed (or rejected) longer ago than
    the grant period (rules.grant_cutoff) (domain.md §13, need to know). Safe to rerun."""
    now = now or timezone.now()
    cutoff = rules.grant_cutoff(now)
    done = Referral.objects.filter(status=ReferralStatus.CLOSED, closed_at__lt=cutoff) | Referral.objects.filter(
        status=ReferralStatus.REJECTED, updated_at__lt=cutoff
    )
    count = 0
    for referral in done.only("pk"):
        with transaction.atomic():
            grants.withdraw_all(obj=referral)
        count += 1
    return count

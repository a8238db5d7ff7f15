"""Moves that hand everything over (issue 10 §5; domain.md §1.3 T-5: towns and villages hold the
ledger "level by level", so the record belongs to the place the child lives in, and nowhere else).

`minor_hand_over` is what every move runs, in the move's one transaction:
- the record's region changes (MinorEvent MOVED, with what was handed over in its changes);
- the child's alerts (open and resolved) are re-scoped to the new place; the open ones are told to the new
  place's recipients;
- notifications about the child (Notification.minor: its alerts' notices and the others naming it) held by
  people who no longer see the child are deleted, read or unread: they name the child, and an inbox is not an archive
  (the alert itself, the record's history and the access log keep what happened). People who still see
  the child keep theirs;
- the open case: an owner whose reach does not cover the new place is removed (CaseEvent OWNER_CHANGED) and
  the new town office is told to name one; each open measure goes to the new town's working group of the
  same track (a group whose area still holds the child, e.g. the county's, keeps it); where the new town has
  no such group the measure is left without a group and the new town office gets an alert
  (MOVE_MEASURE_UNASSIGNED) to assign it; a responsible person who cannot see the child at the new place is
  removed. Each change is a CaseEvent MEASURE_CHANGED. Done and cancelled measures stay with the group that
  did them (history), and are no longer shown to its members (cases.casework.selectors);
- registered move handlers run in the same transaction (cases.hooks.on_minor_moved): the visit plan is
  rebuilt for the new place (screening), referrals to departments of the old area are revoked with the
  reason "儿童迁出" or, if already answered, un-shared (referrals.referrals.services.moves);
- after commit the referral rules are re-evaluated for the new county (cases.hooks.minor_changed).

A move to a village of another county is a request (MoveRequest) the receiving county's civil-affairs
post (ACCEPT_MOVES) accepts or declines; the sending side may cancel it. Until accepted nothing changes.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync, notify, recipients_for
from cases.hooks import minor_changed, minor_moved
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Alert,
    Case,
    CaseEvent,
    CaseStage,
    Measure,
    Minor,
    MinorEvent,
    MinorStatus,
    Notification,
    WorkingGroup,
)
from cases.models.privacy import MoveRequest, MoveRequestStatus
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level, Role
from tiers.selectors import user_reach

UNASSIGNED_RULE = AlertRule.MOVE_MEASURE_UNASSIGNED
OFFICE_ROLES = [Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD]
ACCEPTOR_ROLES = [Role.COUNTY_CIVIL_AFFAIRS]


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _town_of(region: Region) -> Region | None:
    return region.town()


def move_destination_check(*, minor: Minor, region: Region) -> None:
    """The destination must be an active village or grid other than the current one (domain.md §1.1)."""
    if region.level not in (Level.VILLAGE, Level.GRID) or not region.is_active:
        raise _error("region", _("请选择村（社区）或网格。"), "invalid_level")
    if region.pk == minor.region_id:
        raise _error("region", _("新居住地与当前居住地相同。"), "unchanged")


def is_cross_county(*, minor: Minor, region: Region) -> bool:
    return region.county_code != minor.region.county_code


def _pending_request(minor: Minor) -> MoveRequest | None:
    return MoveRequest.objects.filter(minor=minor, status=MoveRequestStatus.PENDING).first()


# --- the hand-over --------------------------------------------------------------------------------


def minor_hand_over(*, actor, minor: Minor, region: Region, note: str = "", move_request=None) -> Minor:
    """Move a locked record to `region` and hand over everything scoped by the child's place, in the
    caller's transaction (see the module docstring). The caller has checked the actor's right to move."""
    old_region = minor.region
    now = timezone.now()
    minor.region = region
    minor.updated_at = now
    minor.save(update_fields=["region", "updated_at"])
    reason = _("儿童迁出")
    summary = _hand_over_casework(actor=actor, minor=minor, new_region=region)
    alerts = _rescope_alerts(minor=minor, new_region=region)
    changes = [{"field": "region", "from": old_region.name, "to": region.name}]
    if move_request is not None:
        changes.append({"field": "move_request", "from": None, "to": move_request.pk})
    event = MinorEvent.objects.create(
        minor=minor,
        kind=MinorEvent.Kind.MOVED,
        actor=actor,
        changes=changes,
        note=note.strip(),
    )
    minor_moved(minor_id=minor.pk, actor=actor, from_region=old_region, to_region=region, reason=reason)
    _flag_unassigned(minor=minor, measures=summary["unassigned"], event=event)
    _forget_notifications(minor=minor)
    _tell_new_town(
        minor=minor,
        case=summary["case"],
        owner_removed=summary["owner_removed"],
        alerts=alerts,
        town_changed=_town_of(old_region) != _town_of(region),
    )
    minor_changed(minor.pk)
    return minor


def _sees_child(user, minor: Minor) -> bool:
    from cases.registry.selectors import minor_visible

    return minor_visible(user=user, minor=minor)


def _hand_over_casework(*, actor, minor: Minor, new_region: Region) -> dict:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(minor=minor)
        .exclude(stage=CaseStage.CLOSED)
        .first()
    )
    result: dict = {"case": case, "owner_removed": False, "unassigned": []}
    if case is None:
        return result
    if case.owner_id and not user_reach(case.owner, Capability.MANAGE_CASES).covers(new_region.path):
        old_owner = case.owner.get_username()
        case.owner = None
        case.updated_at = timezone.now()
        case.save(update_fields=["owner", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.OWNER_CHANGED,
            actor=actor,
            changes=[{"field": "owner", "from": old_owner, "to": None}],
            note=_("儿童迁出，原责任人不再负责"),
        )
        result["owner_removed"] = True
    town = _town_of(new_region)
    groups = {g.track: g for g in WorkingGroup.objects.filter(region=town)} if town else {}
    measures = (
        Measure.objects.select_for_update(of=("self",))
        .filter(case=case, status__in=OPEN_MEASURE_STATUSES)
        .select_related("group__region", "responsible_user")
        .order_by("pk")
    )
    for measure in measures:
        changes = []
        group = measure.group
        if group is None or not new_region.path.startswith(group.region.path):
            target = groups.get(measure.track)
            if target != group:
                changes.append(
                    {"field": "group", "from": str(group) if group else None, "to": str(target) if target else None}
                )
                measure.group = target
            if target is None:
                result["unassigned"].append(measure)
        person = measure.responsible_user
        if person is not None and not _sees_child(person, minor):
            in_group = measure.group is not None and measure.group.members.filter(pk=person.pk).exists()
            if not in_group:
                changes.append({"field": "responsible_user", "from": person.get_username(), "to": None})
                measure.responsible_user = None
                measure.responsible_name = ""
        if changes:
            measure.save(update_fields=["group", "responsible_user", "responsible_name"])
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.MEASURE_CHANGED,
                actor=actor,
                changes=changes,
                note=_("%(title)s：随儿童迁移移交") % {"title": measure.title},
            )
    return result


def _rescope_alerts(*, minor: Minor, new_region: Region) -> list[Alert]:
    """Every alert about the child follows it (an alert is seen through its region); returns the open ones."""
    Alert.objects.filter(minor=minor).exclude(region=new_region).update(region=new_region)
    return list(Alert.objects.filter(minor=minor, resolved_at__isnull=True).select_related("region"))


def _flag_unassigned(*, minor: Minor, measures: list[Measure], event: MinorEvent) -> None:
    """An alert to the new town office for each handed-over measure its town has no group for."""
    if not measures:
        return
    alerts_sync(
        rule=UNASSIGNED_RULE,
        candidates=[
            AlertCandidate(
                subject_key=f"measure:{m.pk}",
                period_key=f"move:{event.pk}",
                region_id=minor.region_id,
                region_path=minor.region.path,
                minor_id=minor.pk,
                message=_("迁入儿童的措施待分配：%(name)s的“%(title)s”（%(track)s），本乡镇没有该工作组，请指定。")
                % {"name": minor.name, "title": m.title, "track": m.get_track_display()},
                url=reverse("privacy_moves_measure_assign", args=[m.pk]),
            )
            for m in measures
        ],
        # Only this child's earlier flags may be superseded; nothing else of the rule is touched.
        resolve_scope=Q(minor=minor),
    )


def _forget_notifications(*, minor: Minor) -> int:
    """Delete the notifications about the child held by users who no longer see it (see the docstring)."""
    from cases.casework.selectors import measure_list

    notes = Notification.objects.filter(minor=minor)
    user_ids = set(notes.values_list("user_id", flat=True))
    gone = []
    for user in get_user_model().objects.filter(pk__in=user_ids):
        if _sees_child(user, minor):
            continue
        if measure_list(user=user).filter(case__minor=minor).exists():
            continue
        gone.append(user.pk)
    if not gone:
        return 0
    return notes.filter(user_id__in=gone).delete()[0]


def _tell_new_town(
    *, minor: Minor, case: Case | None, owner_removed: bool, alerts: list[Alert], town_changed: bool
) -> None:
    path = minor.region.path
    office = recipients_for(region_paths=[path], roles=OFFICE_ROLES)[path]
    for alert in alerts:
        roles = [role for role in alert.recipient_roles if isinstance(role, str)]
        if roles:
            notify(user_ids=recipients_for(region_paths=[path], roles=roles)[path], title=alert.message, alert=alert)
    if case is not None and owner_removed:
        notify(
            user_ids=office,
            title=_("迁入儿童%(name)s的个案尚无责任人，请指定。") % {"name": minor.name},
            url=reverse("case_detail", args=[case.pk]),
            minor=minor,
        )
    elif town_changed:
        notify(
            user_ids=office,
            title=_("%(name)s的档案已迁入%(place)s，请接续管理。") % {"name": minor.name, "place": minor.region.name},
            url=reverse("minor_detail", args=[minor.pk]),
            minor=minor,
        )


# --- moving a handed-over measure to a group ----------------------------------------------------


@transaction.atomic
def moved_measure_assign(*, actor, measure: Measure, group: WorkingGroup) -> Measure:
    """The new town office gives a handed-over measure to a working group (issue 10 §5): the group must be
    of the measure's track and its area must hold the child; the move's flag is resolved."""
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case__minor__region", "group")
        .get(pk=measure.pk)
    )
    minor = measure.case.minor
    if not user_reach(actor, Capability.MANAGE_CASES).covers(minor.region.path):
        raise ActionNotAllowed
    if measure.status not in OPEN_MEASURE_STATUSES or not measure.case.is_open:
        raise _error("measure", _("只能分配进行中的措施。"), "closed")
    if group.track != measure.track or not minor.region.path.startswith(group.region.path):
        raise _error("group", _("工作组与措施类别或地区不符。"), "invalid")
    old = str(measure.group) if measure.group_id else None
    measure.group = group
    measure.save(update_fields=["group"])
    CaseEvent.objects.create(
        case=measure.case,
        kind=CaseEvent.Kind.MEASURE_CHANGED,
        actor=actor,
        changes=[{"field": "group", "from": old, "to": str(group)}],
        note=measure.title,
    )
    Alert.objects.filter(rule=UNASSIGNED_RULE, subject_key=f"measure:{measure.pk}", resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    return measure


# --- moves to another county: requests -----------------------------------------------------------


def _lock_minor(minor: Minor) -> Minor:
    return Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)


def _may_send(actor, region: Region) -> bool:
    return user_reach(actor, Capability.CHANGE_RECORDS).covers(region.path)


def move_request_may_decide(*, user, move_request: MoveRequest) -> bool:
    return user_reach(user, Capability.ACCEPT_MOVES).covers(move_request.to_region.path)


def move_request_may_cancel(*, user, move_request: MoveRequest) -> bool:
    return move_request.requested_by_id == user.pk or _may_send(user, move_request.from_region)


@transaction.atomic
def move_request_create(*, actor, minor: Minor, region: Region, note: str = "") -> MoveRequest:
    """Ask the receiving county to take a child moving to one of its villages (issue 10 §5; domain.md
    §1.3 T-5). Nothing moves yet; the receiving county's civil-affairs post is told (without the name)."""
    locked = _lock_minor(minor)
    if not _may_send(actor, locked.region):
        raise ActionNotAllowed
    move_destination_check(minor=locked, region=region)
    if not is_cross_county(minor=locked, region=region):
        raise _error("region", _("本区县内迁移无需申请，请直接迁移。"), "same_county")
    if locked.status != MinorStatus.ACTIVE:
        raise _error("region", _("已销档的档案不能迁移。"), "closed")
    if _pending_request(locked) is not None:
        raise _error("region", _("该档案已有待接收的迁移申请。"), "pending_request")
    request = MoveRequest.objects.create(
        minor=locked, from_region=locked.region, to_region=region, note=note.strip(), requested_by=actor
    )
    MinorEvent.objects.create(
        minor=locked,
        kind=MinorEvent.Kind.MOVE_REQUESTED,
        actor=actor,
        changes=[{"field": "region", "from": locked.region.name, "to": region.name}],
        note=note.strip(),
    )
    path = region.path
    notify(
        user_ids=recipients_for(region_paths=[path], roles=ACCEPTOR_ROLES)[path],
        title=_("有一份跨区县迁入申请待接收：迁入%(place)s。") % {"place": region.name},
        url=reverse("privacy_moves_detail", args=[request.pk]),
    )
    return request


def _lock_request(move_request: MoveRequest) -> MoveRequest:
    return (
        MoveRequest.objects.select_for_update(of=("self",))
        .select_related("minor__region", "from_region", "to_region", "requested_by")
        .get(pk=move_request.pk)
    )


def _decide(*, actor, request: MoveRequest, status: str, note: str) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    MinorEvent.objects.create(
        minor=request.minor,
        kind=MinorEvent.Kind.MOVE_DECIDED,
        actor=actor,
        changes=[{"field": "move_request", "from": MoveRequestStatus.PENDING, "to": status}],
        note=note,
    )


def _tell_sender(request: MoveRequest, title: str, url: str = "", minor: Minor | None = None) -> None:
    path = request.from_region.path
    users = recipients_for(region_paths=[path], roles=OFFICE_ROLES)[path] | {request.requested_by_id}
    notify(user_ids=users, title=title, url=url, minor=minor)


@transaction.atomic
def move_request_accept(*, actor, move_request: MoveRequest, note: str = "") -> MoveRequest:
    """The receiving county accepts: the full hand-over runs now, with the county's post as the actor."""
    request = _lock_request(move_request)
    if not move_request_may_decide(user=actor, move_request=request):
        raise ActionNotAllowed(_("您的岗位无权处理该迁移申请。"))
    if request.status != MoveRequestStatus.PENDING:
        raise _error("status", _("该申请已处理。"), "decided")
    minor = _lock_minor(request.minor)
    if minor.region_id != request.from_region_id or minor.status != MinorStatus.ACTIVE:
        raise _error("status", _("档案已迁移或销档，该申请已失效，请退回。"), "stale")
    _decide(actor=actor, request=request, status=MoveRequestStatus.ACCEPTED, note=note.strip())
    minor_hand_over(actor=actor, minor=minor, region=request.to_region, note=request.note, move_request=request)
    _tell_sender(request, _("跨区县迁移申请已被接收，档案已移交迁入地。"))
    return request


@transaction.atomic
def move_request_decline(*, actor, move_request: MoveRequest, reason: str) -> MoveRequest:
    """The receiving county declines, with a reason; the child stays where they are."""
    request = _lock_request(move_request)
    if not move_request_may_decide(user=actor, move_request=request):
        raise ActionNotAllowed(_("您的岗位无权处理该迁移申请。"))
    if request.status != MoveRequestStatus.PENDING:
        raise _error("status", _("该申请已处理。"), "decided")
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("退回须说明理由。"), "required")
    _decide(actor=actor, request=request, status=MoveRequestStatus.DECLINED, note=reason)
    _tell_sender(
        request,
        _("%(name)s的跨区县迁移申请被退回：%(reason)s") % {"name": request.minor.name, "reason": reason},
        url=reverse("minor_detail", args=[request.minor_id]),
        minor=request.minor,
    )
    return request


@transaction.atomic
def move_request_cancel(*, actor, move_request: MoveRequest, reason: str = "") -> MoveRequest:
    """The sending side withdraws its request before it is decided."""
    request = _lock_request(move_request)
    if not move_request_may_cancel(user=actor, move_request=request):
        raise ActionNotAllowed(_("您的岗位无权处理该迁移申请。"))
    if request.status != MoveRequestStatus.PENDING:
        raise _error("status", _("该申请已处理。"), "decided")
    _decide(actor=actor, request=request, status=MoveRequestStatus.CANCELLED, note=reason.strip())
    return request

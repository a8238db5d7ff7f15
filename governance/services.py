"""Governance records: leadership-group meetings and quarterly liaison meetings with their follow-up
items (督办事项).

Rules: a town's or a county's leadership group meets at least twice a year to relay higher-level
requirements, analyse progress and decide measures (domain.md §4 mechanism 1, §10.1); the office and
member units hold a liaison meeting every quarter (domain.md §1.3 T-9, §10.1). Meetings are recorded by
the leadership group's office, so a record needs MANAGE_GOVERNANCE at the meeting's town or county.
Villages hold no such meetings here. Whether enough meetings were held is read in
governance.selectors; this module only writes. The rules' numbers are in governance.rules.

Every function refuses an actor without the capability at the meeting's region with
ActionNotAllowed (tiers.errors: "may see, may not act", a 403) and bad input with a
ValidationError keyed by field, in Chinese. Every change writes a MeetingEvent with what changed, from
what to what (STYLE.md rule 4), in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import ActionItem, Meeting, MeetingEvent, MeetingKind
from governance.rules import ACTION_ITEM_FIELDS, GOVERNANCE_LEVELS
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def meeting_may_manage(*, user, meeting: Meeting) -> bool:
    """Whether the user keeps the records of the meeting's town or county (for showing forms)."""
    return user_reach(user, Capability.MANAGE_GOVERNANCE).covers(meeting.region.path)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _clean_text(errors: dict[str, list[str]], model, name: str, value: Any, *, required: bool) -> str:
    text = (value or "").strip()
    label = model._meta.get_field(name).verbose_name
    if required and not text:
        errors.setdefault(name, []).append(_("请填写%(label)s。") % {"label": label})
    limit = _max_length(model, name)
    if limit and len(text) > limit:
        errors.setdefault(name, []).append(
            _("%(label)s不能超过 %(limit)s 个字（现有 %(count)s 个）。")
            % {"label": label, "limit": limit, "count": len(text)}
        )
    return text


def _clean_meeting(
    errors: dict[str, list[str]],
    *,
    kind: str,
    held_on: date | None,
    title: str,
    chair: str,
    attendees: str,
    minutes: str,
    decisions: str,
) -> dict[str, Any]:
    if kind not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("请选择会议类型。"))
    if held_on is None:
        errors.setdefault("held_on", []).append(_("请填写召开日期。"))
    elif held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("召开日期不能晚于今天：只记录已经召开的会议。"))
    return {
        "kind": kind,
        "held_on": held_on,
        "title": _clean_text(errors, Meeting, "title", title, required=True),
        "chair": _clean_text(errors, Meeting, "chair", chair, required=False),
        "attendees": _clean_text(errors, Meeting, "attendees", attendees, required=True),
        "minutes": _clean_text(errors, Meeting, "minutes", minutes, required=True),
        "decisions": _clean_text(errors, Meeting, "decisions", decisions, required=False),
    }


def _clean_action_items(
    errors: dict[str, list[str]], items: list[dict[str, Any]], held_on: date | None
) -> list[dict[str, Any]]:
    """Each follow-up item needs what is to be done and who does it; a deadline, if given, is not before
    the meeting. Errors name the item by its position (第 n 项) under the key "action_items"."""
    cleaned = []
    for position, item in enumerate(items, start=1):
        item_errors: dict[str, list[str]] = {}
        row = {
            "description": _clean_text(item_errors, ActionItem, "description", item.get("description"), required=True),
            "responsible": _clean_text(item_errors, ActionItem, "responsible", item.get("responsible"), required=True),
            "due_on": item.get("due_on"),
        }
        if row["due_on"] is not None and held_on is not None and row["due_on"] < held_on:
            item_errors.setdefault("due_on", []).append(_("完成时限不能早于会议召开日期。"))
        for messages in item_errors.values():
            for message in messages:
                errors.setdefault("action_items", []).append(
                    _("第 %(position)s 项督办事项：%(message)s") % {"position": position, "message": message}
                )
        if item.get("id"):
            row["id"] = item["id"]
        cleaned.append(row)
    return cleaned


def _shown(model, name: str, value: Any) -> str:
    """A value as people read it on the page (choices by their label, dates as ISO, empty as "")."""
    field = model._meta.get_field(name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _diff(model, obj, values: dict[str, Any]) -> list[dict[str, str]]:
    """The changes `values` would make to `obj`, for the history (STYLE.md rule 4)."""
    changes = []
    for name, value in values.items():
        old = getattr(obj, name) if obj is not None else None
        if obj is None or old != value:
            changes.append(
                {
                    "field": name,
                    "label": str(model._meta.get_field(name).verbose_name),
                    "from": _shown(model, name, old),
                    "to": _shown(model, name, value),
                }
            )
    return changes


def _event(
    *, meeting: Meeting, kind: str, actor, changes: list[dict[str, str]], item: ActionItem | None = None
) -> None:
    MeetingEvent.objects.create(meeting=meeting, item=item, kind=kind, actor=actor, changes=changes)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError({field: [ValidationError(m, code="invalid") for m in ms] for field, ms in errors.items()})


@transaction.atomic
def meeting_record(
    *,
    actor,
    region: Region,
    kind: str,
    held_on: date | None,
    title: str,
    chair: str = "",
    attendees: str,
    minutes: str,
    decisions: str = "",
    action_items: list[dict[str, Any]] | None = None,
) -> Meeting:
    """Record a meeting that was held, with its follow-up items, in one transaction: either all of it is
    saved or nothing is (domain.md §4 mechanism 1: "meets ≥ 2 times a year … decides measures";
    §1.3 T-9 and §10.1: the quarterly liaison meeting).

    The region is a town or a county in the actor's MANAGE_GOVERNANCE reach; the date is not in the
    future; title, attendees and minutes are required; each item needs a description and who is
    responsible. An actor who may record nowhere gets ActionNotAllowed."""
    reach = user_reach(actor, Capability.MANAGE_GOVERNANCE)
    if not reach:
        raise ActionNotAllowed
    errors: dict[str, list[str]] = {}
    if region is None:
        errors["region"] = [_("请选择召开会议的乡镇（街道）或区县。")]
    elif region.level not in GOVERNANCE_LEVELS:
        errors["region"] = [_("工作会议记在乡镇（街道）或区县，不记在村（社区）或网格。")]
    elif not region.is_active or not reach.covers(region.path):
        errors["region"] = [_("您无权为该区划记录工作会议。")]
    fields = _clean_meeting(
        errors,
        kind=kind,
        held_on=held_on,
        title=title,
        chair=chair,
        attendees=attendees,
        minutes=minutes,
        decisions=decisions,
    )
    items = _clean_action_items(errors, action_items or [], held_on)
    _raise_if(errors)
    now = timezone.now()
    meeting = Meeting.objects.create(region=region, recorded_by=actor, recorded_at=now, updated_at=now, **fields)
    _event(meeting=meeting, kind=MeetingEvent.Kind.RECORDED, actor=actor, changes=_diff(Meeting, None, fields))
    for row in items:
        values = {k: v for k, v in row.items() if k != "id"}
        item = ActionItem.objects.create(meeting=meeting, **values)
        _event(
            meeting=meeting,
            item=item,
            kind=MeetingEvent.Kind.ITEM_ADDED,
            actor=actor,
            changes=_diff(ActionItem, None, values),
        )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    held_on: date | None,
    title: str,
    chair: str = "",
    attendees: str,
    minutes: str,
    decisions: str = "",
    action_items: list[dict[str, Any]] | None = None,
) -> Meeting:
    """Correct a meeting record and its follow-up items (same rules as meeting_record, domain.md §4
    mechanism 1 / §1.3 T-9). The region stays: a meeting of one town is never moved to another.

    `action_items`: a dict with an "id" changes that item of this meeting (description, responsible,
    deadline); one without adds an item. Items not listed are left as they are: an item is withdrawn by
    marking it DROPPED (action_item_update), so what a meeting decided is never silently erased."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("region").get(pk=meeting.pk)
    if not meeting_may_manage(user=actor, meeting=meeting):
        raise ActionNotAllowed
    errors: dict[str, list[str]] = {}
    fields = _clean_meeting(
        errors,
        kind=kind,
        held_on=held_on,
        title=title,
        chair=chair,
        attendees=attendees,
        minutes=minutes,
        decisions=decisions,
    )
    items = _clean_action_items(errors, action_items or [], held_on)
    existing = {item.pk: item for item in meeting.action_items.select_for_update().order_by("pk")}
    if any(item.get("id") and item["id"] not in existing for item in items):
        errors.setdefault("action_items", []).append(_("督办事项不属于本次会议。"))
    listed = {row.get("id") for row in items}
    if held_on is not None and any(
        item.due_on is not None and item.due_on < held_on for pk, item in existing.items() if pk not in listed
    ):
        errors.setdefault("held_on", []).append(_("召开日期不能晚于已有督办事项的完成时限。"))
    _raise_if(errors)
    changes = _diff(Meeting, meeting, fields)
    if changes:
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.updated_at = timezone.now()
        meeting.save(update_fields=[*fields, "updated_at"])
        _event(meeting=meeting, kind=MeetingEvent.Kind.UPDATED, actor=actor, changes=changes)
    for row in items:
        values = {k: row[k] for k in ACTION_ITEM_FIELDS}
        if row.get("id"):
            item = existing[row["id"]]
            item_changes = _diff(ActionItem, item, values)
            if not item_changes:
                continue
            for name, value in values.items():
                setattr(item, name, value)
            item.save(update_fields=list(ACTION_ITEM_FIELDS))
            _event(meeting=meeting, item=item, kind=MeetingEvent.Kind.ITEM_CHANGED, actor=actor, changes=item_changes)
        else:
            item = ActionItem.objects.create(meeting=meeting, **values)
            _event(
                meeting=meeting,
                item=item,
                kind=MeetingEvent.Kind.ITEM_ADDED,
                actor=actor,
                changes=_diff(ActionItem, None, values),
            )
    return meeting


@transaction.atomic
def action_item_update(
    *, actor, item: ActionItem, status: str, done_on: date | None = None, note: str = ""
) -> ActionItem:
    """Record how a follow-up item decided at a meeting stands (督办, domain.md §4 mechanism 1: the group
    "decides measures"; mechanism 7: supervision that the work is done).

    DONE needs the date it was done (not in the future, not before the meeting); DROPPED needs a note
    saying why; back to OPEN clears the date. The row is locked while it changes."""
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("meeting__region").get(pk=item.pk)
    if not meeting_may_manage(user=actor, meeting=item.meeting):
        raise ActionNotAllowed
    errors: dict[str, list[str]] = {}
    if status not in ActionItem.Status.values:
        errors["status"] = [_("请选择办理状态。")]
    note = _clean_text(errors, ActionItem, "note", note, required=False)
    if status == ActionItem.Status.DONE:
        if done_on is None:
            errors.setdefault("done_on", []).append(_("标记为已完成时请填写完成日期。"))
        elif done_on > timezone.localdate():
            errors.setdefault("done_on", []).append(_("完成日期不能晚于今天。"))
        elif done_on < item.meeting.held_on:
            errors.setdefault("done_on", []).append(_("完成日期不能早于会议召开日期。"))
    else:
        done_on = None
    if status == ActionItem.Status.DROPPED and not note:
        errors.setdefault("note", []).append(_("撤销督办事项时请在办理情况中说明原因。"))
    _raise_if(errors)
    values = {"status": status, "done_on": done_on, "note": note}
    changes = _diff(ActionItem, item, values)
    if not changes:
        return item
    item.status = status
    item.done_on = done_on
    item.note = note
    item.save(update_fields=["status", "done_on", "note"])
    _event(meeting=item.meeting, item=item, kind=MeetingEvent.Kind.ITEM_STATUS, actor=actor, changes=changes)
    Meeting.objects.filter(pk=item.meeting_id).update(updated_at=timezone.now())
    return item


def meeting_items_escalate(*, today: date | None = None) -> dict[str, int]:
    """Daily: a follow-up item decided at a meeting and still open after its deadline is raised as an alert
    (督办, domain.md §4 mechanism 7: supervision that decisions are carried out) — to the town's office head
    and leader for a town's meeting, to the district civil-affairs bureau for the district's own. One alert
    per item and deadline (a new deadline is a new alert); it resolves when the item is done or dropped."""
    from django.db.models import Q
    from django.urls import reverse

    from cases.alerts.rules import AlertRule
    from cases.alerts.services import AlertCandidate, alerts_sync

    today = today or timezone.localdate()
    overdue = ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_on__lt=today).select_related(
        "meeting__region"
    )
    by_level: dict[str, list[AlertCandidate]] = {Level.TOWN: [], Level.COUNTY: []}
    for item in overdue:
        region = item.meeting.region
        if region.level not in by_level:
            continue
        by_level[region.level].append(
            AlertCandidate(
                subject_key=f"action_item:{item.pk}",
                period_key=item.due_on.isoformat(),
                region_id=region.pk,
                region_path=region.path,
                message=_("会议督办事项逾期：%(item)s（%(who)s，时限 %(due)s）")
                % {"item": item.description, "who": item.responsible, "due": item.due_on.isoformat()},
                url=reverse("governance_detail", args=[item.meeting_id]),
            )
        )
    counts = {}
    for level, rule in (
        (Level.TOWN, AlertRule.MEETING_ITEM_OVERDUE_TOWN),
        (Level.COUNTY, AlertRule.MEETING_ITEM_OVERDUE_COUNTY),
    ):
        result = alerts_sync(
            rule=rule,
            candidates=by_level[level],
            resolve_scope=Q(),
        )
        counts[level] = result["created"]
    return counts

"""Writes to the registry of at-risk minors (STYLE.md rules 1, 4, 7).

Every function here is the only way its change happens: it validates, checks the actor's reach in
the administrative tree, writes in one transaction and records a MinorEvent for each change.
Rules come from domain.md: categories §2.2 (multi-valued), age limit §10.3 (under 18), unregistered
minors §2.2 UNREGISTERED (no ID number, with a reason), baseline population §2.2 rule / §12.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.hooks import minor_changed
from cases.models import (
    GUARDIAN_FLAGS,
    AccessLog,
    BaselinePopulation,
    Category,
    ClosedReason,
    Gender,
    Guardian,
    GuardianRelation,
    Minor,
    MinorCategory,
    MinorEvent,
    MinorStatus,
    NoIdReason,
)
from cases.registry.identity import age_on, normalise_id_number, normalise_phone, parse_id_number, validate_phone
from cases.registry.romanisation import name_romanisation
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach

MINOR_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "no_id_reason",
    "no_id_note",
    "hukou_type",
    "hukou_place",
    "hukou_in_district",
    "address",
    "villager_group",
    "education_status",
    "school_name",
    "orphan_care_setting",
)
GUARDIAN_FIELDS = ("relation", "name", "phone", "id_number", "lives_with_minor", *GUARDIAN_FLAGS, "situation_note")
_GUARDIAN_DEFAULTS: dict[str, Any] = {
    "phone": "",
    "id_number": "",
    "lives_with_minor": True,
    "situation_note": "",
    **{flag: False for flag in GUARDIAN_FLAGS},
}
_MINOR_DEFAULTS: dict[str, Any] = {
    "id_number": None,
    "no_id_reason": "",
    "no_id_note": "",
    "hukou_type": "",
    "hukou_place": "",
    "hukou_in_district": True,
    "address": "",
    "villager_group": "",
    "education_status": "",
    "school_name": "",
    "orphan_care_setting": "",
}


class DuplicateIdNumber(ValidationError):
    """The ID number is registered already. `existing` is set only when the actor may see that record."""

    def __init__(self, message: str, existing: Minor | None):
        super().__init__({"id_number": [ValidationError(message, code="duplicate_id_number")]})
        self.existing = existing


class PossibleDuplicate(ValidationError):
    """Same name and birth date as a registered minor; saving needs an explicit confirmation."""

    def __init__(self, message: str, visible_matches: list[Minor]):
        super().__init__({"confirm_possible_duplicate": [ValidationError(message, code="possible_duplicate")]})
        self.visible_matches = visible_matches


def _not_allowed() -> ActionNotAllowed:
    """The actor can see the record but may not change it (e.g. a town leader, read-only)."""
    return ActionNotAllowed(_("您的岗位无权修改该档案。"))


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    note: str = ""


# --- helpers -------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _may_change(actor, region: Region) -> bool:
    return (
        _is_system(actor)
        or user_reach(actor, Capability.CHANGE_RECORDS).covers(region.path)
        or (bool(_event_source.get()) and user_reach(actor, Capability.IMPORT_LEDGER).covers(region.path))
    )


# Set while a ledger import (cases.imports) changes records: every event it writes names the file, and the
# importer's IMPORT_LEDGER right counts as the right to change (the county may import, issue 12 §1).
_event_source: ContextVar[str] = ContextVar("registry_event_source", default="")


@contextmanager
def registry_source(source: str):
    """Within this block, registry changes are made on behalf of `source` (e.g. "导入 台账.xlsx")."""
    token = _event_source.set(source)
    try:
        yield
    finally:
        _event_source.reset(token)


def _is_system(actor) -> bool:
    """The account scheduled jobs act as (tiers.services.system_actor): it cannot log in."""
    from tiers.services import SYSTEM_USERNAME

    return actor.get_username() == SYSTEM_USERNAME and not actor.is_active and not actor.has_usable_password()


def _may_view_minor(actor, minor: Minor) -> bool:
    """Whether a duplicate found may be named to the actor: the one "may see this child" rule (a sealed
    record only for VIEW_SEALED holders; cases.registry.selectors.minor_visible)."""
    from cases.registry.selectors import minor_visible

    return minor_visible(user=actor, minor=minor)


def _clean_minor_data(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {**_MINOR_DEFAULTS, **{k: v for k, v in data.items() if k in MINOR_FIELDS}}
    for key in ("name", "no_id_note", "hukou_place", "address", "villager_group", "school_name"):
        cleaned[key] = (cleaned.get(key) or "").strip()
    raw_id = cleaned.get("id_number")
    cleaned["id_number"] = normalise_id_number(raw_id) if raw_id else None
    if cleaned["id_number"]:
        cleaned["no_id_reason"] = ""
        cleaned["no_id_note"] = ""
    return cleaned


def _validate_minor(
    *,
    actor,
    data: dict[str, Any],
    categories: list[CategoryChoice],
    exclude_pk: int | None,
    known_categories: dict[str, Category] | None = None,
) -> list[Category]:
    """The registration form's rules for one record. `known_categories` (active categories by code) lets
    a caller checking many records at once (the ledger import) skip the query."""
    errors: dict[str, list] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if not data.get("name"):
        add("name", _("请填写姓名。"), "required")
    elif len(data["name"]) > 50:
        add("name", _("姓名最长50个字。"), "max_length")
    if data.get("gender") not in Gender.values:
        add("gender", _("请选择性别。"), "required")
    birth = data.get("birth_date")
    today = _today()
    if not isinstance(birth, date):
        add("birth_date", _("请填写出生日期。"), "required")
    elif birth > today:
        add("birth_date", _("出生日期不能晚于今天。"), "future")
    elif age_on(birth, today) >= settings.MINOR_AGE_LIMIT:
        add(
            "birth_date",
            _("已满%(n)d周岁，不属于未成年人，不能登记。") % {"n": settings.MINOR_AGE_LIMIT},
            "not_a_minor",
        )

    if data.get("id_number"):
        try:
            number, id_birth, id_gender = parse_id_number(data["id_number"])
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.error_list)
        else:
            data["id_number"] = number
            if isinstance(birth, date) and id_birth != birth:
                add(
                    "id_number",
                    _("身份证号码中的出生日期（%(id)s）与填写的出生日期（%(form)s）不一致。")
                    % {"id": id_birth.isoformat(), "form": birth.isoformat()},
                    "birth_date_mismatch",
                )
            if data.get("gender") in Gender.values and id_gender != data["gender"]:
                add(
                    "id_number",
                    _("身份证号码第17位表示性别为“%(id)s”，与填写的性别不一致。") % {"id": Gender(id_gender).label},
                    "gender_mismatch",
                )
    else:
        if data.get("no_id_reason") not in NoIdReason.values:
            add("no_id_reason", _("没有身份证号码时，请选择原因（如无户籍）。"), "required")
        elif data["no_id_reason"] == NoIdReason.OTHER and not data.get("no_id_note"):
            add("no_id_note", _("原因为“其他”时请填写说明。"), "required")

    chosen: list[Category] = []
    if not categories:
        add("categories", _("请至少选择一个困境类别。"), "required")
    else:
        codes = [choice.code for choice in categories]
        if known_categories is not None:
            by_code = {code: known_categories[code] for code in codes if code in known_categories}
        else:
            by_code = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True)}
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            add("categories", _("未知的类别代码：%(codes)s。") % {"codes": "、".join(unknown)}, "invalid_choice")
        if len(set(codes)) != len(codes):
            add("categories", _("类别重复。"), "duplicate")
        for choice in categories:
            category = by_code.get(choice.code)
            if category is not None and category.requires_note and not choice.note.strip():
                add("categories", _("类别“%(name)s”须填写说明。") % {"name": category.name}, "note_required")
        chosen = [by_code[code] for code in codes if code in by_code]
        if data.get("orphan_care_setting") and "ORPHAN" not in by_code:
            add("orphan_care_setting", _("只有孤儿需要填写供养方式。"), "not_orphan")

    if errors:
        raise ValidationError(errors)
    return chosen


def _validate_guardians(guardians: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned_list = []
    errors: list[str] = []
    for index, raw in enumerate(guardians, start=1):
        item = {**_GUARDIAN_DEFAULTS, **{k: v for k, v in raw.items() if k in (*GUARDIAN_FIELDS, "id")}}
        item["name"] = (item.get("name") or "").strip()
        item["phone"] = normalise_phone(item.get("phone") or "")
        item["id_number"] = normalise_id_number(item.get("id_number") or "")
        item["situation_note"] = (item.get("situation_note") or "").strip()
        prefix = _("第%(n)d位监护人：") % {"n": index}
        if item.get("relation") not in GuardianRelation.values:
            errors.append(prefix + _("请选择与未成年人的关系。"))
        if not item["name"]:
            errors.append(prefix + _("请填写姓名。"))
        if item["phone"]:
            try:
                validate_phone(item["phone"])
            except ValidationError as exc:
                errors.append(prefix + exc.messages[0])
        if item["id_number"]:
            try:
                item["id_number"], _birth, _gender = parse_id_number(item["id_number"])
            except ValidationError as exc:
                errors.append(prefix + exc.messages[0])
        if item.get("other_situation") and not item["situation_note"]:
            errors.append(prefix + _("勾选“其他情况”时请填写情况说明。"))
        cleaned_list.append(item)
    if errors:
        raise ValidationError({"guardians": [ValidationError(message, code="invalid") for message in errors]})
    return cleaned_list


def _check_duplicates(*, actor, data: dict[str, Any], exclude_pk: int | None, confirmed: bool) -> None:
    others = Minor.objects.exclude(pk=exclude_pk) if exclude_pk else Minor.objects.all()
    if data.get("id_number"):
        existing = others.select_related("region").filter(id_number=data["id_number"]).first()
        if existing is not None:
            _raise_duplicate_id(actor=actor, existing=existing)
    if confirmed:
        return
    matches = list(
        others.select_related("region").filter(name=data["name"], birth_date=data["birth_date"]).order_by("pk")
    )
    if matches:
        # Refusing reveals that such a record exists: a search of each, like a duplicate ID number.
        for match in matches:
            _log_revealed(actor=actor, minor=match, detail={"possible_duplicate": True})
        visible = [m for m in matches if _may_view_minor(actor, m)]
        if visible:
            message = _(
                "已有同名且出生日期相同的未成年人：%(who)s。请核实是否重复登记；确认不是同一人后勾选“确认不是重复登记”再保存。"
            ) % {"who": "、".join(f"{m.name}（{m.region.name}）" for m in visible)}
        else:
            message = _(
                "其他地区已有同名且出生日期相同的登记。请先联系乡镇（街道）民政办核实；确认不是同一人后勾选“确认不是重复登记”再保存。"
            )
        raise PossibleDuplicate(message, visible)


def _log_revealed(*, actor, minor: Minor, detail: dict) -> None:
    """A check that reveals a record is a search of it by the actor: noted for the request's access log
    (written whatever the response), or written at once outside a request."""
    from cases.accesslog.services import access_log_record, access_note_search

    if not access_note_search(minor.pk):
        access_log_record(
            user=actor, action=AccessLog.Action.SEARCH, channel=AccessLog.Channel.SYSTEM, minor=minor, detail=detail
        )


def _raise_duplicate_id(*, actor, existing: Minor) -> None:
    # The refusal reveals that the record exists (by name, or "registered elsewhere"): a search of it by the
    # actor, in the access log whatever the response (issue 10 §11; domain.md §13 "audit logs").
    _log_revealed(actor=actor, minor=existing, detail={"duplicate_id_number": True})
    if _may_view_minor(actor, existing):
        raise DuplicateIdNumber(
            _("该身份证号码已登记：%(name)s（%(place)s）。") % {"name": existing.name, "place": existing.region.name},
            existing,
        )
    raise DuplicateIdNumber(_("该身份证号码已在其他地区登记，请联系乡镇（街道）民政办。"), None)


def _event(*, minor: Minor, kind: str, actor, changes: list[dict] | None = None, note: str = "") -> MinorEvent:
    source = _event_source.get()
    if source:
        note = f"{note}（{source}）" if note else source
    return MinorEvent.objects.create(minor=minor, kind=kind, actor=actor, changes=changes or [], note=note)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Region):
        return value.name
    return value


def _diff(old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...]) -> list[dict]:
    return [
        {"field": field, "from": _jsonable(old.get(field)), "to": _jsonable(new.get(field))}
        for field in fields
        if (old.get(field) or None) != (new.get(field) or None)
    ]


def _apply_categories(*, minor: Minor, actor, chosen: list[Category], choices: list[CategoryChoice]) -> None:
    notes = {choice.code: choice.note.strip() for choice in choices}
    current = {link.category.code: link for link in minor.category_links.select_related("category")}
    wanted = {category.code: category for category in chosen}
    for code, link in current.items():
        if code not in wanted:
            link.delete()
            _event(
                minor=minor,
                kind=MinorEvent.Kind.CATEGORY_REMOVED,
                actor=actor,
                changes=[{"field": "category", "from": code, "to": None}],
            )
        elif link.note != notes.get(code, ""):
            old_note = link.note
            link.note = notes.get(code, "")
            link.save(update_fields=["note"])
            _event(
                minor=minor,
                kind=MinorEvent.Kind.CATEGORY_ADDED,
                actor=actor,
                changes=[{"field": "category_note", "from": old_note, "to": link.note}],
                note=code,
            )
    for code, category in wanted.items():
        if code not in current:
            MinorCategory.objects.create(minor=minor, category=category, note=notes.get(code, ""))
            _event(
                minor=minor,
                kind=MinorEvent.Kind.CATEGORY_ADDED,
                actor=actor,
                changes=[{"field": "category", "from": None, "to": code}],
                note=notes.get(code, ""),
            )


def _apply_guardians(*, minor: Minor, actor, guardians: list[dict[str, Any]]) -> None:
    existing = {g.pk: g for g in minor.guardians.all()}
    kept: set[int] = set()
    for order, item in enumerate(guardians):
        guardian_id = item.get("id")
        values = {field: item[field] for field in GUARDIAN_FIELDS}
        if guardian_id:
            guardian = existing.get(int(guardian_id))
            if guardian is None:
                raise ValidationError(
                    {"guardians": [ValidationError(_("监护人记录不存在或不属于该未成年人。"), code="invalid")]}
                )
            kept.add(guardian.pk)
            old = {field: getattr(guardian, field) for field in GUARDIAN_FIELDS}
            changes = _diff(old, values, GUARDIAN_FIELDS)
            if changes or guardian.sort_order != order:
                for field, value in values.items():
                    setattr(guardian, field, value)
                guardian.sort_order = order
                guardian.save()
            if changes:
                _event(
                    minor=minor,
                    kind=MinorEvent.Kind.GUARDIAN_CHANGED,
                    actor=actor,
                    changes=changes,
                    note=f"{guardian.get_relation_display()} {guardian.name}",
                )
        else:
            guardian = Guardian.objects.create(minor=minor, sort_order=order, **values)
            kept.add(guardian.pk)
            _event(
                minor=minor,
                kind=MinorEvent.Kind.GUARDIAN_ADDED,
                actor=actor,
                changes=[
                    {"field": f, "from": None, "to": _jsonable(v)}
                    for f, v in values.items()
                    if v not in ("", False, None)
                ],
                note=f"{guardian.get_relation_display()} {guardian.name}",
            )
    for pk, guardian in existing.items():
        if pk not in kept:
            _event(
                minor=minor,
                kind=MinorEvent.Kind.GUARDIAN_REMOVED,
                actor=actor,
                changes=[{"field": "name", "from": guardian.name, "to": None}],
                note=f"{guardian.get_relation_display()} {guardian.name}",
            )
            guardian.delete()


# --- services ------------------------------------------------------------------------------------


def minor_register(
    *,
    actor,
    region: Region,
    data: dict[str, Any],
    guardians: list[dict[str, Any]],
    categories: list[CategoryChoice],
    confirm_possible_duplicate: bool = False,
) -> Minor:
    """Register an at-risk minor with guardians and categories, all in one transaction.

    The region must be a village or grid in the actor's reach. An ID number is registered once; a
    duplicate is named only to a user who may see the existing record. Same name and birth date is
    a possible duplicate that the actor must confirm (domain.md §2.2; §13 privacy)."""
    if region.level not in (Level.VILLAGE, Level.GRID):
        raise ValidationError({"region": [ValidationError(_("请选择村（社区）或网格。"), code="invalid_level")]})
    if not _may_change(actor, region):
        raise ValidationError({"region": [ValidationError(_("您无权在该地区登记未成年人。"), code="out_of_reach")]})
    data = _clean_minor_data(data)
    chosen = _validate_minor(actor=actor, data=data, categories=categories, exclude_pk=None)
    guardians = _validate_guardians(guardians)
    if any(item.get("id") for item in guardians):
        raise ValidationError({"guardians": [ValidationError(_("新登记时不能引用已有监护人。"), code="invalid")]})
    _check_duplicates(actor=actor, data=data, exclude_pk=None, confirmed=confirm_possible_duplicate)
    pinyin, initials = name_romanisation(data["name"])
    try:
        with transaction.atomic():
            minor = Minor.objects.create(
                **data, region=region, name_pinyin=pinyin, name_initials=initials, created_by=actor
            )
            _event(
                minor=minor,
                kind=MinorEvent.Kind.REGISTERED,
                actor=actor,
                changes=[{"field": "region", "from": None, "to": region.name}],
            )
            _apply_categories(minor=minor, actor=actor, chosen=chosen, choices=categories)
            _apply_guardians(minor=minor, actor=actor, guardians=guardians)
            minor_changed(minor.pk)
    except IntegrityError:
        # Two people registered the same ID number at once; the unique constraint kept one.
        existing = Minor.objects.select_related("region").filter(id_number=data.get("id_number")).first()
        if existing is None:
            raise
        _raise_duplicate_id(actor=actor, existing=existing)
    return minor


def minor_update(
    *,
    actor,
    minor: Minor,
    data: dict[str, Any],
    guardians: list[dict[str, Any]],
    categories: list[CategoryChoice],
    confirm_possible_duplicate: bool = False,
) -> Minor:
    """Change a minor's record, guardians and categories together; one event per kind of change.
    The place of residence changes only through `minor_move`, so the hand-over is explicit."""
    if not _may_change(actor, minor.region):
        raise _not_allowed()
    data = _clean_minor_data(data)
    chosen = _validate_minor(actor=actor, data=data, categories=categories, exclude_pk=minor.pk)
    guardians = _validate_guardians(guardians)
    identity_changed = (data["name"], data["birth_date"]) != (minor.name, minor.birth_date)
    _check_duplicates(
        actor=actor, data=data, exclude_pk=minor.pk, confirmed=confirm_possible_duplicate or not identity_changed
    )
    try:
        with transaction.atomic():
            locked = Minor.objects.select_for_update().get(pk=minor.pk)
            old = {field: getattr(locked, field) for field in MINOR_FIELDS}
            changes = _diff(old, data, MINOR_FIELDS)
            if changes:
                for field in MINOR_FIELDS:
                    setattr(locked, field, data[field])
                locked.name_pinyin, locked.name_initials = name_romanisation(locked.name)
            locked.updated_at = timezone.now()
            locked.save()
            if changes:
                _event(minor=locked, kind=MinorEvent.Kind.UPDATED, actor=actor, changes=changes)
            _apply_categories(minor=locked, actor=actor, chosen=chosen, choices=categories)
            _apply_guardians(minor=locked, actor=actor, guardians=guardians)
            minor_changed(locked.pk)
    except IntegrityError:
        existing = (
            Minor.objects.select_related("region").filter(id_number=data.get("id_number")).exclude(pk=minor.pk).first()
        )
        if existing is None:
            raise
        _raise_duplicate_id(actor=actor, existing=existing)
    return locked


@transaction.atomic
def minor_move(*, actor, minor: Minor, region: Region, note: str = "") -> Minor:
    """Move a minor to another village or grid of the same county. The history stays with the record and
    everything scoped by the child's place is handed over in this transaction — alerts, notifications, the
    visit plan, the open case's owner and measures, the partner departments' referrals — so from now on the
    new village's staff hold it and the old village's and town's see nothing of it (domain.md §1.3 T-5;
    issue 10 §5; cases.privacy.moves.services.minor_hand_over says what exactly). A village of another
    county needs that county's acceptance: use move_request_create (this refuses with "needs_acceptance")."""
    from cases.privacy.moves.services import is_cross_county, minor_hand_over, move_destination_check

    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    move_destination_check(minor=locked, region=region)
    if is_cross_county(minor=locked, region=region):
        raise ValidationError(
            {"region": [ValidationError(_("迁往其他区县须经迁入地区县民政部门接收。"), code="needs_acceptance")]}
        )
    from cases.models.privacy import MoveRequest, MoveRequestStatus

    if MoveRequest.objects.filter(minor=locked, status=MoveRequestStatus.PENDING).exists():
        raise ValidationError(
            {"region": [ValidationError(_("该档案有待接收的跨区县迁移申请，请先撤回。"), code="pending_request")]}
        )
    return minor_hand_over(actor=actor, minor=locked, region=region, note=note)


@transaction.atomic
def minor_close(*, actor, minor: Minor, reason: str, note: str = "") -> Minor:
    """Close a record with a reason: aged out, moved away, deceased, no longer at risk, duplicate."""
    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    if reason not in ClosedReason.values:
        raise ValidationError({"reason": [ValidationError(_("请选择销档原因。"), code="required")]})
    if locked.status == MinorStatus.CLOSED:
        raise ValidationError({"reason": [ValidationError(_("该档案已销档。"), code="already_closed")]})
    locked.status = MinorStatus.CLOSED
    locked.closed_reason = reason
    locked.closed_at = timezone.now()
    locked.updated_at = locked.closed_at
    locked.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
    _event(
        minor=locked,
        kind=MinorEvent.Kind.CLOSED,
        actor=actor,
        changes=[
            {"field": "status", "from": MinorStatus.ACTIVE, "to": MinorStatus.CLOSED},
            {"field": "closed_reason", "from": None, "to": reason},
        ],
        note=note.strip(),
    )
    _tell_open_case(locked)
    return locked


def _tell_open_case(minor: Minor) -> None:
    """A closed record may still have an open case: its owner and the town office are asked to request
    the case's closure (closing a case needs its own assessment and approval, so it is not closed here)."""
    from django.urls import reverse

    from cases.alerts.services import notify, recipients_for
    from cases.models import Case, CaseStage
    from tiers.roles import Role

    case = Case.objects.filter(minor=minor).exclude(stage=CaseStage.CLOSED).first()
    if case is None:
        return
    path = minor.region.path
    users = recipients_for(region_paths=[path], roles=[Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD])[path]
    if case.owner_id:
        users.add(case.owner_id)
    notify(
        user_ids=users,
        title=_("%(name)s的档案已销档（%(reason)s），其个案仍在办理，请评估后申请结案")
        % {"name": minor.name, "reason": minor.get_closed_reason_display()},
        url=reverse("case_detail", args=[case.pk]),
        minor=minor,
    )


@transaction.atomic
def minor_reopen(*, actor, minor: Minor, note: str) -> Minor:
    """Put a closed record back in the active ledger; the reason is required and kept in the history."""
    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not _may_change(actor, locked.region):
        raise _not_allowed()
    if locked.status != MinorStatus.CLOSED:
        raise ValidationError({"note": [ValidationError(_("该档案在册，无需恢复。"), code="not_closed")]})
    if not note.strip():
        raise ValidationError({"note": [ValidationError(_("请填写恢复在册的原因。"), code="required")]})
    if age_on(locked.birth_date, _today()) >= settings.MINOR_AGE_LIMIT:
        raise ValidationError({"note": [ValidationError(_("已满18周岁，不能恢复在册。"), code="not_a_minor")]})
    old_reason = locked.closed_reason
    locked.status = MinorStatus.ACTIVE
    locked.closed_reason = ""
    locked.closed_at = None
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
    _event(
        minor=locked,
        kind=MinorEvent.Kind.REOPENED,
        actor=actor,
        changes=[
            {"field": "status", "from": MinorStatus.CLOSED, "to": MinorStatus.ACTIVE},
            {"field": "closed_reason", "from": old_reason, "to": None},
        ],
        note=note.strip(),
    )
    return locked


@transaction.atomic
def baseline_record(*, actor, region: Region, as_of: date, minor_count: int, note: str = "") -> BaselinePopulation:
    """Record a village's count of all minors (底数) on a date; a second figure for the same date
    replaces the first (domain.md §2.2 rule: ordinary minors are registered only in aggregate)."""
    if region.level != Level.VILLAGE:
        raise ValidationError({"region": [ValidationError(_("底数按村（社区）填报。"), code="invalid_level")]})
    if not user_reach(actor, Capability.RECORD_BASELINE).covers(region.path):
        raise ActionNotAllowed
    if as_of > _today():
        raise ValidationError({"as_of": [ValidationError(_("统计日期不能晚于今天。"), code="future")]})
    if minor_count is None or minor_count < 0:
        raise ValidationError({"minor_count": [ValidationError(_("请填写不小于0的人数。"), code="invalid")]})
    baseline, _created = BaselinePopulation.objects.update_or_create(
        region=region,
        as_of=as_of,
        defaults={
            "minor_count": minor_count,
            "note": note.strip(),
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    return baseline


def minors_grade_record(*, grades: dict[str, list[int]], at) -> None:
    """`minor_grade_record` for many children at once (a ledger import): {grade: [minor ids]}, one
    UPDATE per grade. Called only by the screening services, after they wrote the GradeChange rows."""
    for grade, minor_ids in grades.items():
        Minor.objects.filter(pk__in=minor_ids).update(risk_grade=grade, risk_grade_since=at, updated_at=at)


def minor_grade_record(*, minor: Minor, grade: str, at=None) -> Minor:
    """Store a minor's current risk grade on the registry row, so the ledger can be filtered by it.

    Called only by the screening services, inside their transaction, after they have validated the
    change and written its GradeChange event (domain.md §3.1: the grade history is kept there)."""
    at = at or timezone.now()
    Minor.objects.filter(pk=minor.pk).update(risk_grade=grade, risk_grade_since=at, updated_at=at)
    minor.risk_grade, minor.risk_grade_since, minor.updated_at = grade, at, at
    return minor

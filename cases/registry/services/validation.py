"""The registration form's rules for a record and its guardians (domain.md §2.2 categories and
UNREGISTERED, §10.3 age limit via cases.registry.rules) and the duplicate checks, which log the records
they reveal as searches by the actor (domain.md §13 "audit logs")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import AccessLog, Category, Gender, GuardianRelation, Minor, NoIdReason
from cases.registry.identity import age_on, normalise_id_number, normalise_phone, parse_id_number, validate_phone
from cases.registry.rules import minor_age_limit
from cases.registry.services.common import (
    _GUARDIAN_DEFAULTS,
    _MINOR_DEFAULTS,
    GUARDIAN_FIELDS,
    MINOR_FIELDS,
    CategoryChoice,
    DuplicateIdNumber,
    PossibleDuplicate,
    _may_view_minor,
    _today,
)


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
    elif age_on(birth, today) >= minor_age_limit():
        add(
            "birth_date",
            _("已满%(n)d周岁，不属于未成年人，不能登记。") % {"n": minor_age_limit()},
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

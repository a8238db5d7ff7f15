"""Registering a minor and changing the record, its guardians and categories together, one event per kind
of change (domain.md §2.2; §13 privacy)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.hooks import minor_changed
from cases.models import Category, Guardian, Minor, MinorCategory, MinorEvent
from cases.registry.romanisation import name_romanisation
from cases.registry.services.common import (
    GUARDIAN_FIELDS,
    MINOR_FIELDS,
    CategoryChoice,
    _diff,
    _event,
    _jsonable,
    _may_change,
    _not_allowed,
)
from cases.registry.services.validation import (
    _check_duplicates,
    _clean_minor_data,
    _raise_duplicate_id,
    _validate_guardians,
    _validate_minor,
)
from tiers.models import Region
from tiers.roles import Level


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

"""Presentation of registry data in templates: places, ages and the readable history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import template
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    ClosedReason,
    EducationStatus,
    Gender,
    Guardian,
    GuardianRelation,
    HukouType,
    Minor,
    MinorEvent,
    MinorStatus,
    NoIdReason,
    OrphanCareSetting,
)
from cases.models.privacy import DataRequestKind, DataRequestStatus
from cases.registry.identity import age_on
from tiers.models import Region
from tiers.roles import Level
from tiers.selectors import region_label

register = template.Library()

# Choice fields whose stored codes the history shows by their labels.
_CHOICES: dict[str, type[models.TextChoices]] = {
    "gender": Gender,
    "no_id_reason": NoIdReason,
    "hukou_type": HukouType,
    "education_status": EducationStatus,
    "orphan_care_setting": OrphanCareSetting,
    "status": MinorStatus,
    "closed_reason": ClosedReason,
    "relation": GuardianRelation,
    "data_request": DataRequestKind,
    "data_request_status": DataRequestStatus,
}
_SPECIAL_LABELS = {
    "data_request": gettext_lazy("更正删除申请"),
    "data_request_status": gettext_lazy("申请决定"),
    "category": gettext_lazy("困境类别"),
    "category_note": gettext_lazy("类别说明"),
    "region": gettext_lazy("现居住地"),
}
_GUARDIAN_KINDS = {MinorEvent.Kind.GUARDIAN_ADDED, MinorEvent.Kind.GUARDIAN_CHANGED, MinorEvent.Kind.GUARDIAN_REMOVED}
EMPTY = "—"


def _loaded_chain(region: Region) -> dict[str, Region]:
    """The ancestors already loaded through select_related (parent, grandparent), by code."""
    chain: dict[str, Region] = {}
    unit = region
    for _depth in range(3):
        if not Region.parent.is_cached(unit) or unit.parent is None:
            break
        unit = unit.parent
        chain[unit.code] = unit
    return chain


@register.filter
def place(region: Region | None) -> str:
    """ "Town · Village · Grid" from a region whose parents came with select_related."""
    if region is None:
        return EMPTY
    return region_label(region, _loaded_chain(region))


@register.filter
def age(birth: date | None) -> str:
    if birth is None:
        return EMPTY
    return _("%(n)d岁") % {"n": age_on(birth, timezone.localdate())}


@register.filter
def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level


@register.filter
def percent_of(part: int | None, whole: int | None) -> str:
    """`part` as a percentage of `whole`, one decimal; empty when the whole is unknown or zero."""
    if part is None or not whole:
        return ""
    return f"{part * 100 / whole:.1f}%"


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventView:
    subject: str
    rows: list[ChangeRow]
    note: str


def _field_label(field: str, guardian: bool) -> str:
    if field in _SPECIAL_LABELS:
        return str(_SPECIAL_LABELS[field])
    model = Guardian if guardian else Minor
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # a field since removed from the model: show its code
        return field


def _value(field: str, value: Any, category_names: dict[str, str]) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field == "category":
        return category_names.get(value, value)
    if field in _CHOICES:
        labels = dict(_CHOICES[field].choices)
        return str(labels.get(value, value))
    return str(value)


@register.simple_tag
def describe_event(event: MinorEvent, category_names: dict[str, str]) -> EventView:
    """One history entry as people read it: field names, and labels instead of stored codes."""
    guardian = event.kind in _GUARDIAN_KINDS
    changes = event.changes or []
    subject = ""
    note = event.note
    if guardian:
        subject, note = event.note, ""
    elif changes and changes[0].get("field") == "category_note":
        # For a changed category note, the event's note holds the category code.
        subject, note = category_names.get(event.note, event.note), ""
    rows = [
        ChangeRow(
            label=_field_label(change.get("field", ""), guardian),
            before=_value(change.get("field", ""), change.get("from"), category_names),
            after=_value(change.get("field", ""), change.get("to"), category_names),
        )
        for change in changes
    ]
    return EventView(subject=subject, rows=rows, note=note)

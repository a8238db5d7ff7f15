"""What the registry's services share: the fields of a record and of a guardian, the errors they raise,
who may change a record (the actor's reach, the scheduled jobs' account, a ledger import), and the
MinorEvent every change leaves with its diff (STYLE.md rules 1, 4, 7)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import GUARDIAN_FLAGS, Minor, MinorEvent
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability
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

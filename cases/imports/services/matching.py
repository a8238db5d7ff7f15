"""Matching rows with registered children and planning what the import does (issue 12 §1): a row is a new
child, a change to one (values the file gives replace, categories and guardians are added), unchanged, or
refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from cases.imports.rules import COLUMNS
from cases.imports.services.normalise import LedgerRow
from cases.imports.services.text import _text, word_key
from cases.models import GUARDIAN_FLAGS, Minor, MinorStatus
from cases.registry.services import GUARDIAN_FIELDS, MINOR_FIELDS, CategoryChoice
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import user_reach


@dataclass
class Plan:
    """What the import does with the rows: counts, new children, changed ones, refusals."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{k: v for k, v in r.items() if k != "values"} for r in self.rejected],
        }


def _reject(plan: Plan, row: LedgerRow) -> None:
    plan.rejected.append(
        {
            "row": row.number,
            "ref": row.ref,
            "errors": [{"field": COLUMNS.get(e.column, e.column), "message": e.message} for e in row.errors],
            "values": [_text(value) for value in row.cells],
        }
    )


def _existing_for(rows: list[LedgerRow]) -> tuple[dict[str, Minor], dict[tuple[str, date], list[Minor]]]:
    ids = [row.data["id_number"] for row in rows if row.data.get("id_number")]
    pairs = {(row.data["name"], row.data["birth_date"]) for row in rows}
    by_id: dict[str, Minor] = {}
    by_pair: dict[tuple[str, date], list[Minor]] = {}
    base = Minor.objects.select_related("region").prefetch_related("category_links__category", "guardians")
    if ids:
        by_id = {m.id_number: m for m in base.filter(id_number__in=ids)}
    if pairs:
        names = {name for name, _birth in pairs}
        births = {birth for _name, birth in pairs}
        for minor in base.filter(name__in=names, birth_date__in=births):
            if (minor.name, minor.birth_date) in pairs:
                by_pair.setdefault((minor.name, minor.birth_date), []).append(minor)
    return by_id, by_pair


def _match(row: LedgerRow, *, actor, town: Region, by_id: dict, by_pair: dict) -> tuple[Minor | None, str | None]:
    """The registered child this row is (match by ID number, or by name + birth date + village), or a
    reason to refuse the row (registered elsewhere; possible duplicate; closed record)."""
    id_number = row.data.get("id_number")
    candidates = by_pair.get((row.data["name"], row.data["birth_date"]), [])
    existing = by_id.get(id_number) if id_number else None
    if existing is None:
        same_village = [
            m for m in candidates if m.region.path.startswith(row.village.path) and (not id_number or not m.id_number)
        ]
        if len(same_village) == 1:
            existing = same_village[0]
        elif candidates:
            visible = [m for m in candidates if user_reach(actor, Capability.VIEW_RECORDS).covers(m.region.path)]
            if visible:
                who = "、".join(f"{m.name}（{m.region.name}）" for m in visible)
                return None, _(
                    "已有同名且出生日期相同的登记：%(who)s。请核实是否同一人；不是同一人的请在登记页面逐个登记。"
                ) % {"who": who}
            return None, _("其他地区已有同名且出生日期相同的登记。请先联系乡镇（街道）民政办核实。")
    if existing is None:
        return None, None
    if not existing.region.path.startswith(town.path):
        if user_reach(actor, Capability.VIEW_RECORDS).covers(existing.region.path):
            return None, _("该身份证号码已登记：%(name)s（%(place)s），不在%(town)s；迁入请在档案页办理。") % {
                "name": existing.name,
                "place": existing.region.name,
                "town": town.name,
            }
        return None, _("该身份证号码已在其他地区登记，请联系乡镇（街道）民政办。")
    if existing.status != MinorStatus.ACTIVE:
        return None, _("该儿童的档案已销档（%(reason)s）；如需恢复在册，请在档案页办理。") % {
            "reason": existing.get_closed_reason_display()
        }
    return existing, None


@dataclass
class Update:
    minor: Minor
    data: dict[str, Any]
    guardians: list[dict[str, Any]]
    categories: list[CategoryChoice]
    region: Region | None
    grade: str


def _merge(existing: Minor, row: LedgerRow) -> Update | None:
    """The record as the file would leave it: values the file gives replace the registry's, empty cells
    keep them; categories and guardians are added, never removed (the ledger may lack what a person
    entered by hand). None when nothing would change."""
    old = {field_name: getattr(existing, field_name) for field_name in MINOR_FIELDS}
    data = dict(old)
    for key, value in row.data.items():
        if key in MINOR_FIELDS and value not in (None, ""):
            data[key] = value
    if data.get("id_number"):
        data["no_id_reason"], data["no_id_note"] = "", ""
    changed = any((old.get(k) or None) != (data.get(k) or None) for k in MINOR_FIELDS)

    links = list(existing.category_links.all())
    have = {link.category.code: link.note for link in links}
    categories = [CategoryChoice(code, note) for code, note in have.items()]
    for choice in row.categories:
        if choice.code not in have:
            categories.append(choice)
            changed = True

    guardians: list[dict[str, Any]] = []
    matched = False
    for guardian in existing.guardians.all():
        item = {"id": guardian.pk, **{f: getattr(guardian, f) for f in GUARDIAN_FIELDS}}
        if row.guardian is not None and not matched and word_key(guardian.name) == word_key(row.guardian["name"]):
            matched = True
            before = dict(item)
            if row.guardian.get("relation"):
                item["relation"] = row.guardian["relation"]
            if row.guardian.get("phone"):
                item["phone"] = row.guardian["phone"]
            if row.guardian.get("situation_given"):
                for flag in GUARDIAN_FLAGS:
                    item[flag] = row.guardian[flag]
                item["lives_with_minor"] = row.guardian["lives_with_minor"]
                if row.guardian.get("situation_note"):
                    item["situation_note"] = row.guardian["situation_note"]
            changed = changed or item != before
        guardians.append(item)
    if row.guardian is not None and not matched:
        guardians.append({k: v for k, v in row.guardian.items() if k in GUARDIAN_FIELDS})
        changed = True

    region = row.region if row.region is not None and row.region.pk != existing.region_id else None
    grade = row.grade if row.grade and row.grade != existing.risk_grade else ""
    if not changed and region is None and not grade:
        return None
    return Update(minor=existing, data=data, guardians=guardians, categories=categories, region=region, grade=grade)

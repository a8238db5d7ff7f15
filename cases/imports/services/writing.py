"""Writing a chunk's accepted rows (issue 12 §1): new children in bulk with the registration's events, changed
ones through minor_update / minor_move, grades as IMPORTED assessments (domain.md §3.1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.hooks import minors_changed_later
from cases.imports.services.matching import Update
from cases.imports.services.normalise import LedgerRow
from cases.models import Category, Guardian, Minor, MinorCategory, MinorEvent
from cases.registry.romanisation import name_romanisation
from cases.registry.services import GUARDIAN_FIELDS, minor_move, minor_update, registry_source


def _write_creates(rows: list[LedgerRow], *, actor, source: str) -> None:
    """The bulk twin of `minor_register` for rows already checked with its rules: the same rows, the
    registration with its categories as one event and the guardian as another, in a few INSERTs a chunk."""
    if not rows:
        return
    now = timezone.now()
    minors = []
    for row in rows:
        pinyin, initials = name_romanisation(row.data["name"])
        minors.append(
            Minor(
                **row.data,
                region=row.region,
                name_pinyin=pinyin,
                name_initials=initials,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
        )
    Minor.objects.bulk_create(minors, batch_size=1000)
    events: list[MinorEvent] = []
    links: list[MinorCategory] = []
    guardians: list[Guardian] = []
    for row, minor in zip(rows, minors, strict=True):
        # One event for the registration and its categories (minor_register writes one per category; at
        # tens of thousands of children the history says the same in half the rows).
        changes = [{"field": "region", "from": None, "to": row.region.name}]
        for choice in row.categories:
            links.append(
                MinorCategory(minor=minor, category_id=_category_id(choice.code), note=choice.note, added_at=now)
            )
            changes.append({"field": "category", "from": None, "to": choice.code})
        events.append(
            MinorEvent(minor=minor, kind=MinorEvent.Kind.REGISTERED, actor=actor, at=now, changes=changes, note=source)
        )
        if row.guardian is not None:
            values = {k: v for k, v in row.guardian.items() if k in GUARDIAN_FIELDS}
            guardians.append(Guardian(minor=minor, sort_order=0, **values))
            events.append(
                MinorEvent(
                    minor=minor,
                    kind=MinorEvent.Kind.GUARDIAN_ADDED,
                    actor=actor,
                    at=now,
                    changes=[
                        {"field": f, "from": None, "to": v} for f, v in values.items() if v not in ("", False, None)
                    ],
                    note=source,
                )
            )
    MinorCategory.objects.bulk_create(links, batch_size=2000)
    Guardian.objects.bulk_create(guardians, batch_size=2000)
    MinorEvent.objects.bulk_create(events, batch_size=2000)
    minors_changed_later([minor.pk for minor in minors])
    graded = [(minor, row.grade) for row, minor in zip(rows, minors, strict=True) if row.grade]
    if graded:
        _record_grades(graded, actor=actor, source=source)


_category_ids: dict[str, int] = {}


def _category_id(code: str) -> int:
    if code not in _category_ids:
        _category_ids.update(Category.objects.values_list("code", "pk"))
    return _category_ids[code]


def _record_grades(graded: list[tuple[Minor, str]], *, actor, source: str) -> None:
    from screening.grading.services import imported_grades_record

    imported_grades_record(actor=actor, grades=graded, source=source)


def _write_updates(updates: list[tuple[LedgerRow, Update]], *, actor, source: str) -> list:
    """Changed children through the registry's own services, so each change is an event as usual."""
    refused = []
    graded: list[tuple[Minor, str]] = []
    with registry_source(source):
        for row, update in updates:
            try:
                with transaction.atomic():
                    minor = minor_update(
                        actor=actor,
                        minor=update.minor,
                        data=update.data,
                        guardians=update.guardians,
                        categories=update.categories,
                        confirm_possible_duplicate=True,
                    )
                    if update.region is not None:
                        minor = minor_move(actor=actor, minor=minor, region=update.region, note=source)
            except ValidationError as exc:
                refused.append((row, exc))
                continue
            if update.grade:
                graded.append((minor, update.grade))
    if graded:
        _record_grades(graded, actor=actor, source=source)
    return refused

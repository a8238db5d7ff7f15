"""Writing a chunk's accepted rows (issue 12 §1): new children in bulk with the registration's events, changed
ones through minor_update / minor_move, grades as IMPORTED assessments (domain.md §3.1)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
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
    events: list[dict] = []
    links: list[dict] = []
    guardians: list[dict] = []
    for row, minor in zip(rows, minors, strict=True):
        # One event for the registration and its categories (minor_register writes one per category; at
        # tens of thousands of children the history says the same in half the rows).
        changes = [{"field": "region", "from": None, "to": row.region.name}]
        for choice in row.categories:
            links.append(
                {"minor_id": minor.pk, "category_id": _category_id(choice.code), "note": choice.note, "added_at": now}
            )
            changes.append({"field": "category", "from": None, "to": choice.code})
        events.append(
            {
                "minor_id": minor.pk,
                "kind": MinorEvent.Kind.REGISTERED,
                "actor_id": actor.pk,
                "at": now,
                "changes": changes,
                "note": source,
            }
        )
        if row.guardian is not None:
            values = {k: v for k, v in row.guardian.items() if k in GUARDIAN_FIELDS}
            guardians.append({"minor_id": minor.pk, "sort_order": 0, **values})
            events.append(
                {
                    "minor_id": minor.pk,
                    "kind": MinorEvent.Kind.GUARDIAN_ADDED,
                    "actor_id": actor.pk,
                    "at": now,
                    "changes": [
                        {"field": f, "from": None, "to": v} for f, v in values.items() if v not in ("", False, None)
                    ],
                    "note": source,
                }
            )
    _insert_rows(MinorCategory, links)
    _insert_rows(Guardian, guardians)
    _insert_rows(MinorEvent, events)
    minors_changed_later([minor.pk for minor in minors])
    graded = [(minor, row.grade) for row, minor in zip(rows, minors, strict=True) if row.grade]
    if graded:
        _record_grades(graded, actor=actor, source=source)


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT many rows given as {attname: value} (missing columns take the field's default). On PostgreSQL
    one COPY per table and chunk: the three tables a new child fills most (category links, guardians,
    events) are most of the import's rows, and building model instances and a parameterised INSERT for
    each was most of the commit's time (bench/ledger_import.py). Elsewhere bulk_create."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(row[name] if name in row else defaults[name]) for name in names))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(quote(model._meta.db_table), ", ".join(quote(n) for n in names))
    with connection.cursor() as cursor:
        cursor.copy_expert(statement, buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return str(value).translate(_COPY_ESCAPES)


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

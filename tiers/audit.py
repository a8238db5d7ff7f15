"""The history of access grants and reference data (issue 10 §7; domain.md §13): who granted what to
whom and which rules were in force, from the events django-pghistory's PostgreSQL triggers write for
every insert, update and delete of a tracked table (also from the admin and queryset .update()).

This module wires the request context (the user, the URL) into those events and turns a run of
snapshot events into from → to changes for the pages. On SQLite (the embedded demo) pghistory
installs no trigger and records nothing, and the middleware stays out of the way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pghistory
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from pghistory.middleware import HistoryMiddleware as _PghistoryMiddleware

ACTION_LABELS = {"insert": _("新增"), "update": _("修改"), "delete": _("删除")}


class HistoryMiddleware(_PghistoryMiddleware):
    """pghistory's middleware (user and URL of every writing request; a DRF token user is picked up
    when DRF sets request.user during authentication), on PostgreSQL only: elsewhere the context
    would prepend PostgreSQL's set_config() to every statement."""

    def __call__(self, request):
        if connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)


def context_user(user) -> None:
    """Name the acting user in the current history context (no-op outside one)."""
    pghistory.context(user=user.pk if user is not None else None)


@dataclass
class HistoryRow:
    """One event as a page shows it: when, who, what happened, and each changed field from → to."""

    at: datetime
    action: str
    label: str
    actor: object | None
    obj_id: int | None
    event: object
    changes: list[dict] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def _value(event, name: str):
    model_field = event._meta.get_field(name)
    value = getattr(event, model_field.attname)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation and value is not None:
        try:  # the related row may be gone: event foreign keys carry no constraint
            related = getattr(event, name)
        except model_field.related_model.DoesNotExist:
            return value
        if hasattr(related, "get_full_name"):
            return related.get_full_name() or related.get_username()
        return str(related)
    return value


def history_rows(
    events: Iterable, *, fields: Iterable[str], obj_field: str = "pgh_obj_id", label=None, previous_of=None
) -> list[HistoryRow]:
    """Turn snapshot events (newest first) into rows with from → to for `fields`.

    pghistory stores the row as it was after an insert or update and before a delete; the change an
    update made is the difference with the same object's previous event, looked up in the same event
    table (or supplied by `previous_of(obj_ids, before)`). An update whose earlier state predates the
    history (rows seeded before tracking began) shows "?" as its former value."""
    events = list(events)
    fields = list(fields)
    by_obj: dict[object, list] = defaultdict(list)
    for event in events:
        by_obj[getattr(event, obj_field)].append(event)
    if events:
        obj_ids = {getattr(e, obj_field) for e in events}
        shown = {e.pgh_id for e in events}
        if previous_of is None:
            model = type(events[0])
            earlier_events = model.objects.filter(**{f"{obj_field}__in": obj_ids}, pgh_id__lt=max(shown)).exclude(
                pgh_id__in=shown
            )
        else:
            earlier_events = previous_of(obj_ids, min(e.pgh_created_at for e in events))
        for earlier in earlier_events:
            by_obj[getattr(earlier, obj_field)].append(earlier)
    for group in by_obj.values():
        group.sort(key=lambda e: (e.pgh_created_at, e.pgh_id))
    user_ids = {(e.pgh_context or {}).get("user") for e in events if isinstance(getattr(e, "pgh_context", None), dict)}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[u for u in user_ids if u])}
    rows = []
    for event in events:
        group = by_obj[getattr(event, obj_field)]
        index = group.index(event)
        before = group[index - 1] if index > 0 else None
        if event.pgh_label == "update" and before is not None:
            changes = [
                {
                    "field": name,
                    "label": event._meta.get_field(name).verbose_name,
                    "from": _value(before, name),
                    "to": _value(event, name),
                }
                for name in fields
                if getattr(before, event._meta.get_field(name).attname)
                != getattr(event, event._meta.get_field(name).attname)
            ]
        elif event.pgh_label == "delete":
            changes = [
                {
                    "field": name,
                    "label": event._meta.get_field(name).verbose_name,
                    "from": _value(event, name),
                    "to": None,
                }
                for name in fields
            ]
        else:
            changes = [
                {
                    "field": name,
                    "label": event._meta.get_field(name).verbose_name,
                    "from": None if event.pgh_label == "insert" else "?",
                    "to": _value(event, name),
                }
                for name in fields
            ]
        context = event.pgh_context if isinstance(getattr(event, "pgh_context", None), dict) else {}
        rows.append(
            HistoryRow(
                at=event.pgh_created_at,
                action=event.pgh_label,
                label=label(event) if label else str(event._meta.verbose_name),
                actor=users.get(context.get("user")),
                obj_id=getattr(event, obj_field),
                event=event,
                changes=changes,
            )
        )
    return rows

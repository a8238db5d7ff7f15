"""The access log: every read and export of minors' records (issue 10 §1; domain.md §13 "audit logs").

Reads are recorded in one place: `AccessLogMiddleware` opens a recorder (cases/accesslog/recorder.py) for
each request, the models note every minor loaded while the request is answered, and the middleware
writes one AccessLog row per minor shown, in one INSERT, once the response is known to succeed (status
below 400: a 404 shows nothing, a form re-shown with errors still shows the child). Exports built in a
worker, outside any request, call `access_log_record_many` themselves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cases.accesslog.recorder import (
    access_kind,
    access_kind_set,
    access_note,
    access_note_many,
    access_note_search,
    access_suspended,
    current_recorder,
    recorder_close,
    recorder_open,
)
from cases.models import AccessLog, Minor

__all__ = [
    "AccessLogMiddleware",
    "AccessLoggedRowsMixin",
    "access_kind",
    "access_kind_set",
    "access_log_record",
    "access_log_record_many",
    "access_note",
    "access_note_search",
    "access_suspended",
]

# Query parameters that make a list request a search (the registry's q, the API's search, an ID prefix).
_SEARCH_PARAMS = ("q", "search", "id_number")


def client_address(request) -> str | None:
    if request is None:
        return None
    proxies = getattr(settings, "MINORPROT_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _request_fields(request) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "user_agent": "", "path": ""}
    return {
        "ip_address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "path": request.get_full_path()[:500],
    }


def _mark_explicit(minor_ids: list[int]) -> None:
    recorder = current_recorder()
    if recorder is not None:
        recorder.explicit.update(minor_ids)


def access_log_record(
    *,
    user,
    action: str,
    channel: str,
    minor: Minor | None = None,
    request=None,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Write one access-log row now (a download, an export); the request's recorder skips that minor."""
    if minor is not None:
        _mark_explicit([minor.pk])
        action, detail = _emergency_kind(user, minor.pk, action, detail)
    return AccessLog.objects.create(
        user=user, minor=minor, action=action, channel=channel, detail=detail or {}, **_request_fields(request)
    )


def _emergency_kind(user, minor_id: int, action: str, detail: dict[str, Any] | None) -> tuple[str, dict | None]:
    """A read under a break-the-glass grant is logged EMERGENCY whoever writes the row (the kind kept)."""
    from cases.privacy.accesslog.emergency import emergency_minor_ids

    if minor_id in emergency_minor_ids(user):
        return AccessLog.Action.EMERGENCY, {**(detail or {}), "kind": action}
    return action, detail


def access_log_record_many(
    *, user, action: str, channel: str, minors: list[Minor], request=None, detail: dict[str, Any] | None = None
) -> None:
    """One access-log row per record shown together (an export), written in one statement."""
    ids = [minor.pk if isinstance(minor, Minor) else int(minor) for minor in minors]
    _mark_explicit(ids)
    fields = _request_fields(request)
    rows = []
    for pk in ids:
        kind, row_detail = _emergency_kind(user, pk, action, detail)
        rows.append(AccessLog(user=user, minor_id=pk, action=kind, channel=channel, detail=row_detail or {}, **fields))
    AccessLog.objects.bulk_create(rows, batch_size=2000)


def _row_minor_ids(rows: list, field: str) -> list[int]:
    if field == "case_id":
        from cases.models import Case

        case_ids = {getattr(row, "case_id", None) for row in rows} - {None}
        if not case_ids:
            return []
        by_case = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "minor_id"))
        return [by_case[row.case_id] for row in rows if row.case_id in by_case]
    return [pk for pk in (getattr(row, field, None) for row in rows) if pk is not None]


class AccessLoggedRowsMixin:
    """For a DRF view whose rows belong to a child but do not load the Minor (a visit, an assessment, an
    intervention): every object serialised for the response notes its child for the request's access log.
    `access_minor_field` is the row's attribute holding the child's id, or "case_id" to find the child
    through the row's case (one query for the page)."""

    access_minor_field = "minor_id"

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None and not isinstance(instance, (dict, str, bytes)):
            rows = list(instance) if isinstance(instance, (list, tuple, QuerySet)) else [instance]
            if rows and hasattr(rows[0], "_meta"):
                access_note_many(_row_minor_ids(rows, self.access_minor_field))
        return super().get_serializer(*args, **kwargs)


def _declared_kind(view_func, request) -> str | None:
    """The kind a view declares: `access_kind` on a function view, or on a DRF view class
    `access_kinds` per action (list, retrieve, a custom action's name) or `access_kind` for all."""
    kind = getattr(view_func, "access_kind", None)
    if kind:
        return kind
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if view_class is None:
        return None
    actions = getattr(view_func, "actions", None) or {}
    action = actions.get(request.method.lower())
    kinds = getattr(view_class, "access_kinds", None) or {}
    if action and action in kinds:
        return kinds[action]
    if getattr(view_class, "access_kind", None):
        return view_class.access_kind
    if action == "list":
        return AccessLog.Action.LIST
    if action == "retrieve":
        return AccessLog.Action.VIEW
    return None


def _kind_of(request, recorder) -> str:
    """The declared kind, else: a list filtered by a query is a search, a submitted form a form, a page
    addressed by an object's id a record view, any other page a list (however many children it shows)."""
    searching = any(request.GET.get(name) for name in _SEARCH_PARAMS)
    if recorder.kind and not (searching and recorder.kind == AccessLog.Action.LIST):
        return recorder.kind
    if searching:
        return AccessLog.Action.SEARCH
    if request.method not in ("GET", "HEAD"):
        return AccessLog.Action.FORM
    return AccessLog.Action.VIEW if recorder.addressed else AccessLog.Action.LIST


class AccessLogMiddleware:
    """Writes the access log of each request: one row per minor whose record the response showed."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        recorder, token = recorder_open()
        try:
            response = self.get_response(request)
            self._flush(request, recorder, shown=response.status_code < 400)
        finally:
            recorder_close(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        recorder = current_recorder()
        if recorder is not None:
            recorder.addressed = bool(view_kwargs)
            if recorder.kind is None:
                recorder.kind = _declared_kind(view_func, request)
        return None

    def _flush(self, request, recorder, *, shown: bool) -> None:
        searched = [pk for pk in recorder.searched if pk not in recorder.explicit]
        ids = [pk for pk in recorder.pending() if pk not in recorder.searched] if shown else []
        user = getattr(request, "user", None)
        if not (ids or searched) or user is None or not user.is_authenticated:
            return
        from cases.privacy.accesslog.emergency import emergency_minor_ids

        kind = _kind_of(request, recorder)
        kinds = {pk: AccessLog.Action.SEARCH for pk in searched} | dict.fromkeys(ids, kind)
        channel = AccessLog.Channel.API if request.path.startswith("/api/") else AccessLog.Channel.WEB
        emergency = emergency_minor_ids(user)
        fields = _request_fields(request)
        now = timezone.now()
        AccessLog.objects.bulk_create(
            [
                AccessLog(
                    user=user,
                    minor_id=pk,
                    action=AccessLog.Action.EMERGENCY if pk in emergency else pk_kind,
                    channel=channel,
                    at=now,
                    detail={"kind": pk_kind} if pk in emergency else {},
                    **fields,
                )
                for pk, pk_kind in kinds.items()
            ],
            batch_size=2000,
        )

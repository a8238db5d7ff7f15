"""Ledger (台账) exports too large to answer in one request (issue 6 §4): requested from the registry
list, built by a Celery worker, downloaded by the requester, deleted after a few days.

Rules:

- Only a user whose posts may export (Capability.EXPORT) requests an export, and the file is built
  for that user's reach *when it is built*: a post withdrawn meanwhile narrows the file, never widens it;
  a user who may no longer export gets a FAILED export, not a file.
- Every child in the file gets one access-log row (action EXPORT), written in the transaction that
  marks the export READY: there is never a file without its log, nor a log without its file.
- Building is safe to run twice: the worker holds the export's row lock for the whole build. A READY
  or FAILED export is not built again; a second delivery while a build runs finds the row locked and
  stops; a RUNNING export whose lock is free was left by a worker that died and is built again.
- A failure marks the export FAILED with the error. The requester is notified in the app when the file
  is ready (or the export failed).
- A ready file is deleted MINORPROT_EXPORT_KEEP_DAYS after it was made; the row stays as the record.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.accesslog.services import access_log_record_many
from cases.alerts.services import notify
from cases.models import AccessLog, Minor
from cases.registry.forms import minor_filter_form
from reporting.exports.ledger import ledger_filters_detail, ledger_write
from reporting.models import LedgerExport, LedgerExportStatus
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability
from tiers.selectors import user_can

logger = logging.getLogger(__name__)

Status = LedgerExportStatus
IN_PROGRESS_STATUSES = (Status.QUEUED, Status.RUNNING)
# The same export asked for again within this time, while it is still under way, is that export.
DUPLICATE_WINDOW = timedelta(minutes=30)
LOG_BATCH = 2000


class LedgerExportRefused(Exception):
    """The requester may no longer export: the export fails with this message."""


def ledger_access_log_record(*, user, minor_ids: list[int], request, detail: dict) -> None:
    """One EXPORT access-log row per child in a ledger file, written in batches (a county is 200,000)."""
    for start in range(0, len(minor_ids), LOG_BATCH):
        access_log_record_many(
            user=user,
            action=AccessLog.Action.EXPORT,
            channel=AccessLog.Channel.WEB,
            minors=[Minor(pk=pk) for pk in minor_ids[start : start + LOG_BATCH]],
            request=request,
            detail=detail,
        )


def ledger_export_request(*, actor, query: QueryDict) -> LedgerExport:
    """Queue the ledger of the registry list filtered by `query` (its GET parameters) for `actor`.

    The actor must be able to export (rules in the module docstring). Asking again for the same filters
    while that export is still queued or running returns it rather than starting a second one."""
    if not user_can(actor, Capability.EXPORT):
        raise ActionNotAllowed
    raw = {key: query.getlist(key) for key in sorted(query)}
    filters = minor_filter_form(query, user=actor).filters()
    now = timezone.now()
    with transaction.atomic():
        running = (
            LedgerExport.objects.filter(
                requested_by=actor,
                filters=raw,
                status__in=IN_PROGRESS_STATUSES,
                requested_at__gte=now - DUPLICATE_WINDOW,
            )
            .order_by("-requested_at")
            .first()
        )
        if running is not None:
            return running
        export = LedgerExport.objects.create(
            requested_by=actor,
            requested_at=now,
            filters=raw,
            region_label=filters.region.name if filters.region is not None else "",
        )
        _enqueue(export.pk)
    return export


def _enqueue(export_id: int) -> None:
    from reporting.tasks import build_ledger_export

    transaction.on_commit(lambda: build_ledger_export.delay(export_id))


def _query(filters: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, [str(value) for value in (values if isinstance(values, list) else [values])])
    return query


def ledger_export_build(*, export_id: int) -> LedgerExport | None:
    """Build the export's file (the Celery task's body). Rules in the module docstring.

    Returns the export as this run left it, or None when it does not exist or another worker is
    building it."""
    with transaction.atomic():
        export = LedgerExport.objects.select_for_update(skip_locked=True).filter(pk=export_id).first()
        if export is None or export.status not in IN_PROGRESS_STATUSES:
            return export
        if export.status == Status.QUEUED:
            export.status = Status.RUNNING
            export.save(update_fields=["status"])
    # RUNNING is committed now, so the polling page shows it while the file is written.
    try:
        with transaction.atomic():
            export = (
                LedgerExport.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("requested_by")
                .filter(pk=export_id)
                .first()
            )
            if export is None or export.status != Status.RUNNING:
                return export
            _build_locked(export)
    except Exception as exc:  # the failure is the export's, shown on its page; the worker goes on
        logger.exception("ledger export %s failed", export_id)
        if export is not None and export.file.name:
            # Rolled back: the row does not point at the file written, so nothing would ever delete it.
            export.file.storage.delete(export.file.name)
        return _mark_failed(export_id, exc)
    return export


def _build_locked(export: LedgerExport) -> None:
    """Write the file, the access log and READY inside the caller's transaction (holding the row lock)."""
    user = export.requested_by
    if not user.is_active or not user_can(user, Capability.EXPORT):
        raise LedgerExportRefused(_("申请人的岗位已不能导出台账。"))
    filters = minor_filter_form(_query(export.filters), user=user).filters()
    with tempfile.TemporaryFile(suffix=".xlsx") as scratch:
        minor_ids = ledger_write(user=user, filters=filters, target=scratch)
        scratch.seek(0)
        export.file.save(_storage_name(export), File(scratch), save=False)
    detail = {
        "export": "ledger",
        "async": True,
        "export_id": export.pk,
        "filters": ledger_filters_detail(filters),
        "rows": len(minor_ids),
    }
    ledger_access_log_record(user=user, minor_ids=minor_ids, request=None, detail=detail)
    now = timezone.now()
    export.status = Status.READY
    export.rows = len(minor_ids)
    export.finished_at = now
    export.expires_at = now + timedelta(days=settings.MINORPROT_EXPORT_KEEP_DAYS)
    export.error = ""
    export.save(update_fields=["file", "status", "rows", "finished_at", "expires_at", "error"])
    notify(
        user_ids=[user.pk],
        title=_("台账导出已完成"),
        body=_("%(place)s，共 %(rows)s 人。文件保留到 %(until)s，请及时下载。")
        % {
            "place": export.region_label or _("全部"),
            "rows": export.rows,
            "until": f"{timezone.localtime(export.expires_at):%Y-%m-%d %H:%M}",
        },
        url=reverse("ledger_export_detail", args=[export.pk]),
    )


def _mark_failed(export_id: int, exc: Exception) -> LedgerExport | None:
    with transaction.atomic():
        export = LedgerExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status not in IN_PROGRESS_STATUSES:
            return export
        message = str(exc) if isinstance(exc, LedgerExportRefused) else f"{type(exc).__name__}: {exc}"
        export.status = Status.FAILED
        export.error = message[:2000]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        notify(
            user_ids=[export.requested_by_id],
            title=_("台账导出失败"),
            body=export.error[:500],
            url=reverse("ledger_export_detail", args=[export.pk]),
        )
    return export


def _storage_name(export: LedgerExport) -> str:
    # Only the export's number in the stored name: the place and the filters are personal enough.
    return f"ledger-{export.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx"


def ledger_exports_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry (the daily job). Each row keeps its record; the
    file goes after the row no longer points at it. Returns how many files were deleted."""
    now = now or timezone.now()
    purged = 0
    expired = LedgerExport.objects.filter(expires_at__lte=now).exclude(file="").order_by("pk")
    for export_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            export = LedgerExport.objects.select_for_update(skip_locked=True).filter(pk=export_id).first()
            if export is None or not export.file:
                continue
            name, storage = export.file.name, export.file.storage
            export.file = ""
            export.save(update_fields=["file"])
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            purged += 1
    return purged

"""Downloads of personal data (issue 6 §4). Each needs a post that may export (tiers.roles, EXPORT) and
writes one access-log row per child in the file.

A ledger of up to MINORPROT_EXPORT_SYNC_ROWS rows is answered in the request, its access log written
before the file is sent. A larger one (a county is 200,000 children; a web request times out after 60 s)
is built by a worker (reporting.exports.services): the user is sent to the export's page, which shows its
progress and then the download. Exports are private to the user who asked: anyone else gets 404, and the
file is served only through the download view, never from a public media URL."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.registry.forms import minor_filter_form
from reporting.exports.ledger import ledger_build, ledger_count, ledger_filename, ledger_filters_detail
from reporting.exports.selectors import ledger_export_get, ledger_export_list
from reporting.exports.services import ledger_access_log_record, ledger_export_request
from reporting.exports.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from reporting.models import LedgerExportStatus
from tiers.roles import Capability
from tiers.selectors import user_can

PAGE_SIZE = 30
IN_PROGRESS = (LedgerExportStatus.QUEUED, LedgerExportStatus.RUNNING)


def _require_export(request) -> None:
    if not user_can(request.user, Capability.EXPORT):
        raise PermissionDenied(
            _("您的岗位不能导出台账。导出须由乡镇（街道）民政办、乡镇（街道）领导或区县民政部门岗位办理。")
        )


@login_required
@require_GET
def ledger_export(request):
    """The registry list, filtered as on screen (same query string), as an Excel ledger: at once when it
    is small, otherwise queued for a worker and followed on the export's page."""
    _require_export(request)
    filters = minor_filter_form(request.GET, user=request.user).filters()
    if ledger_count(user=request.user, filters=filters) > settings.MINORPROT_EXPORT_SYNC_ROWS:
        export = ledger_export_request(actor=request.user, query=request.GET)
        messages.info(request, _("导出的人数较多，系统正在后台生成台账，完成后会通知您，也可在本页等候下载。"))
        return redirect("ledger_export_detail", pk=export.pk)
    today = timezone.localdate()
    ledger = ledger_build(user=request.user, filters=filters, today=today)
    detail = {"export": "ledger", "filters": ledger_filters_detail(filters), "rows": len(ledger.minor_ids)}
    with transaction.atomic():
        ledger_access_log_record(user=request.user, minor_ids=ledger.minor_ids, request=request, detail=detail)
    return xlsx_response(ledger.content, ledger_filename(region=filters.region, today=today))


def _downloadable(export) -> bool:
    return export.status == LedgerExportStatus.READY and bool(export.file) and not export.is_expired


@login_required
@require_GET
def ledger_export_list_view(request):
    """The user's own ledger exports, newest first."""
    page = Paginator(ledger_export_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for export in page.object_list:
        export.downloadable = _downloadable(export)
    return render(
        request, "reporting/exports/export_list.html", {"page": page, "keep_days": settings.MINORPROT_EXPORT_KEEP_DAYS}
    )


@login_required
@require_GET
def ledger_export_detail(request, pk: int):
    export = ledger_export_get(user=request.user, pk=pk)
    return render(
        request,
        "reporting/exports/export_detail.html",
        {"export": export, "in_progress": export.status in IN_PROGRESS, "downloadable": _downloadable(export)},
    )


@login_required
@require_GET
def ledger_export_progress(request, pk: int):
    """The status partial polled by htmx every 2 s; once the build is over the whole page reloads to
    show the download (or the error)."""
    export = ledger_export_get(user=request.user, pk=pk)
    response = render(
        request,
        "reporting/exports/_progress.html",
        {"export": export, "in_progress": export.status in IN_PROGRESS},
    )
    if request.headers.get("HX-Request") and export.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def ledger_export_download(request, pk: int):
    """The export's file, for the user who asked for it, while it is kept. The access log was written
    when the file was built, one row per child in it."""
    export = ledger_export_get(user=request.user, pk=pk)
    if not _downloadable(export):
        raise Http404
    # The file holds personal data: a user whose posts may no longer export does not take it away.
    _require_export(request)
    filename = ledger_filename(region=export.region_label, today=timezone.localdate(export.requested_at))
    # FileResponse sends the name per RFC 6266/5987 (filename*=utf-8''…), so a Chinese name arrives intact.
    response = FileResponse(
        export.file.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response

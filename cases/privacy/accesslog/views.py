"""Pages of the access log (issue 10 §2) and of break-the-glass access (issue 10 §10).

Who read what: the head of a town office and the county civil-affairs post read the log of the children
in their reach — per child, per user, by date, kind and channel — and export it. These pages load the
Minor of each row they show, so the AccessLogMiddleware logs the log's own reads; the export logs its
children explicitly (EXPORT)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.recorder import access_suspended
from cases.privacy.accesslog.export import access_log_workbook, xlsx_download
from cases.privacy.accesslog.forms import AccessLogFilterForm, EmergencyAccessForm
from cases.privacy.accesslog.rules import emergency_access_hours
from cases.privacy.accesslog.selectors import (
    AccessLogFilters,
    access_log_entries,
    access_log_minor_get,
    access_log_user_get,
    emergency_access_get,
    emergency_access_list,
    emergency_access_lookup,
)
from cases.privacy.accesslog.services import access_log_export_record, emergency_access_end, emergency_access_open
from tiers.forms import add_service_errors
from tiers.roles import Capability
from tiers.selectors import user_can

ACCESS_LOG_PAGE_SIZE = 50
# An export larger than this is refused with a request to narrow the dates (built in the request).
ACCESS_LOG_EXPORT_MAX_ROWS = 50_000


def _capability_required(capability: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@_capability_required(Capability.READ_ACCESS_LOG)
@require_GET
def access_log(request, minor_pk: int | None = None, user_pk: int | None = None):
    reader = request.user
    minor = access_log_minor_get(reader=reader, pk=minor_pk) if minor_pk is not None else None
    subject = access_log_user_get(reader=reader, pk=user_pk) if user_pk is not None else None
    params = request.GET.copy()
    export = params.pop("export", None)
    params.pop("page", None)
    form = AccessLogFilterForm(params or None)
    valid = form.is_valid() if form.is_bound else True
    cleaned = form.cleaned_data if form.is_bound and valid else {}
    filters = AccessLogFilters(
        minor=minor,
        user=subject,
        date_from=cleaned.get("date_from"),
        date_to=cleaned.get("date_to"),
        action=cleaned.get("action", ""),
        channel=cleaned.get("channel", ""),
    )
    entries = access_log_entries(reader=reader, filters=filters)
    if export and valid:
        total = entries.count()
        if total > ACCESS_LOG_EXPORT_MAX_ROWS:
            messages.error(
                request,
                _("符合条件的记录有%(n)d条，超过单次导出上限%(max)d条，请缩小日期范围。")
                % {"n": total, "max": ACCESS_LOG_EXPORT_MAX_ROWS},
            )
        else:
            content, minor_ids = access_log_workbook(entries.iterator(chunk_size=2000))
            access_log_export_record(actor=reader, minor_ids=minor_ids, request=request, rows=total)
            filename = _("访问日志") + f"_{timezone.localdate():%Y%m%d}.xlsx"
            return xlsx_download(content, filename)
    page = Paginator(entries if valid else entries.none(), ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/privacy/access_log.html",
        {"form": form, "page": page, "minor": minor, "subject": subject, "export_query": params.urlencode()},
    )


@_capability_required(Capability.BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        minor = emergency_access_lookup(user=request.user, reference=form.cleaned_data["reference"])
        if minor is None:
            form.add_error("reference", _("未找到该档案，请核对身份证号码或档案编号。"))
        else:
            try:
                # Opening shows nothing yet: the record page it leads to is the logged read.
                with access_suspended():
                    grant = emergency_access_open(actor=request.user, minor=minor, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.warning(
                    request,
                    _("已开启紧急调阅，至%(until)s止。期间的每次查看都记为紧急调阅，并已告知儿童所在乡镇民政办负责人。")
                    % {"until": timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M")},
                )
                return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "cases/privacy/emergency_access.html",
        {
            "form": form,
            "grants": emergency_access_list(user=request.user)[:20],
            "hours": emergency_access_hours(),
            "now": timezone.now(),
        },
    )


@_capability_required(Capability.BREAK_GLASS)
@require_POST
def emergency_access_end_view(request, pk: int):
    """End one of the user's own grants early (the button on the emergency-access page)."""
    grant = emergency_access_get(user=request.user, pk=pk)
    try:
        emergency_access_end(actor=request.user, grant=grant)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已提前结束对档案 %(id)s 的紧急调阅。") % {"id": grant.minor_id})
    return redirect("privacy_accesslog_emergency")

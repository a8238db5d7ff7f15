"""Pages of the quarterly analysis reports (issue 6 §3; domain.md §4 mechanism 3, §1.3 T-1/T-2): the
list per region and quarter with the 生成报告 form, a report's page with its progress (polled with
htmx while it is being generated), the PDF download, submitting upward and the district's reply.

Scope as everywhere (STYLE.md rule 3): a report outside the user's VIEW_AGGREGATES reach answers 404,
and so do its PDF and its replies' attachments, which are only ever served through these views (never
from a public media URL). A user who may see a report but not act on it gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reporting.analysis import selectors, services
from reporting.analysis.forms import AnalysisReportFilterForm, AnalysisReportRequestForm, ProtectionPlanReplyForm
from reporting.models import AnalysisReport, AnalysisReportStatus
from reporting.quarters import Quarter
from tiers.roles import Capability
from tiers.selectors import user_can

PAGE_SIZE = 30
DOWNLOADABLE = (AnalysisReportStatus.READY, AnalysisReportStatus.SUBMITTED, AnalysisReportStatus.REPLIED)
IN_PROGRESS = (AnalysisReportStatus.QUEUED, AnalysisReportStatus.GENERATING)


def _require_aggregates(request) -> None:
    if not user_can(request.user, Capability.VIEW_AGGREGATES):
        raise PermissionDenied


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


@login_required
@require_GET
def analysis_report_list(request):
    """Reports in reach by quarter and region; the district filters to those submitted to it."""
    _require_aggregates(request)
    regions = selectors.analysis_report_regions(user=request.user)
    form = AnalysisReportFilterForm(request.GET or None, regions=regions)
    chosen = form.values()
    reports = selectors.analysis_report_list(
        user=request.user, region=chosen["region"], quarter=chosen["quarter"], submitted=chosen["submitted"]
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/analysis/report_list.html",
        {
            "form": form,
            "page": page,
            "request_form": AnalysisReportRequestForm(regions=regions) if regions else None,
        },
    )


@login_required
@require_POST
def analysis_report_request(request):
    """The 生成报告 form: queue the report (or regenerate it) and go to its page to watch it."""
    _require_aggregates(request)
    regions = selectors.analysis_report_regions(user=request.user)
    form = AnalysisReportRequestForm(request.POST, regions=regions)
    if form.is_valid():
        try:
            report = services.analysis_report_request(
                actor=request.user, region=form.cleaned_data["region"], quarter=form.cleaned_data["quarter"]
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("已提交生成：%(region)s %(quarter)s分析报告。")
                % {"region": report.region.name, "quarter": Quarter.parse(report.quarter).label},
            )
            return redirect("analysis_report_detail", pk=report.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("analysis_report_list")


def _detail_context(request, report: AnalysisReport, *, reply_form=None) -> dict:
    may_reply = services.analysis_report_may_reply(user=request.user, report=report)
    return {
        "report": report,
        "quarter": Quarter.parse(report.quarter),
        "events": report.events.select_related("actor"),
        "replies": report.replies.select_related("author"),
        "in_progress": report.status in IN_PROGRESS,
        # A job that died with its worker may be requested again (the service says the same).
        "stale": report.status in IN_PROGRESS and report.requested_at < timezone.now() - services.STALE_AFTER,
        "downloadable": report.status in DOWNLOADABLE and bool(report.pdf),
        "may_regenerate": report.status not in (AnalysisReportStatus.SUBMITTED, AnalysisReportStatus.REPLIED)
        and services.analysis_report_may_request(user=request.user, region=report.region),
        "may_submit": report.status == AnalysisReportStatus.READY
        and services.analysis_report_may_submit(user=request.user, report=report),
        "may_reply": may_reply and report.status in (AnalysisReportStatus.SUBMITTED, AnalysisReportStatus.REPLIED),
        "reply_form": reply_form or ProtectionPlanReplyForm(),
    }


@login_required
@require_GET
def analysis_report_detail(request, pk: int):
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    return render(request, "reporting/analysis/report_detail.html", _detail_context(request, report))


@login_required
@require_GET
def analysis_report_progress(request, pk: int):
    """The progress partial polled by htmx every 2 s; once the job is over the whole page reloads to
    show the download, submit and reply controls."""
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    response = render(
        request,
        "reporting/analysis/_progress.html",
        {"report": report, "in_progress": report.status in IN_PROGRESS},
    )
    if request.headers.get("HX-Request") and report.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def analysis_report_pdf(request, pk: int):
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    if report.status not in DOWNLOADABLE or not report.pdf:
        raise Http404
    response = FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=services.analysis_report_filename(report),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    # Aggregates only, but a download leaves the system like any export: it goes in the access log.
    from cases.accesslog.services import access_log_record
    from cases.models import AccessLog

    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        channel=AccessLog.Channel.WEB,
        request=request,
        detail={"export": "analysis_report", "region": report.region.code, "quarter": report.quarter},
    )
    return response


@login_required
@require_POST
def analysis_report_regenerate(request, pk: int):
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    try:
        services.analysis_report_request(actor=request.user, region=report.region, quarter=report.quarter)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("已提交重新生成。"))
    return redirect("analysis_report_detail", pk=report.pk)


@login_required
@require_POST
def analysis_report_submit(request, pk: int):
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    try:
        services.analysis_report_submit(actor=request.user, report=report)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("报告已上报区县民政部门。"))
    return redirect("analysis_report_detail", pk=report.pk)


@login_required
@require_POST
def analysis_report_reply(request, pk: int):
    """The district's protection plan (保护方案) in reply to a submitted report."""
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    if not services.analysis_report_may_reply(user=request.user, report=report):
        raise PermissionDenied
    form = ProtectionPlanReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.protection_plan_reply(
                actor=request.user,
                report=report,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in exc.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("已回复保护方案。"))
            return redirect("analysis_report_detail", pk=report.pk)
    context = _detail_context(request, report, reply_form=form)
    return render(request, "reporting/analysis/report_detail.html", context, status=400)


@login_required
@require_GET
def analysis_report_reply_attachment(request, pk: int, reply_pk: int):
    reply = selectors.protection_plan_reply_get(user=request.user, report_pk=pk, pk=reply_pk)
    if not reply.attachment:
        raise Http404
    name = reply.attachment.name.rsplit("/", 1)[-1]
    response = FileResponse(reply.attachment.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response

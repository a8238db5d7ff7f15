"""Web pages of grading and visits (issue 3): the child director's worklist and visit form, the town
office's compliance page, assessments, helpers and emergency responses, alerts, notifications and the
district's policy page. Each view parses input, calls a selector or a service, and renders.

As in cases.registry.views: a child outside the user's reach answers 404 (cases.registry.selectors.minor_get, STYLE.md
rule 3); a child in reach that the user may only read answers 403 on every write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.models import AccessLog, Minor, RiskGrade
from cases.registry.selectors import minor_get, minor_may_change, notification_list
from cases.registry.services import RegistryPermissionDenied
from cases.registry.views import records_required
from cases.services.alerts import alert_acknowledge, notifications_mark_read
from screening import selectors
from screening.forms import (
    AssessmentForm,
    CompliancePeriodForm,
    EmergencyResponseForm,
    GradePolicyForm,
    HelperForm,
    IndicatorForm,
    VisitForm,
)
from screening.permissions import may_acknowledge, may_grade
from screening.services.grading import (
    assessment_record,
    emergency_response_mark_in_place,
    emergency_response_record,
    helper_assign,
    indicator_prefill,
)
from screening.services.policy import grade_policy_reset, grade_policy_set, indicator_reset, indicator_set
from screening.services.visits import may_log_visit, visit_log
from tiers.forms import add_service_errors
from tiers.roles import Capability
from tiers.selectors import policy_counties, user_can, user_reach

WORKLIST_LIMIT = 100
ALERT_PAGE_SIZE = 25
NOTIFICATION_PAGE_SIZE = 25
OVERDUE_PAGE_SIZE = 50


def _loggable_minor(request, pk: int) -> Minor:
    minor = minor_get(user=request.user, pk=pk)
    if not may_log_visit(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


def _gradable_minor(request, pk: int) -> Minor:
    minor = minor_get(user=request.user, pk=pk)
    if not may_grade(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


def _changeable_minor(request, pk: int) -> Minor:
    minor = minor_get(user=request.user, pk=pk)
    if not minor_may_change(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


def _worklist_rows(plans, *, today, log_reach) -> dict:
    """One bucket of the worklist: at most WORKLIST_LIMIT rows, and how many there are in all."""
    rows = list(plans.select_related("minor__region__parent")[:WORKLIST_LIMIT])
    total = len(rows) if len(rows) < WORKLIST_LIMIT else plans.count()
    return {
        "rows": [
            {
                "plan": plan,
                "minor": plan.minor,
                "days": (plan.next_due_on - today).days,
                "overdue": max(0, (today - plan.next_due_on).days),
                "may_log": log_reach.covers(plan.minor.region.path),
            }
            for plan in rows
        ],
        "total": total,
        "more": total - len(rows),
    }


# --- visits --------------------------------------------------------------------------------------


@records_required
@require_GET
def visit_worklist(request):
    """Overdue, due this week and upcoming visits in the user's reach; a phone is the usual screen."""
    today = timezone.localdate()
    log_reach = user_reach(request.user, Capability.LOG_VISITS)
    buckets = selectors.visit_worklist(user=request.user, today=today)
    sections = [
        {
            "key": "overdue",
            "title": _("已逾期"),
            **_worklist_rows(buckets["overdue"], today=today, log_reach=log_reach),
        },
        {
            "key": "due_this_week",
            "title": _("本周应走访"),
            **_worklist_rows(buckets["due_this_week"], today=today, log_reach=log_reach),
        },
        {
            "key": "upcoming",
            "title": _("近期安排"),
            **_worklist_rows(buckets["upcoming"], today=today, log_reach=log_reach),
        },
    ]
    return render(request, "screening/worklist.html", {"sections": sections, "today": today})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    minor = _loggable_minor(request, pk)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_log(actor=request.user, minor=minor, **form.service_kwargs())
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = _("已记录%(name)s的走访。") % {"name": minor.name}
            if form.cleaned_data["new_risk_found"]:
                text += _("已通知乡镇民政办重新评估。")
            messages.success(request, text)
            return redirect("visit_worklist")
    plan = getattr(minor, "visit_plan", None)  # none until the plan is first refreshed
    return render(
        request,
        "screening/visit_form.html",
        {"minor": minor, "form": form, "plan": plan, "recent_visits": selectors.visit_list(minor=minor, limit=3)},
    )


@login_required
@require_GET
def visit_compliance(request):
    """Per village and grade, visits done on time ÷ due in a period; then every overdue child."""
    if not user_can(request.user, Capability.VIEW_AGGREGATES):
        raise PermissionDenied
    form = CompliancePeriodForm(request.GET or None)
    start, end = form.period()
    figures = selectors.visit_compliance(user=request.user, start=start, end=end)
    for row in figures["grades"]:
        row["label"] = RiskGrade(row["key"]).label if row["key"] in RiskGrade.values else _("未定级")
    totals = {
        "due": sum(row["due"] for row in figures["villages"]),
        "on_time": sum(row["on_time"] for row in figures["villages"]),
    }
    overdue = None
    today = timezone.localdate()
    if user_can(request.user, Capability.VIEW_RECORDS):
        plans = selectors.visit_worklist(user=request.user, today=today)["overdue"].select_related(
            "minor__region__parent"
        )
        overdue = Paginator(plans, OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
        for plan in overdue.object_list:
            plan.days_overdue = (today - plan.next_due_on).days
    return render(
        request,
        "screening/compliance.html",
        {"form": form, "start": start, "end": end, "figures": figures, "totals": totals, "overdue": overdue},
    )


# --- assessments, helper, emergency response ------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def assessment_create(request, pk: int):
    minor = _gradable_minor(request, pk)
    form = AssessmentForm(
        request.POST or None,
        indicators=selectors.indicator_list(region=minor.region),
        prefill=indicator_prefill(minor=minor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_record(actor=request.user, minor=minor, **form.service_kwargs())
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if assessment.final_grade:
                text = _("已记录评估，风险等级：%(grade)s。") % {"grade": assessment.get_final_grade_display()}
            else:
                text = _("已记录%(kind)s。") % {"kind": assessment.get_kind_display()}
            messages.success(request, text)
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "screening/assessment_form.html", {"minor": minor, "form": form})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def helper_assign_view(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = HelperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            helper = helper_assign(actor=request.user, minor=minor, **form.cleaned_data)
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已指定一对一帮扶人：%(name)s。") % {"name": helper.name})
            return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "screening/helper_form.html",
        {"minor": minor, "form": form, "current": selectors.helper_current(minor=minor)},
    )


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def emergency_response_create(request, pk: int):
    minor = _gradable_minor(request, pk)
    form = EmergencyResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            emergency_response_record(
                actor=request.user,
                minor=minor,
                acted_at=data["acted_at"],
                acted_by=data["acted_by"],
                measures=data["measures"],
                description=data["description"],
                in_place=data["in_place"],
            )
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录应急处置。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "screening/emergency_response_form.html", {"minor": minor, "form": form})


@records_required
@require_POST
def emergency_response_in_place(request, pk: int, response_pk: int):
    minor = _gradable_minor(request, pk)
    response = selectors.emergency_response_list(minor=minor).filter(pk=response_pk).first()
    if response is None:
        raise Http404
    try:
        emergency_response_mark_in_place(actor=request.user, response=response)
    except RegistryPermissionDenied:
        raise PermissionDenied from None
    messages.success(request, _("已标记处置到位。"))
    return redirect("minor_detail", pk=minor.pk)


# --- alerts and notifications --------------------------------------------------------------------


@records_required
@require_GET
def alert_list(request):
    alerts = selectors.alert_list(user=request.user).select_related("acknowledged_by")
    page = Paginator(alerts, ALERT_PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page.object_list:
        alert.may_acknowledge = alert.acknowledged_at is None and may_acknowledge(user=request.user, alert=alert)
    return render(request, "screening/alert_list.html", {"page": page})


@records_required
@require_POST
def alert_acknowledge_view(request, pk: int):
    alert = selectors.alert_list(user=request.user, open_only=False).filter(pk=pk).first()
    if alert is None:
        raise Http404
    if not may_acknowledge(user=request.user, alert=alert):
        raise PermissionDenied
    try:
        alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已确认预警，将在问题解决后自动解除。"))
    return redirect("alert_list")


@login_required
@require_GET
def notification_list_view(request):
    page = Paginator(notification_list(user=request.user), NOTIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "screening/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    if not notification_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    notifications_mark_read(user=request.user, ids=[pk])
    return redirect("notification_list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("已将%(n)d条通知标为已读。") % {"n": count})
    return redirect("notification_list")


# --- the district's grade policies and checklist --------------------------------------------------


def _policy_county(request):
    counties = policy_counties(request.user)
    if not counties:
        raise PermissionDenied
    wanted = request.POST.get("county") or request.GET.get("county")
    if not wanted:
        return counties[0], counties
    for county in counties:
        if str(county.pk) == wanted:
            return county, counties
    raise Http404


def _policy_page(request, county, counties, *, bound_grade=None, bound_indicator=None):
    table = selectors.grade_policy_table(county=county)
    grade_rows = []
    for grade in (RiskGrade.BLUE, RiskGrade.YELLOW, RiskGrade.ORANGE, RiskGrade.RED):
        entry = table.get(grade, {"default": None, "own": None})
        if bound_grade is not None and bound_grade[0] == grade:
            form = bound_grade[1]
        else:
            form = GradePolicyForm(initial=GradePolicyForm.initial_for(entry["own"] or entry["default"]), prefix=grade)
        grade_rows.append({"grade": grade, "label": grade.label, **entry, "form": form})
    indicator_rows = []
    for indicator in selectors.indicator_table(county=county):
        if bound_indicator is not None and bound_indicator[0] == indicator.code:
            form = bound_indicator[1]
        else:
            form = IndicatorForm(
                initial={"min_grade": indicator.min_grade, "is_active": indicator.is_active}, prefix=indicator.code
            )
        indicator_rows.append(
            {"indicator": indicator, "form": form, "default_grade_label": RiskGrade(indicator.default_min_grade).label}
        )
    return render(
        request,
        "screening/policy.html",
        {
            "county": county,
            "counties": counties,
            "grade_rows": grade_rows,
            "indicator_rows": indicator_rows,
            "history": selectors.policy_history(county=county),
        },
    )


@login_required
@require_GET
def policy(request):
    county, counties = _policy_county(request)
    return _policy_page(request, county, counties)


@login_required
@require_POST
def grade_policy_update(request, grade: str):
    if grade not in RiskGrade.values:
        raise Http404
    county, counties = _policy_county(request)
    form = GradePolicyForm(request.POST, prefix=grade)
    if form.is_valid():
        try:
            grade_policy_set(actor=request.user, county=county, grade=grade, **form.cleaned_data)
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已保存%(county)s%(grade)s等级的要求，走访计划将按新要求重新计算。")
                % {"county": county.name, "grade": RiskGrade(grade).label},
            )
            return redirect(f"{_policy_url(county)}#grade-{grade}")
    return _policy_page(request, county, counties, bound_grade=(grade, form))


@login_required
@require_POST
def indicator_update(request, code: str):
    county, counties = _policy_county(request)
    form = IndicatorForm(request.POST, prefix=code)
    if form.is_valid():
        try:
            indicator = indicator_set(actor=request.user, county=county, code=code, **form.cleaned_data)
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            if "code" in getattr(exc, "message_dict", {}):
                raise Http404 from None
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存指标“%(name)s”。") % {"name": indicator.name})
            return redirect(f"{_policy_url(county)}#indicator-{code}")
    return _policy_page(request, county, counties, bound_indicator=(code, form))


@login_required
@require_POST
def grade_policy_reset_view(request, grade: str):
    if grade not in RiskGrade.values:
        raise Http404
    county, _counties = _policy_county(request)
    try:
        reset = grade_policy_reset(actor=request.user, county=county, grade=grade)
    except RegistryPermissionDenied:
        raise PermissionDenied from None
    if reset:
        messages.success(
            request,
            _("%(county)s%(grade)s等级已恢复使用系统默认要求。")
            % {"county": county.name, "grade": RiskGrade(grade).label},
        )
    return redirect(f"{_policy_url(county)}#grade-{grade}")


@login_required
@require_POST
def indicator_reset_view(request, code: str):
    county, _counties = _policy_county(request)
    try:
        reset = indicator_reset(actor=request.user, county=county, code=code)
    except RegistryPermissionDenied:
        raise PermissionDenied from None
    except ValidationError:
        raise Http404 from None
    if reset:
        messages.success(request, _("%(county)s已恢复使用该指标的系统默认设置。") % {"county": county.name})
    return redirect(f"{_policy_url(county)}#indicator-{code}")


def _policy_url(county) -> str:
    return f"{reverse('policy')}?county={county.pk}"


@records_required
@require_GET
def visit_photo(request, pk: int):
    """A visit photo, only to someone who may see the child; every view is in the access log.
    Photos are never served from a public media URL."""
    from django.http import FileResponse

    from cases.accesslog.services import access_log_record
    from cases.models import AccessLog
    from screening.models import VisitPhoto

    photo = VisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None:
        raise Http404
    minor = minor_get(user=request.user, pk=photo.visit.minor_id)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        channel=AccessLog.Channel.WEB,
        minor=minor,
        request=request,
        detail={"visit_photo": photo.pk},
    )
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response

"""The district's policy page (domain.md §3.1 [PROPOSAL], §14.7): a county civil-affairs post sets what
each grade demands and the checklist's minimum grades for its own county; the history of changes below."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import RiskGrade
from screening.policy import selectors
from screening.policy.forms import GradePolicyForm, IndicatorForm
from screening.policy.services import grade_policy_reset, grade_policy_set, indicator_reset, indicator_set
from tiers.forms import add_service_errors
from tiers.selectors import policy_counties


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
        "screening/policy/policy.html",
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
    reset = grade_policy_reset(actor=request.user, county=county, grade=grade)
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
    except ValidationError:
        raise Http404 from None
    if reset:
        messages.success(request, _("%(county)s已恢复使用该指标的系统默认设置。") % {"county": county.name})
    return redirect(f"{_policy_url(county)}#indicator-{code}")


def _policy_url(county) -> str:
    return f"{reverse('policy')}?county={county.pk}"

"""Web pages of grading (domain.md §3): the assessment form with its checklist, the one-to-one helper and
the emergency response to a red grade. Each view parses input, calls a selector or a service, and renders.

A child outside the user's reach answers 404 (cases.registry.selectors.minor_get, STYLE.md rule 3); a child
in reach that the user may only read answers 403 on every write (a service's ActionNotAllowed is a 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.models import AccessLog, Minor, RiskGrade
from cases.registry.selectors import minor_get, minor_may_change
from cases.registry.views import records_required
from screening.grading import selectors
from screening.grading.forms import AssessmentForm, EmergencyResponseForm, HelperForm
from screening.grading.services import (
    assessment_record,
    emergency_response_mark_in_place,
    emergency_response_record,
    helper_assign,
    indicator_prefill,
)
from screening.permissions import may_grade
from screening.rules import policy_for
from tiers.forms import add_service_errors


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
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if assessment.final_grade:
                text = _("已记录评估，风险等级：%(grade)s。") % {"grade": assessment.get_final_grade_display()}
            else:
                text = _("已记录%(kind)s。") % {"kind": assessment.get_kind_display()}
            messages.success(request, text)
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "screening/grading/assessment_form.html", {"minor": minor, "form": form})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def helper_assign_view(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = HelperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            helper = helper_assign(actor=request.user, minor=minor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已指定一对一帮扶人：%(name)s。") % {"name": helper.name})
            return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "screening/grading/helper_form.html",
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
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录应急处置。"))
            return redirect("minor_detail", pk=minor.pk)
    # The contact and visit rhythm until and after the response, as the county's red policy sets it.
    red_policy = policy_for(region=minor.region, grade=RiskGrade.RED)
    return render(
        request,
        "screening/grading/emergency_response_form.html",
        {"minor": minor, "form": form, "red_policy": red_policy},
    )


@records_required
@require_POST
def emergency_response_in_place(request, pk: int, response_pk: int):
    minor = _gradable_minor(request, pk)
    response = selectors.emergency_response_list(minor=minor).filter(pk=response_pk).first()
    if response is None:
        raise Http404
    emergency_response_mark_in_place(actor=request.user, response=response)
    messages.success(request, _("已标记处置到位。"))
    return redirect("minor_detail", pk=minor.pk)

"""Pages of benefits (domain.md §9): apply (with eligibility hints), decide, end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.accesslog.services import access_kind
from cases.casework import selectors, services
from cases.casework.forms import (
    BenefitApplyForm,
    BenefitDecisionForm,
    BenefitEndForm,
)
from cases.casework.views.page import (
    benefit_hints_for,
    case_for,
    first_or_404,
    submit_case_form,
)
from cases.models import (
    AccessLog,
    Case,
)

# --- benefits ----------------------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def benefit_create(request, pk: int):
    case = case_for(request, pk)
    form = BenefitApplyForm(request.POST, programmes=selectors.benefit_programme_list())
    return submit_case_form(
        request,
        case,
        form,
        key="benefit",
        run=lambda data: services.benefit_apply(
            actor=request.user,
            minor=case.minor,
            case=case,
            programme=data["programme"],
            applied_on=data["applied_on"],
            note=data["note"],
            accept_hints=data["accept_hints"],
        ),
        success=lambda e: _("已登记申请：%(name)s。") % {"name": e.programme.name},
        anchor="benefits",
    )


@login_required
@require_GET
def benefit_hints(request, pk: int):
    """The eligibility hints of the programme chosen on the apply form (asked for by htmx on change)."""
    case = case_for(request, pk)
    form = BenefitApplyForm(request.GET, programmes=selectors.benefit_programme_list())
    return render(
        request,
        "cases/casework/includes/benefit_hints.html",
        {"benefit_form": form, "benefit_hints": benefit_hints_for(case.minor, form)},
    )


def _enrolment(case: Case, pk: int):
    return first_or_404(selectors.case_benefits(case=case).filter(pk=pk))


@login_required
@require_POST
def benefit_decide(request, pk: int, enrolment_pk: int):
    case = case_for(request, pk)
    enrolment = _enrolment(case, enrolment_pk)
    key = f"benefit-{enrolment.pk}-decide"
    form = BenefitDecisionForm(request.POST, prefix=key)
    return submit_case_form(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.benefit_decide(
            actor=request.user, enrolment=enrolment, approve=form.approve, start_on=data["start_on"], note=data["note"]
        ),
        success=lambda e: (
            _("已记录审批结果：%(name)s，%(status)s。") % {"name": e.programme.name, "status": e.get_status_display()}
        ),
        anchor="benefits",
    )


@login_required
@require_POST
def benefit_end_view(request, pk: int, enrolment_pk: int):
    case = case_for(request, pk)
    enrolment = _enrolment(case, enrolment_pk)
    key = f"benefit-{enrolment.pk}-end"
    form = BenefitEndForm(request.POST, prefix=key)
    return submit_case_form(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.benefit_end(
            actor=request.user, enrolment=enrolment, end_on=data["end_on"], note=data["note"]
        ),
        success=lambda e: _("已终止：%(name)s。") % {"name": e.programme.name},
        anchor="benefits",
    )

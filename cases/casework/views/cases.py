"""Pages of cases (issue 4): the town office's case board, opening a case from the child's record, the case
page, and the case's stage and owner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.casework import rules, selectors, services
from cases.casework.forms import (
    CaseFilterForm,
    CaseOpenForm,
    OwnerForm,
    StageForm,
)
from cases.casework.selectors import (
    case_owner_choices,
)
from cases.casework.views.page import (
    case_for,
    case_page,
    may,
    submit_case_form,
)
from cases.models import (
    AccessLog,
    Case,
    CaseStage,
    MinorStatus,
)
from cases.registry.selectors import minor_get
from cases.registry.views import records_required
from tiers.forms import add_service_errors
from tiers.roles import Capability

BOARD_PAGE_SIZE = 30


# --- the case board ------------------------------------------------------------------------------


@records_required
@require_GET
def case_board(request):
    """Open cases in reach, filterable by stage, grade, track and overdue measures; counts per stage."""
    form = CaseFilterForm(request.GET)
    filters = form.filters()
    cases = selectors.with_red_plan_state(selectors.case_list(user=request.user, filters=filters)).select_related(
        "minor__region__parent"
    )
    page = Paginator(cases, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    # Counts per stage under the other filters, in one query.
    everything = selectors.case_list(
        user=request.user,
        filters=selectors.CaseFilters(
            grade=filters.grade, track=filters.track, overdue=filters.overdue, open_only=False
        ),
    )
    counts = dict(
        Case.objects.filter(pk__in=everything.values("pk"))
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    open_total = sum(n for stage, n in counts.items() if stage != CaseStage.CLOSED)
    tabs = [{"value": "", "label": _("全部在办"), "count": open_total}] + [
        {"value": stage.value, "label": stage.label, "count": counts.get(stage.value, 0)} for stage in CaseStage
    ]
    return render(
        request,
        "cases/casework/case_board.html",
        {"form": form, "page": page, "tabs": tabs, "stage": filters.stage},
    )


# --- opening a case from the record ----------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_http_methods(["GET", "POST"])
def case_open_view(request, pk: int):
    minor = minor_get(user=request.user, pk=pk)
    if not may(request.user, Capability.MANAGE_CASES, minor.region.path):
        raise PermissionDenied
    existing = selectors.case_open_for_minor(minor=minor)
    if existing is not None:
        messages.info(request, _("%(name)s已有在办个案。") % {"name": minor.name})
        return redirect("case_detail", pk=existing.pk)
    form = CaseOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, minor=minor, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已为%(name)s立案。请制定帮扶计划。") % {"name": minor.name})
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/casework/case_open.html",
        {
            "minor": minor,
            "form": form,
            "closed": minor.status != MinorStatus.ACTIVE,
            "red_plan_hours": rules.red_plan_hours(),
        },
    )


@login_required
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    return case_page(request, case)


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def case_stage(request, pk: int):
    case = case_for(request, pk)
    form = StageForm(request.POST, prefix="stage")
    return submit_case_form(
        request,
        case,
        form,
        key="stage",
        run=lambda data: services.case_set_stage(actor=request.user, case=case, stage=data["stage"], note=data["note"]),
        success=lambda c: _("阶段已改为“%(stage)s”。") % {"stage": c.get_stage_display()},
        anchor="",
    )


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def case_owner(request, pk: int):
    case = case_for(request, pk)
    form = OwnerForm(request.POST, prefix="owner", owners=case_owner_choices(case=case))
    return submit_case_form(
        request,
        case,
        form,
        key="owner",
        run=lambda data: services.case_set_owner(actor=request.user, case=case, owner=data["owner"]),
        success=_("已变更责任人。"),
        anchor="",
    )

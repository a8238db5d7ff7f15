"""Pages of closing (domain.md §4): request and decide a closure, reopen, and the approvals page for the
town leader and office head."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.accesslog.services import access_kind
from cases.casework import selectors, services
from cases.casework.forms import (
    CaseReopenForm,
    ClosureRequestForm,
    DecisionForm,
)
from cases.casework.views.page import (
    case_for,
    case_url,
    submit_case_form,
)
from cases.models import (
    AccessLog,
)
from tiers.roles import Capability
from tiers.selectors import user_can

# --- closing and reopening ---------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def closure_request(request, pk: int):
    case = case_for(request, pk)
    form = ClosureRequestForm(request.POST, prefix="closure")
    return submit_case_form(
        request,
        case,
        form,
        key="closure",
        run=lambda data: services.case_request_closure(
            actor=request.user, case=case, closing_assessment=data["closing_assessment"]
        ),
        success=_("已提交结案申请，待乡镇（街道）领导或民政办负责人审批。"),
        anchor="closing",
    )


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def closure_decide(request, pk: int):
    case = case_for(request, pk, Capability.APPROVE)
    closure = selectors.case_pending_closure(case=case)
    if closure is None:
        messages.info(request, _("没有待审批的结案申请。"))
        return redirect(case_url(case, "closing"))
    form = DecisionForm(request.POST, prefix="closure-decide")
    return submit_case_form(
        request,
        case,
        form,
        key="closure-decide",
        run=lambda data: services.case_decide_closure(
            actor=request.user, closure=closure, approve=form.approve, note=data["note"]
        ),
        success=lambda c: _("已批准结案。") if c.status == c.Status.APPROVED else _("已退回结案申请。"),
        anchor="closing",
    )


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def case_reopen_view(request, pk: int):
    case = case_for(request, pk)
    form = CaseReopenForm(request.POST, prefix="reopen")
    return submit_case_form(
        request,
        case,
        form,
        key="reopen",
        run=lambda data: services.case_reopen(actor=request.user, case=case, reason=data["reason"]),
        success=_("已重新开案。"),
        anchor="",
    )


# --- approvals ---------------------------------------------------------------------------------------


@login_required
@require_GET
def approvals(request):
    """Closures and level-3/4 interventions waiting for the town leader or office head, in reach."""
    if not user_can(request.user, Capability.APPROVE):
        raise PermissionDenied
    closures = selectors.closures_awaiting_approval(user=request.user).select_related("case__minor__region__parent")
    interventions = selectors.interventions_awaiting_approval(user=request.user).select_related(
        "case__minor__region__parent", "recorded_by"
    )
    return render(
        request,
        "cases/casework/approvals.html",
        {
            "closures": list(closures.order_by("requested_at", "pk")),
            "interventions": list(interventions.order_by("recorded_at", "pk")),
            "may_approve_interventions": user_can(request.user, Capability.APPROVE_INTERVENTION),
        },
    )

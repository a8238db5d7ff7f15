"""Pages of cross-county move requests under /privacy/moves/ (issue 10 §5): the receiving county decides,
the sending side follows and may cancel. Each page reads through cases.privacy.moves.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.privacy.moves import selectors, services
from cases.privacy.moves.forms import MeasureAssignForm, MoveCancelForm, MoveDecisionForm
from tiers.forms import add_service_errors


@login_required
def move_request_list(request):
    return render(
        request,
        "cases/privacy/move_request_list.html",
        {
            "incoming": list(selectors.move_requests_incoming(user=request.user)[:200]),
            "outgoing": list(selectors.move_requests_outgoing(user=request.user)[:200]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_request_detail(request, pk: int):
    move_request = selectors.move_request_get(user=request.user, pk=pk)
    may_decide = services.move_request_may_decide(user=request.user, move_request=move_request)
    may_cancel = services.move_request_may_cancel(user=request.user, move_request=move_request)
    decision = MoveDecisionForm(request.POST if request.method == "POST" and "decision" in request.POST else None)
    cancel = MoveCancelForm(request.POST if request.method == "POST" and "cancel" in request.POST else None)
    if request.method == "POST":
        form = decision if "decision" in request.POST else cancel
        if form.is_valid():
            try:
                if form is cancel:
                    services.move_request_cancel(
                        actor=request.user, move_request=move_request, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("已撤回迁移申请。"))
                elif request.POST.get("decision") == "accept":
                    services.move_request_accept(
                        actor=request.user, move_request=move_request, note=form.cleaned_data["note"]
                    )
                    messages.success(request, _("已接收，档案已移交迁入地。"))
                else:
                    services.move_request_decline(
                        actor=request.user, move_request=move_request, reason=form.cleaned_data["note"]
                    )
                    messages.success(request, _("已退回迁移申请。"))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("privacy_moves_list")
    return render(
        request,
        "cases/privacy/move_request_detail.html",
        {
            "move_request": move_request,
            "may_decide": may_decide and move_request.status == "PENDING",
            "may_cancel": may_cancel and move_request.status == "PENDING",
            "decision": decision,
            "cancel": cancel,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def moved_measure_assign(request, pk: int):
    """The new town office gives a handed-over measure without a group to one of its groups."""
    from cases.casework.selectors import measure_get

    measure = measure_get(user=request.user, pk=pk)
    groups = selectors.groups_for_measure(measure=measure)
    form = MeasureAssignForm(request.POST if request.method == "POST" else None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.moved_measure_assign(actor=request.user, measure=measure, group=form.cleaned_data["group"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已分配工作组。"))
            return redirect("case_detail", pk=measure.case_id)
    return render(request, "cases/privacy/moved_measure_assign.html", {"measure": measure, "form": form})

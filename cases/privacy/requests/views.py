"""Pages of the correction and deletion requests (issue 10 §9; domain.md §13): recording a request from
the record page, and the town office head's list of pending requests with the decision forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models.privacy import DataRequestStatus
from cases.registry import selectors as registry_selectors
from cases.registry.views import records_required
from tiers.forms import add_service_errors
from tiers.roles import Capability
from tiers.selectors import user_can

from . import selectors, services
from .forms import DataRequestDecisionForm, DataRequestForm


@records_required
@require_http_methods(["GET", "POST"])
def data_request_create(request, pk: int):
    """Write down a child's or guardian's request (staff who may change the record)."""
    minor = registry_selectors.minor_get(user=request.user, pk=pk)
    if not registry_selectors.minor_may_change(user=request.user, minor=minor):
        raise PermissionDenied
    form = DataRequestForm(request.POST if request.method == "POST" else None, minor=minor)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_request_record(
                actor=request.user,
                minor=minor,
                kind=form.cleaned_data["kind"],
                requester=form.cleaned_data["requester"],
                requester_name=form.cleaned_data["requester_name"],
                reason=form.cleaned_data["reason"],
                corrections=form.corrections(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记申请，待民政办负责人决定。"))
            return redirect("minor_detail", pk=minor.pk)
    requests = selectors.data_request_list(user=request.user, minor=minor)
    return render(request, "cases/privacy/data_request_form.html", {"minor": minor, "form": form, "requests": requests})


@login_required
@require_http_methods(["GET"])
def data_request_pending(request):
    """The pending requests the office head decides, each with its decision form."""
    if not user_can(request.user, Capability.DECIDE_DATA_REQUESTS):
        raise PermissionDenied
    pending = list(selectors.data_request_pending_for_decision(user=request.user))
    decided = selectors.data_request_list(user=request.user).exclude(status=DataRequestStatus.PENDING)[:20]
    rows = [(item, DataRequestDecisionForm(prefix=f"r{item.pk}")) for item in pending]
    return render(request, "cases/privacy/data_request_list.html", {"rows": rows, "decided": decided})


@login_required
@require_POST
def data_request_decide(request, pk: int):
    item = selectors.data_request_get(user=request.user, pk=pk)
    if not selectors.data_request_may_decide(user=request.user, request=item):
        raise PermissionDenied
    form = DataRequestDecisionForm(request.POST, prefix=f"r{item.pk}")
    if form.is_valid():
        try:
            services.data_request_decide(
                actor=request.user,
                request=item,
                grant=form.cleaned_data["grant"],
                reason=form.cleaned_data["reason"],
                confirm_possible_duplicate=form.cleaned_data["confirm_possible_duplicate"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已作出决定。"))
            return redirect("privacy_requests_list")
    pending = list(selectors.data_request_pending_for_decision(user=request.user))
    rows = [(p, form if p.pk == item.pk else DataRequestDecisionForm(prefix=f"r{p.pk}")) for p in pending]
    decided = selectors.data_request_list(user=request.user).exclude(status=DataRequestStatus.PENDING)[:20]
    return render(request, "cases/privacy/data_request_list.html", {"rows": rows, "decided": decided})

"""Web pages of the governance records (issue 6 §5; domain.md §4 mechanisms 1 and 7, §1.3 T-9): the
meeting list with the compliance panel, recording and correcting a meeting with its follow-up items,
and marking an item done.

Scope as everywhere (STYLE.md rule 3): a meeting outside the user's reach answers 404; a meeting in
reach that the user may only read (a leadership viewer, the town's child supervisor) answers 403 on
every write, and so does recording for a user who may record nowhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.forms import (
    ActionItemStatusForm,
    MeetingFilterForm,
    MeetingForm,
    action_item_formset,
)
from governance.models import Meeting
from tiers.roles import Capability
from tiers.selectors import user_can

PAGE_SIZE = 30


def _require(request, capability: str) -> None:
    if not user_can(request.user, capability):
        raise PermissionDenied


def _manageable(request, pk: int) -> Meeting:
    """The meeting if the user keeps its records; 404 outside their reach, 403 if they may only read it."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not services.meeting_may_manage(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_GET
def governance_list(request):
    """Meetings in reach (filter by year, kind, town) and, for the year, who held enough of them."""
    _require(request, Capability.VIEW_AGGREGATES)
    regions = selectors.governance_regions(user=request.user)
    form = MeetingFilterForm(request.GET or None, years=selectors.meeting_years(user=request.user), regions=regions)
    chosen = form.values()
    meetings = selectors.meeting_list(
        user=request.user, region=chosen["region"], year=chosen["year"], kind=chosen["kind"]
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    compliance = selectors.governance_compliance(user=request.user, year=chosen["year"])
    if chosen["region"] is not None:
        compliance = [row for row in compliance if row["region"].is_within(chosen["region"])]
    return render(
        request,
        "governance/meeting_list.html",
        {
            "form": form,
            "year": chosen["year"],
            "page": page,
            "compliance": compliance,
            "year_in_progress": chosen["year"] == timezone.localdate().year,
            "may_record": user_can(request.user, Capability.MANAGE_GOVERNANCE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def governance_new(request):
    """Record a meeting and its follow-up items; nothing is saved unless all of it is valid."""
    _require(request, Capability.MANAGE_GOVERNANCE)
    regions = selectors.governance_regions(user=request.user, capability=Capability.MANAGE_GOVERNANCE)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, regions=regions)
    formset = action_item_formset(data)
    item_errors: list[str] = []
    if data is not None:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                meeting = services.meeting_record(
                    actor=request.user,
                    region=form.cleaned_data["region"],
                    action_items=formset.payload(),
                    **form.meeting_data(),
                )
            except ValidationError as exc:
                item_errors = form.add_service_errors(exc)
            else:
                messages.success(request, _("已记录会议：%(title)s。") % {"title": meeting.title})
                return redirect("governance_detail", pk=meeting.pk)
    return render(
        request,
        "governance/meeting_form.html",
        {"form": form, "formset": formset, "item_errors": item_errors, "meeting": None, "title": _("记录工作会议")},
    )


@login_required
@require_GET
def governance_detail(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return _render_detail(request, meeting)


def _render_detail(request, meeting: Meeting, *, failed_item: int | None = None, failed_form=None):
    may_manage = services.meeting_may_manage(user=request.user, meeting=meeting)
    items = []
    for item in meeting.action_items.all():
        form = None
        if may_manage:
            if item.pk == failed_item:
                form = failed_form
            else:
                form = ActionItemStatusForm(
                    initial={"status": item.status, "done_on": item.done_on, "note": item.note},
                    prefix=f"item{item.pk}",
                )
        items.append({"item": item, "form": form, "overdue": _overdue(item)})
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "may_manage": may_manage,
            "history": selectors.meeting_history(meeting=meeting),
        },
    )


def _overdue(item) -> bool:
    return item.status == item.Status.OPEN and item.due_on is not None and item.due_on < timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
def governance_edit(request, pk: int):
    """Correct a meeting; existing follow-up items may be reworded and new ones added."""
    meeting = _manageable(request, pk)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, initial=MeetingForm.initial_for(meeting))
    formset = action_item_formset(data, items=list(meeting.action_items.all()))
    item_errors: list[str] = []
    if data is not None:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                services.meeting_update(
                    actor=request.user, meeting=meeting, action_items=formset.payload(), **form.meeting_data()
                )
            except ValidationError as exc:
                item_errors = form.add_service_errors(exc)
            else:
                messages.success(request, _("已保存修改。"))
                return redirect("governance_detail", pk=meeting.pk)
    return render(
        request,
        "governance/meeting_form.html",
        {
            "form": form,
            "formset": formset,
            "item_errors": item_errors,
            "meeting": meeting,
            "title": _("修改会议记录"),
        },
    )


@login_required
@require_POST
def governance_item_update(request, pk: int, item_pk: int):
    """Mark one follow-up item done (with its date), dropped (with the reason) or open again."""
    meeting = _manageable(request, pk)
    item = get_object_or_404(meeting.action_items.all(), pk=item_pk)
    form = ActionItemStatusForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            services.action_item_update(
                actor=request.user,
                item=item,
                status=form.cleaned_data["status"],
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已更新督办事项：%(item)s。") % {"item": item.description})
            return redirect(reverse("governance_detail", args=[meeting.pk]) + f"#item-{item.pk}")
    meeting = selectors.meeting_get(user=request.user, pk=meeting.pk)
    return _render_detail(request, meeting, failed_item=item.pk, failed_form=form)

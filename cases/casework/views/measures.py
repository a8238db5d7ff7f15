"""Pages of measures and working groups (issue 4 §1; domain.md §5): adding a measure to the plan, reporting
progress (from the case page or a group's page), the working groups and their set-up. A partner in a group
sees only its own town's measures (a group outside reach answers 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.casework import selectors, services
from cases.casework.forms import (
    MeasureForm,
    MeasureProgressForm,
    WorkingGroupForm,
)
from cases.casework.selectors import (
    group_member_choices,
    organisation_choices,
    responsible_choices,
)
from cases.casework.views.page import (
    case_for,
    case_page,
    case_url,
    may,
    submit_case_form,
)
from cases.models import (
    OPEN_MEASURE_STATUSES,
    AccessLog,
    CaseStage,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import group_measures_for
from tiers.forms import add_service_errors
from tiers.roles import Capability, Level
from tiers.selectors import user_posts, user_reach


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def measure_create(request, pk: int):
    case = case_for(request, pk)
    form = MeasureForm(request.POST, prefix="measure", people=responsible_choices(case=case))
    return submit_case_form(
        request,
        case,
        form,
        key="measure",
        run=lambda data: services.measure_add(actor=request.user, case=case, **form.service_kwargs()),
        success=lambda m: _("已添加措施：%(title)s。") % {"title": m.title},
        anchor="plan",
    )


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def measure_progress(request, pk: int):
    """Progress on one measure, from the case page or a working group's page (members without registry
    access report here too: measure_get lets the responsible person and the group's members see it)."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    if not services.measure_may_update(user=request.user, measure=measure):
        raise PermissionDenied
    form = MeasureProgressForm(request.POST, measure=measure)
    from_group = form.data.get(form.add_prefix("back")) == "group" and measure.group_id is not None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_update(
                actor=request.user,
                measure=measure,
                status=data["status"],
                outcome=data["outcome"],
                cancel_reason=data["cancel_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已更新措施“%(title)s”的进展。") % {"title": measure.title})
            if from_group:
                return redirect(f"{reverse('group_detail', args=[measure.group_id])}#measure-{measure.pk}")
            return redirect(case_url(measure.case, f"measure-{measure.pk}"))
    if from_group:
        group = selectors.group_get(user=request.user, pk=measure.group_id)
        return _group_page(request, group, bound={measure.pk: form})
    case = selectors.case_get(user=request.user, pk=measure.case_id)
    return case_page(request, case, bound={f"measure-{measure.pk}": form})


# --- working groups ----------------------------------------------------------------------------------


def _manageable_towns(user) -> list:
    """Towns (and counties) where the user runs casework and may set up the working groups."""
    return [
        post.region
        for post in user_posts(user)
        if post.region.level in (Level.TOWN, Level.COUNTY)
        and post.region.is_active
        and may(user, Capability.MANAGE_CASES, post.region.path)
    ]


@login_required
@require_GET
def group_list(request):
    """The working groups of the user's area and those the user is a member of, with open and overdue measures."""
    open_measure = Q(measures__status__in=OPEN_MEASURE_STATUSES) & ~Q(measures__case__stage=CaseStage.CLOSED)
    groups = list(
        selectors.group_list(user=request.user).annotate(
            open_count=Count("measures", filter=open_measure, distinct=True),
            overdue_count=Count(
                "measures", filter=open_measure & Q(measures__due_on__lt=timezone.localdate()), distinct=True
            ),
        )
    )
    mine = set(request.user.working_groups.values_list("pk", flat=True))
    regions: dict[int, dict[str, Any]] = {}
    for group in groups:
        group.is_member = group.pk in mine
        regions.setdefault(group.region_id, {"region": group.region, "groups": []})["groups"].append(group)
    with_groups = {group.region_id for group in groups}
    return render(
        request,
        "cases/casework/group_list.html",
        {
            "my_groups": [g for g in groups if g.is_member],
            "regions": list(regions.values()),
            "missing": [region for region in _manageable_towns(request.user) if region.pk not in with_groups],
        },
    )


@login_required
@require_POST
def groups_ensure(request):
    """Set up a town's six working groups with the default departments (domain.md §5)."""
    wanted = request.POST.get("region")
    region = next((r for r in _manageable_towns(request.user) if str(r.pk) == wanted), None)
    if region is None:
        raise PermissionDenied
    services.working_groups_ensure(region=region)
    messages.success(
        request, _("已建立%(name)s的六个工作小组，可按实际情况修改牵头单位和成员。") % {"name": region.name}
    )
    return redirect("group_list")


def _group_page(request, group: WorkingGroup, *, bound: dict[int, forms.Form] | None = None):
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    # Mirrors measure_may_update for this one group without a query per measure.
    is_member = group.members.filter(pk=user.pk).exists()
    # A child the user may not see (sealed, or a figures-only login) appears as a reference (issue 10 §3, §4).
    measures = group_measures_for(user=user, group=group, is_member=is_member)
    manage = user_reach(user, Capability.MANAGE_CASES)
    records = user_reach(user, Capability.VIEW_RECORDS)
    for measure in measures:
        path = measure.case.minor.region.path
        measure.overdue = measure.due_on < today
        measure.overdue_days = (today - measure.due_on).days
        measure.may_view_case = measure.shows_child and records.covers(path)
        measure.may_update = measure.shows_child and (
            is_member or manage.covers(path) or measure.responsible_user_id == user.pk
        )
        if measure.may_update:
            measure.form = bound.get(measure.pk) or MeasureProgressForm(measure=measure, back="group")
    return render(
        request,
        "cases/casework/group_detail.html",
        {
            "group": group,
            "measures": measures,
            "overdue_count": sum(1 for m in measures if m.overdue),
            "member_organisations": list(group.member_organisations.select_related("region")),
            "members": list(group.members.order_by("first_name", "username")),
            "is_member": is_member,
            "may_edit": services.working_group_may_edit(user=user, group=group),
        },
    )


@login_required
@require_GET
def group_detail(request, pk: int):
    group = selectors.group_get(user=request.user, pk=pk)
    return _group_page(request, group)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    group = selectors.group_get(user=request.user, pk=pk)
    if not services.working_group_may_edit(user=request.user, group=group):
        raise PermissionDenied
    form = WorkingGroupForm(
        request.POST if request.method == "POST" else None,
        group=group,
        organisations=organisation_choices(path=group.region.path),
        people=group_member_choices(group=group),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.working_group_update(
                actor=request.user,
                group=group,
                lead_organisation=data["lead_organisation"],
                member_organisations=list(data["member_organisations"]),
                members=list(data["members"]),
                duties=data["duties"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存%(group)s。") % {"group": group})
            return redirect("group_detail", pk=group.pk)
    return render(request, "cases/casework/group_form.html", {"group": group, "form": form})

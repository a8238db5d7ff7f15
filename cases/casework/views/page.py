"""The case page (plan by track, interventions, placement, benefits, closing, history) and what every form
posted from it shares: each form posts to its own address; on a refusal the page is shown again with that
form's errors. Scope as everywhere (STYLE.md rule 3): a case outside the user's reach answers 404, whoever
asks; a case in reach that the user may only read answers 403 on every write (a service's ActionNotAllowed
is a 403 too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.casework import rules, selectors, services
from cases.casework.forms import (
    BenefitApplyForm,
    BenefitDecisionForm,
    BenefitEndForm,
    CaseReopenForm,
    ClosureRequestForm,
    DecisionForm,
    InterventionForm,
    InterventionOutcomeForm,
    InterventionTakenForm,
    MeasureForm,
    MeasureProgressForm,
    OwnerForm,
    PlacementEndForm,
    PlacementForm,
    StageForm,
)
from cases.casework.selectors import (
    case_owner_choices,
    organisation_choices,
    responsible_choices,
)
from cases.models import (
    Case,
    EnrolmentStatus,
    InterventionLevel,
    InterventionStatus,
    MinorStatus,
    Track,
)
from tiers.forms import add_service_errors
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import user_reach

# Short names for the ladder strip on the case page (the full labels are InterventionLevel's).
LADDER_SHORT = {
    InterventionLevel.GUIDANCE: gettext_lazy("0 指导"),
    InterventionLevel.ADMONISH: gettext_lazy("1 劝诫"),
    InterventionLevel.POLICE_REPRIMAND: gettext_lazy("2 训诫"),
    InterventionLevel.PROTECTIVE_MEASURE: gettext_lazy("3 保护"),
    InterventionLevel.JUDICIAL: gettext_lazy("4 司法"),
}


def may(user, capability: str, path: str) -> bool:
    return user_reach(user, capability).covers(path)


def case_for(request, pk: int, capability: str = Capability.MANAGE_CASES) -> Case:
    """The case if the user may act on it with `capability`; 404 outside their reach, 403 if they may only read."""
    case = selectors.case_get(user=request.user, pk=pk)
    if not may(request.user, capability, case.minor.region.path):
        raise PermissionDenied
    return case


def case_url(case: Case, anchor: str = "") -> str:
    url = reverse("case_detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def first_or_404(queryset):
    found = queryset.first()
    if found is None:
        raise Http404
    return found


# --- the case page -----------------------------------------------------------------------------------


def case_page(request, case: Case, *, bound: dict[str, forms.Form] | None = None):
    """The case page; `bound` holds the one form that was just refused, shown with its errors."""
    bound = bound or {}
    user = request.user
    minor = case.minor
    path = minor.region.path
    today = timezone.localdate()
    may_manage = may(user, Capability.MANAGE_CASES, path)
    may_approve = may(user, Capability.APPROVE, path)
    may_approve_intervention = may(user, Capability.APPROVE_INTERVENTION, path)
    is_open = case.is_open
    # "Town · Village · Grid" on the page needs the units above the child's place (one query).
    minor.region = Region.objects.select_related("parent", "parent__parent").get(pk=minor.region_id)

    # The plan, by track. Who may report progress mirrors measure_may_update without a query per measure.
    measures = list(selectors.case_measures(case=case).select_related("group__region"))
    my_groups = set(user.working_groups.values_list("pk", flat=True))
    for measure in measures:
        measure.overdue = measure.is_open and measure.due_on < today
        measure.may_update = measure.is_open and (
            may_manage or measure.responsible_user_id == user.pk or measure.group_id in my_groups
        )
        if measure.may_update:
            measure.form = bound.get(f"measure-{measure.pk}") or MeasureProgressForm(measure=measure)
    tracks = [
        {"value": track.value, "label": track.label, "measures": [m for m in measures if m.track == track]}
        for track in Track
    ]
    empty_tracks = [track for track in tracks if not track["measures"]]
    open_measures = [m for m in measures if m.is_open]

    interventions = list(selectors.case_interventions(case=case))
    proposals = {i.follows_id: i for i in interventions if i.follows_id}
    for intervention in interventions:
        intervention.proposal = proposals.get(intervention.pk)
        intervention.high = rules.intervention_needs_approval(intervention.level)
        key = f"intervention-{intervention.pk}"
        if intervention.status == InterventionStatus.PENDING_APPROVAL and may_approve_intervention:
            intervention.decide_form = bound.get(f"{key}-decide") or DecisionForm(prefix=f"{key}-decide")
        if may_manage and intervention.status in (InterventionStatus.APPROVED, InterventionStatus.PROPOSED):
            intervention.taken_form = bound.get(f"{key}-taken") or InterventionTakenForm(prefix=f"{key}-taken")
        if may_manage and intervention.status == InterventionStatus.TAKEN:
            intervention.outcome_form = bound.get(f"{key}-outcome") or InterventionOutcomeForm(prefix=f"{key}-outcome")

    used_levels = {i.level for i in interventions if i.status != InterventionStatus.WITHDRAWN}
    ladder = [
        {"level": level.value, "label": level.label, "short": LADDER_SHORT[level], "used": level.value in used_levels}
        for level in InterventionLevel
    ]

    placements = list(selectors.case_placements(case=case))
    current_placement = next((p for p in placements if p.end_on is None), None)
    if current_placement is not None and may_manage:
        current_placement.end_form = bound.get("placement-end") or PlacementEndForm(prefix="placement-end")
    route = services.placement_route(minor=minor)

    benefits = list(selectors.case_benefits(case=case))
    for enrolment in benefits:
        key = f"benefit-{enrolment.pk}"
        if may_manage and enrolment.status == EnrolmentStatus.APPLIED:
            enrolment.decide_form = bound.get(f"{key}-decide") or BenefitDecisionForm(prefix=f"{key}-decide")
        if may_manage and enrolment.status == EnrolmentStatus.APPROVED:
            enrolment.end_form = bound.get(f"{key}-end") or BenefitEndForm(prefix=f"{key}-end")
    benefit_form = None
    benefit_hints: list[str] = []
    if may_manage and minor.status == MinorStatus.ACTIVE:
        benefit_form = bound.get("benefit") or BenefitApplyForm(programmes=selectors.benefit_programme_list())
        benefit_hints = benefit_hints_for(minor, benefit_form) if benefit_form.is_bound else []

    pending_closure = selectors.case_pending_closure(case=case)
    closure_form = closure_decide_form = reopen_form = None
    if may_manage and is_open and pending_closure is None:
        closure_form = bound.get("closure") or ClosureRequestForm(prefix="closure")
    if pending_closure is not None and may_approve and pending_closure.requested_by_id != user.pk:
        closure_decide_form = bound.get("closure-decide") or DecisionForm(prefix="closure-decide")
    if may_manage and not is_open:
        reopen_form = bound.get("reopen") or CaseReopenForm(prefix="reopen")

    manage_forms: dict[str, Any] = {}
    if may_manage and is_open:
        manage_forms = {
            "stage_form": bound.get("stage") or StageForm(prefix="stage", initial={"stage": case.stage}),
            "owner_form": bound.get("owner")
            or OwnerForm(prefix="owner", owners=case_owner_choices(case=case), initial={"owner": case.owner_id}),
            "measure_form": bound.get("measure")
            or MeasureForm(prefix="measure", people=responsible_choices(case=case)),
            "intervention_form": bound.get("intervention") or InterventionForm(guardians=minor.guardians.all()),
            "placement_form": bound.get("placement")
            or PlacementForm(
                institutions=organisation_choices(path=path),
                suggested=route.suggested_types,
            ),
        }
    plan_missing, plan_late = selectors.case_red_plan_state(case=case)
    return render(
        request,
        "cases/casework/case_detail.html",
        {
            "case": case,
            "minor": minor,
            "today": today,
            "may_manage": may_manage,
            "may_approve": may_approve,
            "may_approve_intervention": may_approve_intervention,
            "is_open": is_open,
            "tracks": tracks,
            "empty_tracks": empty_tracks,
            "measure_count": len(measures),
            "open_measures": open_measures,
            "overdue_count": sum(1 for m in measures if m.overdue),
            "plan_missing": plan_missing,
            "plan_late": plan_late,
            "interventions": interventions,
            "ladder": ladder,
            "pending_interventions": sum(1 for i in interventions if i.status == InterventionStatus.PENDING_APPROVAL),
            "placements": placements,
            "current_placement": current_placement,
            "route": route,
            "benefits": benefits,
            "benefit_form": benefit_form,
            "benefit_hints": benefit_hints,
            "pending_closure": pending_closure,
            "closure_form": closure_form,
            "closure_blocked_by_grade": is_open and rules.case_closure_blocked_by_grade(minor=minor),
            "closure_decide_form": closure_decide_form,
            "reopen_form": reopen_form,
            "closures": list(case.closures.select_related("requested_by", "decided_by")),
            "history": selectors.case_history(case=case),
            "bound_key": next(iter(bound), ""),
            **manage_forms,
        },
    )


def benefit_hints_for(minor, form: BenefitApplyForm) -> list[str]:
    """The eligibility hints of the programme chosen on a submitted form (none when nothing valid is chosen)."""
    field = form["programme"]
    try:
        programme = form.fields["programme"].clean(field.data)
    except ValidationError:
        return []
    return services.benefit_eligibility_hints(minor=minor, programme=programme)


def submit_case_form(
    request,
    case: Case,
    form: forms.Form,
    *,
    key: str,
    run: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    anchor: str,
):
    """Validate, call the service, and go back to the case page; on a refusal show the page with the errors."""
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(case_url(case, anchor))
    return case_page(request, case, bound={key: form})

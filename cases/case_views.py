"""Web pages of casework (issue 4): the town office's case board and case page (plan, interventions,
placement, benefits, closing, history), the working groups and the approvals page. Each view parses
input, calls a selector or a service, and renders.

Scope as everywhere (STYLE.md rule 3): a case, measure or group outside the user's reach answers 404,
whoever asks (partner staff included, so a member of one town's group learns nothing of another town's
cases); a case in reach that the user may only read answers 403 on every write. Every form of the case
page posts to its own address; on a refusal the case page is shown again with that form's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.case_forms import (
    BenefitApplyForm,
    BenefitDecisionForm,
    BenefitEndForm,
    CaseFilterForm,
    CaseOpenForm,
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
    WorkingGroupForm,
)
from cases.models import (
    APPROVAL_LEVEL,
    OPEN_MEASURE_STATUSES,
    AccessLog,
    Case,
    CaseStage,
    EnrolmentStatus,
    InterventionLevel,
    InterventionStatus,
    MinorStatus,
    RiskGrade,
    Track,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import group_measures_for
from cases.registry.selectors import minor_get
from cases.registry.services import RegistryPermissionDenied
from cases.registry.views import records_required
from cases.selectors import casework as selectors
from cases.selectors.casework_staff import (
    case_owner_choices,
    group_member_choices,
    organisation_choices,
    responsible_choices,
)
from cases.services import casework as services
from tiers.forms import add_service_errors
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_can, user_posts, user_reach

BOARD_PAGE_SIZE = 30
# Short names for the ladder strip on the case page (the full labels are InterventionLevel's).
LADDER_SHORT = {
    InterventionLevel.GUIDANCE: gettext_lazy("0 指导"),
    InterventionLevel.ADMONISH: gettext_lazy("1 劝诫"),
    InterventionLevel.POLICE_REPRIMAND: gettext_lazy("2 训诫"),
    InterventionLevel.PROTECTIVE_MEASURE: gettext_lazy("3 保护"),
    InterventionLevel.JUDICIAL: gettext_lazy("4 司法"),
}


def _may(user, capability: str, path: str) -> bool:
    return user_reach(user, capability).covers(path)


def _case_for(request, pk: int, capability: str = Capability.MANAGE_CASES) -> Case:
    """The case if the user may act on it with `capability`; 404 outside their reach, 403 if they may only read."""
    case = selectors.case_get(user=request.user, pk=pk)
    if not _may(request.user, capability, case.minor.region.path):
        raise PermissionDenied
    return case


def _case_url(case: Case, anchor: str = "") -> str:
    url = reverse("case_detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _first_or_404(queryset):
    found = queryset.first()
    if found is None:
        raise Http404
    return found


# --- the case board ------------------------------------------------------------------------------


@records_required
@require_GET
def case_board(request):
    """Open cases in reach, filterable by stage, grade, track and overdue measures; counts per stage."""
    form = CaseFilterForm(request.GET)
    filters = form.filters()
    cases = selectors.case_list(user=request.user, filters=filters).select_related("minor__region__parent")
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
    now = timezone.now()
    for case in page.object_list:
        case.plan_missing = (
            case.minor.risk_grade == RiskGrade.RED and case.plan_due_at is not None and not case.open_measures
        )
        case.plan_late = case.plan_missing and case.plan_due_at < now
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
    if not _may(request.user, Capability.MANAGE_CASES, minor.region.path):
        raise PermissionDenied
    existing = selectors.case_open_for_minor(minor=minor)
    if existing is not None:
        messages.info(request, _("%(name)s已有在办个案。") % {"name": minor.name})
        return redirect("case_detail", pk=existing.pk)
    form = CaseOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, minor=minor, note=form.cleaned_data["note"])
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已为%(name)s立案。请制定帮扶计划。") % {"name": minor.name})
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/casework/case_open.html",
        {"minor": minor, "form": form, "closed": minor.status != MinorStatus.ACTIVE},
    )


# --- the case page -----------------------------------------------------------------------------------


def _case_page(request, case: Case, *, bound: dict[str, forms.Form] | None = None):
    """The case page; `bound` holds the one form that was just refused, shown with its errors."""
    bound = bound or {}
    user = request.user
    minor = case.minor
    path = minor.region.path
    today = timezone.localdate()
    may_manage = _may(user, Capability.MANAGE_CASES, path)
    may_approve = _may(user, Capability.APPROVE, path)
    may_approve_intervention = _may(user, Capability.APPROVE_INTERVENTION, path)
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
        intervention.high = intervention.level >= APPROVAL_LEVEL
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
        benefit_hints = _hints_for(minor, benefit_form) if benefit_form.is_bound else []

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
    plan_missing = is_open and minor.risk_grade == RiskGrade.RED and case.plan_due_at is not None and not measures
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
            "plan_late": plan_missing and case.plan_due_at < timezone.now(),
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
            "closure_blocked_by_grade": is_open and services.case_closure_blocked_by_grade(minor=minor),
            "closure_decide_form": closure_decide_form,
            "reopen_form": reopen_form,
            "closures": list(case.closures.select_related("requested_by", "decided_by")),
            "history": selectors.case_history(case=case),
            "bound_key": next(iter(bound), ""),
            **manage_forms,
        },
    )


def _hints_for(minor, form: BenefitApplyForm) -> list[str]:
    """The eligibility hints of the programme chosen on a submitted form (none when nothing valid is chosen)."""
    field = form["programme"]
    try:
        programme = form.fields["programme"].clean(field.data)
    except ValidationError:
        return []
    return services.benefit_eligibility_hints(minor=minor, programme=programme)


@login_required
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    return _case_page(request, case)


def _submit(
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
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(_case_url(case, anchor))
    return _case_page(request, case, bound={key: form})


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def case_stage(request, pk: int):
    case = _case_for(request, pk)
    form = StageForm(request.POST, prefix="stage")
    return _submit(
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
    case = _case_for(request, pk)
    form = OwnerForm(request.POST, prefix="owner", owners=case_owner_choices(case=case))
    return _submit(
        request,
        case,
        form,
        key="owner",
        run=lambda data: services.case_set_owner(actor=request.user, case=case, owner=data["owner"]),
        success=_("已变更责任人。"),
        anchor="",
    )


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def measure_create(request, pk: int):
    case = _case_for(request, pk)
    form = MeasureForm(request.POST, prefix="measure", people=responsible_choices(case=case))
    return _submit(
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
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已更新措施“%(title)s”的进展。") % {"title": measure.title})
            if from_group:
                return redirect(f"{reverse('group_detail', args=[measure.group_id])}#measure-{measure.pk}")
            return redirect(_case_url(measure.case, f"measure-{measure.pk}"))
    if from_group:
        group = selectors.group_get(user=request.user, pk=measure.group_id)
        return _group_page(request, group, bound={measure.pk: form})
    case = selectors.case_get(user=request.user, pk=measure.case_id)
    return _case_page(request, case, bound={f"measure-{measure.pk}": form})


# --- interventions -----------------------------------------------------------------------------------


def _intervention(case: Case, pk: int):
    return _first_or_404(selectors.case_interventions(case=case).filter(pk=pk))


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def intervention_create(request, pk: int):
    case = _case_for(request, pk)
    form = InterventionForm(request.POST, guardians=case.minor.guardians.all())

    def success(intervention) -> str:
        if intervention.status == InterventionStatus.PENDING_APPROVAL:
            return _("已记录%(level)s，待乡镇（街道）领导批准后实施。") % {"level": intervention.get_level_display()}
        return _("已记录%(level)s。") % {"level": intervention.get_level_display()}

    return _submit(
        request,
        case,
        form,
        key="intervention",
        run=lambda data: services.intervention_record(actor=request.user, case=case, **form.service_kwargs()),
        success=success,
        anchor="interventions",
    )


@login_required
@require_POST
def intervention_decide(request, pk: int, intervention_pk: int):
    case = _case_for(request, pk, Capability.APPROVE_INTERVENTION)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-decide"
    form = DecisionForm(request.POST, prefix=key)
    return _submit(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.intervention_decide(
            actor=request.user, intervention=intervention, approve=form.approve, note=data["note"]
        ),
        success=lambda i: (
            _("已批准%(level)s。") % {"level": i.get_level_display()}
            if i.status == InterventionStatus.APPROVED
            else _("未批准%(level)s。") % {"level": i.get_level_display()}
        ),
        anchor=f"intervention-{intervention.pk}",
    )


@login_required
@require_POST
def intervention_taken(request, pk: int, intervention_pk: int):
    case = _case_for(request, pk)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-taken"
    form = InterventionTakenForm(request.POST, prefix=key)
    return _submit(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.intervention_mark_taken(
            actor=request.user, intervention=intervention, taken_on=data["taken_on"]
        ),
        success=_("已标记为已实施。"),
        anchor=f"intervention-{intervention.pk}",
    )


@login_required
@require_POST
def intervention_outcome(request, pk: int, intervention_pk: int):
    case = _case_for(request, pk)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-outcome"
    form = InterventionOutcomeForm(request.POST, prefix=key)

    def run(data):
        return services.intervention_record_outcome(
            actor=request.user, intervention=intervention, succeeded=data["succeeded"], outcome=data["outcome"]
        )

    def success(proposal) -> str:
        if proposal is None:
            return _("已记录干预结果。")
        if proposal.status == InterventionStatus.PENDING_APPROVAL:
            return _("干预无效，已建议%(level)s，待乡镇（街道）领导批准。") % {"level": proposal.get_level_display()}
        return _("干预无效，已建议%(level)s。") % {"level": proposal.get_level_display()}

    return _submit(request, case, form, key=key, run=run, success=success, anchor="interventions")


# --- placement ---------------------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def placement_create(request, pk: int):
    case = _case_for(request, pk)
    form = PlacementForm(request.POST, institutions=organisation_choices(path=case.minor.region.path))
    return _submit(
        request,
        case,
        form,
        key="placement",
        run=lambda data: services.placement_record(
            actor=request.user,
            case=case,
            type=data["type"],
            start_on=data["start_on"],
            institution=data.get("institution"),
            institution_name=data.get("institution_name") or "",
            note=data.get("note") or "",
        ),
        success=lambda p: _("已记录安置：%(type)s。") % {"type": p.get_type_display()},
        anchor="placement",
    )


@login_required
@require_POST
def placement_end_view(request, pk: int, placement_pk: int):
    case = _case_for(request, pk)
    placement = _first_or_404(selectors.case_placements(case=case).filter(pk=placement_pk))
    form = PlacementEndForm(request.POST, prefix="placement-end")
    return _submit(
        request,
        case,
        form,
        key="placement-end",
        run=lambda data: services.placement_end(
            actor=request.user, placement=placement, end_on=data["end_on"], note=data["note"]
        ),
        success=_("已结束安置。"),
        anchor="placement",
    )


# --- benefits ----------------------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def benefit_create(request, pk: int):
    case = _case_for(request, pk)
    form = BenefitApplyForm(request.POST, programmes=selectors.benefit_programme_list())
    return _submit(
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
    case = _case_for(request, pk)
    form = BenefitApplyForm(request.GET, programmes=selectors.benefit_programme_list())
    return render(
        request,
        "cases/casework/includes/benefit_hints.html",
        {"benefit_form": form, "benefit_hints": _hints_for(case.minor, form)},
    )


def _enrolment(case: Case, pk: int):
    return _first_or_404(selectors.case_benefits(case=case).filter(pk=pk))


@login_required
@require_POST
def benefit_decide(request, pk: int, enrolment_pk: int):
    case = _case_for(request, pk)
    enrolment = _enrolment(case, enrolment_pk)
    key = f"benefit-{enrolment.pk}-decide"
    form = BenefitDecisionForm(request.POST, prefix=key)
    return _submit(
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
    case = _case_for(request, pk)
    enrolment = _enrolment(case, enrolment_pk)
    key = f"benefit-{enrolment.pk}-end"
    form = BenefitEndForm(request.POST, prefix=key)
    return _submit(
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


# --- closing and reopening ---------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def closure_request(request, pk: int):
    case = _case_for(request, pk)
    form = ClosureRequestForm(request.POST, prefix="closure")
    return _submit(
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
    case = _case_for(request, pk, Capability.APPROVE)
    closure = selectors.case_pending_closure(case=case)
    if closure is None:
        messages.info(request, _("没有待审批的结案申请。"))
        return redirect(_case_url(case, "closing"))
    form = DecisionForm(request.POST, prefix="closure-decide")
    return _submit(
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
    case = _case_for(request, pk)
    form = CaseReopenForm(request.POST, prefix="reopen")
    return _submit(
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


# --- working groups ----------------------------------------------------------------------------------


def _manageable_towns(user) -> list:
    """Towns (and counties) where the user runs casework and may set up the working groups."""
    return [
        post.region
        for post in user_posts(user)
        if post.region.level in (Level.TOWN, Level.COUNTY)
        and post.region.is_active
        and _may(user, Capability.MANAGE_CASES, post.region.path)
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
        except RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存%(group)s。") % {"group": group})
            return redirect("group_detail", pk=group.pk)
    return render(request, "cases/casework/group_form.html", {"group": group, "form": form})

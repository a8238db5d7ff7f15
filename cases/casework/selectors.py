"""Reads of casework, scoped like the registry (STYLE.md rules 2–3): a case is visible with its
child's record; a working group to the staff of its area and to its own members; a measure also to its
responsible person and its group's members. Anything outside the scope is absent; a detail lookup answers
404. Also: the one definition of "a red case without a plan" (board, case page and alert job), the flat
API lists, and who may be chosen on the casework forms."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import (
    OPEN_MEASURE_STATUSES,
    BenefitEnrolment,
    BenefitProgramme,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    GuardianshipIntervention,
    InterventionStatus,
    Measure,
    MinorStatus,
    Placement,
    RiskGrade,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import sealed_visible_q
from cases.registry.selectors import minor_scope_q
from tiers.models import Organisation, Region
from tiers.roles import ROLE_POLICIES, Capability
from tiers.selectors import scope_q


@dataclass
class CaseFilters:
    stage: str = ""
    grade: str = ""
    track: str = ""
    overdue: bool = False
    open_only: bool = True


def case_list(*, user, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    today = timezone.localdate()
    cases = Case.objects.filter(minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__"))
    if filters.open_only and filters.stage != CaseStage.CLOSED:
        cases = cases.exclude(stage=CaseStage.CLOSED)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.grade:
        cases = cases.filter(minor__risk_grade=filters.grade)
    if filters.track:
        cases = cases.filter(measures__track=filters.track).distinct()
    open_measure = Q(measures__status__in=OPEN_MEASURE_STATUSES)
    cases = cases.annotate(
        open_measures=Count("measures", filter=open_measure, distinct=True),
        overdue_measures=Count("measures", filter=open_measure & Q(measures__due_on__lt=today), distinct=True),
    )
    if filters.overdue:
        cases = cases.filter(overdue_measures__gt=0)
    return cases.select_related("minor", "minor__region", "owner").order_by("-overdue_measures", "-opened_at", "-id")


def case_get(*, user, pk: int) -> Case:
    case = (
        Case.objects.filter(minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__"), pk=pk)
        .select_related("minor", "minor__region", "owner", "opened_by")
        .first()
    )
    if case is None:
        raise Http404
    return case


def case_open_for_minor(*, minor) -> Case | None:
    """The open case of a minor already obtained through cases.registry.selectors.minor_get."""
    return Case.objects.filter(minor=minor).exclude(stage=CaseStage.CLOSED).first()


def case_measures(*, case: Case) -> QuerySet[Measure]:
    return case.measures.select_related("group", "responsible_user").order_by("due_on", "id")


def case_interventions(*, case: Case) -> QuerySet[GuardianshipIntervention]:
    return case.interventions.select_related("approved_by", "recorded_by").order_by("-recorded_at", "-id")


def case_placements(*, case: Case) -> QuerySet[Placement]:
    return case.placements.select_related("institution").order_by("-start_on", "-id")


def case_benefits(*, case: Case) -> QuerySet[BenefitEnrolment]:
    return BenefitEnrolment.objects.filter(minor=case.minor).select_related("programme").order_by("-applied_on", "-id")


def case_history(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-at", "-id")


def case_pending_closure(*, case: Case) -> CaseClosure | None:
    return case.closures.filter(status=CaseClosure.Status.PENDING).select_related("requested_by").first()


def interventions_awaiting_approval(*, user) -> QuerySet[GuardianshipIntervention]:
    return GuardianshipIntervention.objects.filter(
        minor_scope_q(user, Capability.APPROVE_INTERVENTION, prefix="case__minor__"),
        status=InterventionStatus.PENDING_APPROVAL,
    ).select_related("case__minor")


def closures_awaiting_approval(*, user) -> QuerySet[CaseClosure]:
    return CaseClosure.objects.filter(
        minor_scope_q(user, Capability.APPROVE, prefix="case__minor__"), status=CaseClosure.Status.PENDING
    ).select_related("case__minor", "requested_by")


def group_list(*, user) -> QuerySet[WorkingGroup]:
    """Working groups of the user's area, and those the user is a member of."""
    return (
        WorkingGroup.objects.filter(scope_q(user, Capability.VIEW_REGIONS, field="region__path") | Q(members=user))
        .distinct()
        .select_related("region", "lead_organisation")
        .order_by("region__path", "track")
    )


def group_get(*, user, pk: int) -> WorkingGroup:
    group = group_list(user=user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def group_open_measures(*, group: WorkingGroup) -> list[Measure]:
    """The group's open measures, overdue first (issue 4 §1)."""
    today = timezone.localdate()
    measures = list(
        group.measures.filter(status__in=OPEN_MEASURE_STATUSES)
        .exclude(case__stage=CaseStage.CLOSED)
        .select_related("case__minor__region", "responsible_user")
        .order_by("due_on", "id")
    )
    return sorted(measures, key=lambda m: (m.due_on >= today, m.due_on, m.pk))


def measure_get(*, user, pk: int) -> Measure:
    """A measure seen by staff of the child's area, its responsible person or a member of its group."""
    measure = (
        Measure.objects.filter(
            minor_scope_q(user, Capability.VIEW_RECORDS, prefix="case__minor__")
            | (
                (Q(responsible_user=user) | Q(group__members=user))
                & measure_with_its_group_q()
                & sealed_visible_q(user, "case__minor__")
            ),
            pk=pk,
        )
        .select_related("case__minor__region", "group")
        .distinct()
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def benefit_programme_list() -> QuerySet[BenefitProgramme]:
    return BenefitProgramme.objects.filter(is_active=True).order_by("track", "code")


# --- a red case without a plan (cases.casework.rules: the red plan deadline) -------------------------------


def red_plan_missing_q() -> Q:
    """The one definition of "a red case without a plan", for the case board, the case page and the
    RED_PLAN_MISSING alert: an open case of an active child graded red, with a plan deadline, and not a
    single measure in its plan yet (domain.md §3.1; rules.red_plan_due_at)."""
    return (
        Q(minor__risk_grade=RiskGrade.RED, minor__status=MinorStatus.ACTIVE, plan_due_at__isnull=False)
        & ~Q(stage=CaseStage.CLOSED)
        & ~Exists(Measure.objects.filter(case_id=OuterRef("pk")))
    )


def with_red_plan_state(cases: QuerySet[Case], *, now=None) -> QuerySet[Case]:
    """`cases` annotated with `plan_missing` (red_plan_missing_q) and `plan_late` (missing, and the
    deadline has passed)."""
    now = now or timezone.now()
    return cases.annotate(
        plan_missing=ExpressionWrapper(red_plan_missing_q(), output_field=BooleanField()),
        plan_late=ExpressionWrapper(red_plan_missing_q() & Q(plan_due_at__lte=now), output_field=BooleanField()),
    )


def case_red_plan_state(*, case: Case, now=None) -> tuple[bool, bool]:
    """(plan missing, plan late) of one case already obtained through case_get, in one query."""
    row = with_red_plan_state(Case.objects.filter(pk=case.pk), now=now).values_list("plan_missing", "plan_late")
    return row.first() or (False, False)


def red_plan_late_cases(*, now=None) -> QuerySet[Case]:
    """Every red case whose plan is missing past its deadline, for the hourly alert job (not a user's read)."""
    return Case.objects.filter(red_plan_missing_q(), plan_due_at__lte=now or timezone.now())


# --- the flat API lists (measures, interventions, placements, enrolments, closing requests) ---------------


def _visible_case_q(user, prefix: str = "case__") -> Q:
    return minor_scope_q(user, Capability.VIEW_RECORDS, prefix=f"{prefix}minor__")


def measure_with_its_group_q() -> Q:
    """The measure is still with its group: the child lives in the group's area (or it has no group).
    A move hands the open measures to the new town's groups; what stays with the old town's group
    (done or cancelled measures) is no longer shown to its members (issue 10 §5)."""
    return Q(group__isnull=True) | Q(case__minor__region__path__startswith=F("group__region__path"))


def measure_list(*, user) -> QuerySet[Measure]:
    """Measures seen by the staff of the child's area, the responsible person and the group's members."""
    # A partner in the group never sees a sealed child's measure (issue 10 §3).
    by_role = (
        (Q(responsible_user=user) | Q(group__members=user))
        & measure_with_its_group_q()
        & sealed_visible_q(user, "case__minor__")
    )
    return (
        Measure.objects.filter(_visible_case_q(user) | by_role)
        .distinct()
        .select_related("case__minor", "group__region", "responsible_user", "created_by")
        .order_by("due_on", "id")
    )


def measure_get_listed(*, user, pk: int) -> Measure:
    """One measure as `measure_list` shows it (the same scope as measure_get)."""
    measure = measure_list(user=user).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def intervention_list(*, user) -> QuerySet[GuardianshipIntervention]:
    return (
        GuardianshipIntervention.objects.filter(_visible_case_q(user))
        .select_related("case__minor", "recorded_by", "approved_by")
        .order_by("-recorded_at", "-id")
    )


def placement_list(*, user) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(_visible_case_q(user))
        .select_related("case__minor", "institution", "recorded_by")
        .order_by("-start_on", "-id")
    )


def benefit_list(*, user) -> QuerySet[BenefitEnrolment]:
    """Enrolments of the children the user may see (an enrolment need not belong to a case)."""
    return (
        BenefitEnrolment.objects.filter(_visible_case_q(user, prefix=""))
        .select_related("minor", "programme", "recorded_by")
        .order_by("-applied_on", "-id")
    )


def closure_list(*, user) -> QuerySet[CaseClosure]:
    return (
        CaseClosure.objects.filter(_visible_case_q(user))
        .select_related("case__minor", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


# --- who and what may be chosen on the casework forms ----------------------------------------------------
# Names of staff and departments are not private; they are limited to the child's or the group's town so
# that the lists stay short and relevant.


def paths_at_and_above(path: str) -> list[str]:
    """The paths of a region and of every unit above it ("c/", "c/t/", "c/t/v/")."""
    return [*Region.path_ancestor_paths(path), path]


def case_owner_choices(*, case: Case) -> QuerySet:
    """Staff who may own the case: a post with MANAGE_CASES at the child's region or above (case_set_owner's rule)."""
    roles = [role for role, policy in ROLE_POLICIES.items() if Capability.MANAGE_CASES in policy.capabilities]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            posts__role__in=roles,
            posts__region__is_active=True,
            posts__region__path__in=paths_at_and_above(case.minor.region.path),
        )
        .distinct()
        .order_by("first_name", "username")
    )


def responsible_choices(*, case: Case) -> QuerySet:
    """Who may be named responsible for a measure: staff posted in the child's town and members of its groups."""
    region = case.minor.region
    town = region.town_path or region.county_path
    return (
        get_user_model()
        .objects.filter(
            Q(posts__region__path__startswith=town) | Q(working_groups__region__path=town),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "username")
    )


def group_member_choices(*, group: WorkingGroup) -> QuerySet:
    """Staff posted in the group's region (its town, or the county for a district group), and current members."""
    return (
        get_user_model()
        .objects.filter(Q(posts__region__path__startswith=group.region.path) | Q(working_groups=group), is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )


def organisation_choices(*, path: str) -> QuerySet[Organisation]:
    """Active departments of the region at `path` and of the units above it (working_group_update's rule)."""
    return (
        Organisation.objects.filter(is_active=True, region__path__in=paths_at_and_above(path))
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )

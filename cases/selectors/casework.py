"""Reads of casework, scoped like the registry (STYLE.md rules 2–3): a case is visible with its
child's record; a working group to the staff of its area and to its own members."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
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
    Placement,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import sealed_visible_q
from cases.registry.selectors import minor_scope_q
from cases.selectors.casework_lists import measure_with_its_group_q
from tiers.roles import Capability
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

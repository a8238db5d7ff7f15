"""Reads across cases for the flat API lists (measures, interventions, placements, enrolments, closing
requests). Each is scoped exactly like its single-object selector in cases.selectors.casework: by the
child's place in the tree (STYLE.md rules 2–3), and for measures also by responsibility or group
membership, as `measure_get`. Anything outside the scope is absent; a detail lookup answers 404."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from cases.models import BenefitEnrolment, CaseClosure, GuardianshipIntervention, Measure, Placement
from cases.privacy.sealing.selectors import sealed_visible_q
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability


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
    """One measure as `measure_list` shows it (the same scope as cases.selectors.casework.measure_get)."""
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

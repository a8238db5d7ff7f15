"""Reads for grading (domain.md §3): the checklist in force, grade history, assessments, the one-to-one
helper and emergency responses. Reads about one child take a minor already obtained through
cases.registry.selectors.minor_get (which scopes by the user's reach, STYLE.md rules 2–3)."""

from __future__ import annotations

from django.db.models import QuerySet

from screening.models import (
    INDICATOR_OVERRIDE_FIELDS,
    Assessment,
    EmergencyResponse,
    GradeChange,
    Indicator,
    IndicatorOverride,
    PairedHelper,
)
from tiers.models import Region


def indicators_in_force(*, region: Region | None, active_only: bool = True) -> list[Indicator]:
    """The risk checklist in force in the county `region` lies in (domain.md §3.1, §14.7): every default
    indicator, with the county's own setting applied where it has one (the override wins by code).
    Each row carries `override` (the county's IndicatorOverride or None) and `default_min_grade` /
    `default_is_active`; its pk stays the default row's, the identity assessments refer to.
    `region=None` gives the deployment defaults."""
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    overrides = (
        {o.indicator_id: o for o in IndicatorOverride.objects.filter(county__code=region.county_code)}
        if region is not None
        else {}
    )
    for indicator in indicators:
        indicator.default_min_grade, indicator.default_is_active = indicator.min_grade, indicator.is_active
        indicator.override = overrides.get(indicator.pk)
        if indicator.override is not None:
            for field in INDICATOR_OVERRIDE_FIELDS:
                setattr(indicator, field, getattr(indicator.override, field))
    return [i for i in indicators if i.is_active] if active_only else indicators


def indicator_list(*, region: Region | None) -> list[Indicator]:
    """The active checklist for an assessment of a child living in `region`."""
    return indicators_in_force(region=region)


def grade_history(*, minor) -> QuerySet[GradeChange]:
    """The grade timeline of a minor already obtained through cases.registry.selectors.minor_get."""
    return GradeChange.objects.filter(minor=minor).select_related("actor", "assessment").order_by("-at", "-id")


def assessment_list(*, minor) -> QuerySet[Assessment]:
    return Assessment.objects.filter(minor=minor).select_related("assessor").prefetch_related("indicators")


def helper_current(*, minor) -> PairedHelper | None:
    """The minor's current one-to-one helper (结对帮扶人), or None."""
    return PairedHelper.objects.filter(minor=minor, until__isnull=True).select_related("assigned_by").first()


def emergency_response_list(*, minor) -> QuerySet[EmergencyResponse]:
    return EmergencyResponse.objects.filter(minor=minor).select_related("recorded_by").order_by("-acted_at", "-id")

"""Reads for grading and visits, scoped by the user's reach like the registry (STYLE.md rules 2–3)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Alert, MinorStatus
from cases.registry.selectors import minor_scope_q
from screening.models import (
    INDICATOR_OVERRIDE_FIELDS,
    Assessment,
    EmergencyResponse,
    GradeChange,
    GradePolicy,
    Indicator,
    IndicatorOverride,
    PairedHelper,
    Visit,
    VisitPlan,
)
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import scope_q


def visit_worklist(*, user, today: date | None = None) -> dict[str, QuerySet[VisitPlan]]:
    """The visits a user is responsible for: overdue, due this week (today + 6 days), and upcoming."""
    today = today or timezone.localdate()
    plans = (
        VisitPlan.objects.filter(
            minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__"),
            minor__status=MinorStatus.ACTIVE,
            next_due_on__isnull=False,
        )
        .select_related("minor", "minor__region")
        .order_by("next_due_on", "minor_id")
    )
    week_end = today + timedelta(days=6)
    return {
        "overdue": plans.filter(next_due_on__lt=today),
        "due_this_week": plans.filter(next_due_on__gte=today, next_due_on__lte=week_end),
        "upcoming": plans.filter(next_due_on__gt=week_end),
    }


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


def alert_list(*, user, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts about children in the user's reach."""
    # An alert about a child is shown only to someone who may see the child now (sealed records, issue 10 §3).
    about_child = Q(minor__isnull=True) | minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    alerts = Alert.objects.filter(scope_q(user, Capability.VIEW_RECORDS), about_child).select_related("minor", "region")
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return alerts.order_by("-created_at", "-id")


# A village's path is its first three segments: three 12-digit division codes, each with "/".
VILLAGE_PATH_LENGTH = 3 * 13


def visit_compliance(*, user, start: date, end: date, today: date | None = None) -> dict[str, list[dict]]:
    """Visits done on time ÷ visits due, per village and per grade, for due dates in [start, end]
    (domain.md §12: visit compliance per grade, 001 篇四 L90).

    A due date counts once: answered by the visit that followed it (on time or late), or — when
    it has passed unanswered — as missed. Aggregates only: no names."""
    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    from screening.models import Visit

    today = today or timezone.localdate()
    visits = Visit.objects.filter(
        scope_q(user, Capability.VIEW_AGGREGATES, field="minor__region__path"), due_on__gte=start, due_on__lte=end
    )
    missed = VisitPlan.objects.filter(
        scope_q(user, Capability.VIEW_AGGREGATES, field="region_path"),
        minor__status=MinorStatus.ACTIVE,
        next_due_on__gte=start,
        next_due_on__lte=min(end, today - timedelta(days=1)),
    )
    by_village: dict[str, dict] = {}
    by_grade: dict[str, dict] = {}

    def bucket(store: dict, key: str) -> dict:
        return store.setdefault(key, {"key": key, "due": 0, "on_time": 0})

    for row in (
        visits.annotate(village=Substr("minor__region__path", 1, VILLAGE_PATH_LENGTH))
        .values("village", "grade")
        .annotate(due=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
    ):
        for store, key in ((by_village, row["village"]), (by_grade, row["grade"])):
            entry = bucket(store, key)
            entry["due"] += row["due"]
            entry["on_time"] += row["on_time"]
    for row in (
        missed.annotate(village=Substr("region_path", 1, VILLAGE_PATH_LENGTH))
        .values("village", "grade")
        .annotate(n=Count("pk"))
    ):
        bucket(by_village, row["village"])["due"] += row["n"]
        bucket(by_grade, row["grade"])["due"] += row["n"]

    from tiers.models import Region

    names = dict(Region.objects.filter(path__in=list(by_village)).values_list("path", "name"))
    for entry in by_village.values():
        entry["name"] = names.get(entry["key"], entry["key"])
    for store in (by_village, by_grade):
        for entry in store.values():
            entry["rate"] = round(entry["on_time"] / entry["due"], 3) if entry["due"] else None
    order = {grade: rank for rank, grade in enumerate(["RED", "ORANGE", "YELLOW", "BLUE", ""])}
    return {
        "villages": sorted(by_village.values(), key=lambda e: e["key"]),
        "grades": sorted(by_grade.values(), key=lambda e: order.get(e["key"], 9)),
    }


def indicator_table(*, county: Region) -> list[Indicator]:
    """Every indicator as in force in `county`, switched-off ones included: the county's checklist page."""
    return indicators_in_force(region=county, active_only=False)


def grade_policy_table(*, county) -> dict[str, dict]:
    """Per grade, the deployment default and `county`'s own row (None when it follows the default)."""
    table: dict[str, dict] = {}
    for policy in GradePolicy.objects.filter(Q(county__isnull=True) | Q(county=county)):
        entry = table.setdefault(policy.grade, {"default": None, "own": None})
        entry["own" if policy.county_id else "default"] = policy
    return table


def visit_list(*, minor, limit: int | None = None) -> QuerySet[Visit]:
    """A minor's visits, newest first, for a minor already obtained through cases.registry.selectors.minor_get."""
    visits = Visit.objects.filter(minor=minor).select_related("visitor").prefetch_related("photos")
    visits = visits.order_by("-visited_at", "-id")
    return visits[:limit] if limit else visits


def helper_current(*, minor) -> PairedHelper | None:
    """The minor's current one-to-one helper (结对帮扶人), or None."""
    return PairedHelper.objects.filter(minor=minor, until__isnull=True).select_related("assigned_by").first()


def emergency_response_list(*, minor) -> QuerySet[EmergencyResponse]:
    return EmergencyResponse.objects.filter(minor=minor).select_related("recorded_by").order_by("-acted_at", "-id")


POLICY_HISTORY_LIMIT = 50


def policy_history(*, county: Region, limit: int = POLICY_HISTORY_LIMIT) -> list:
    """Who changed the checklist and the grade policies in force in `county`, when, from → to (issue 10
    §7): the deployment defaults (also edited in the admin) and the county's own rows, newest first.
    Trigger-written events (tiers.audit); empty on SQLite."""
    from django.apps import apps
    from django.utils.translation import gettext as _

    from cases.models import RiskGrade
    from tiers.audit import history_rows

    def events(name: str):
        return apps.get_model("screening", name).objects.order_by("-pgh_created_at", "-pgh_id")

    names = dict(Indicator.objects.values_list("pk", "name"))
    policy_fields = [
        "visit_interval_days",
        "requires_helper",
        "response_deadline_hours",
        "contact_interval_until_response_days",
    ]
    rows = history_rows(
        events("IndicatorEvent")[:limit],
        fields=["name", *INDICATOR_OVERRIDE_FIELDS],
        label=lambda e: _("系统默认指标“%(name)s”") % {"name": e.name},
    )
    rows += history_rows(
        events("IndicatorOverrideEvent").filter(county_id=county.pk)[:limit],
        fields=list(INDICATOR_OVERRIDE_FIELDS),
        label=lambda e: (
            _("%(county)s自定指标“%(name)s”") % {"county": county.name, "name": names.get(e.indicator_id, "?")}
        ),
    )
    rows += history_rows(
        events("GradePolicyEvent").filter(Q(county__isnull=True) | Q(county_id=county.pk))[:limit],
        fields=policy_fields,
        label=lambda e: (
            _("%(county)s自定%(grade)s要求") % {"county": county.name, "grade": RiskGrade(e.grade).label}
            if e.county_id
            else _("系统默认%(grade)s要求") % {"grade": RiskGrade(e.grade).label}
        ),
    )
    return sorted(rows, key=lambda row: row.at, reverse=True)[:limit]

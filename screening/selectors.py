"""Reads for grading and visits, scoped by the user's reach like the registry (STYLE.md rules 2–3)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Alert, MinorStatus
from screening.models import (
    Assessment,
    EmergencyResponse,
    GradeChange,
    GradePolicy,
    Indicator,
    PairedHelper,
    Visit,
    VisitPlan,
)
from tiers.roles import Capability
from tiers.selectors import scope_q


def visit_worklist(*, user, today: date | None = None) -> dict[str, QuerySet[VisitPlan]]:
    """The visits a user is responsible for: overdue, due this week (today + 6 days), and upcoming."""
    today = today or timezone.localdate()
    plans = (
        VisitPlan.objects.filter(
            scope_q(user, Capability.VIEW_RECORDS, field="minor__region__path"),
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


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_active=True).order_by("sort_order", "code")


def grade_history(*, minor) -> QuerySet[GradeChange]:
    """The grade timeline of a minor already obtained through cases.selectors.minor_get."""
    return GradeChange.objects.filter(minor=minor).select_related("actor", "assessment").order_by("-at", "-id")


def assessment_list(*, minor) -> QuerySet[Assessment]:
    return Assessment.objects.filter(minor=minor).select_related("assessor").prefetch_related("indicators")


def alert_list(*, user, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts about children in the user's reach."""
    alerts = Alert.objects.filter(scope_q(user, Capability.VIEW_RECORDS)).select_related("minor", "region")
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


def indicator_table() -> QuerySet[Indicator]:
    """Every indicator, switched-off ones included: the district administrator's checklist page."""
    return Indicator.objects.order_by("sort_order", "code")


def grade_policy_table(*, county) -> dict[str, dict]:
    """Per grade, the deployment default and `county`'s own row (None when it follows the default)."""
    table: dict[str, dict] = {}
    for policy in GradePolicy.objects.filter(Q(county__isnull=True) | Q(county=county)):
        entry = table.setdefault(policy.grade, {"default": None, "own": None})
        entry["own" if policy.county_id else "default"] = policy
    return table


def visit_list(*, minor, limit: int | None = None) -> QuerySet[Visit]:
    """A minor's visits, newest first, for a minor already obtained through cases.selectors.minor_get."""
    visits = Visit.objects.filter(minor=minor).select_related("visitor").prefetch_related("photos")
    visits = visits.order_by("-visited_at", "-id")
    return visits[:limit] if limit else visits


def helper_current(*, minor) -> PairedHelper | None:
    """The minor's current one-to-one helper (结对帮扶人), or None."""
    return PairedHelper.objects.filter(minor=minor, until__isnull=True).select_related("assigned_by").first()


def emergency_response_list(*, minor) -> QuerySet[EmergencyResponse]:
    return EmergencyResponse.objects.filter(minor=minor).select_related("recorded_by").order_by("-acted_at", "-id")

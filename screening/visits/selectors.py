"""Reads for visits (走访): the worklist, a child's visits, and visit compliance — the one count of
"visits done on time ÷ due" that the visit statistics page and the dashboard figures (reporting.figures)
both read (STYLE.md rules 2–3: scoped by the user's reach or by a subtree the caller was allowed)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cases.models import MinorStatus, RiskGrade
from cases.registry.selectors import minor_scope_q
from screening.models import Visit, VisitPlan
from tiers.models import Region
from tiers.roles import Capability, Level
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


def visit_list(*, minor, limit: int | None = None) -> QuerySet[Visit]:
    """A minor's visits, newest first, for a minor already obtained through cases.registry.selectors.minor_get."""
    visits = Visit.objects.filter(minor=minor).select_related("visitor").prefetch_related("photos")
    visits = visits.order_by("-visited_at", "-id")
    return visits[:limit] if limit else visits


def visit_compliance_counts(
    *, regions: QuerySet[Region], start: date, end: date, today: date | None = None
) -> list[dict]:
    """Visit compliance counted once for every reader (domain.md §12: visit compliance per grade; 001 篇四
    L90): [{"region_id", "grade", "due", "on_time"}] per place (the child's current region) and grade at
    the visit, for the children living in `regions`.

    A due date in [start, end] counts once it has come (up to `today`): answered by the visit that followed
    it (on time or late), or — when it has passed unanswered — as missed. A due date still ahead counts in
    no period yet, even when an early visit has answered it; so "this quarter to date" and "this quarter"
    give the same figures. Aggregates only: no names."""
    today = today or timezone.localdate()
    region_ids = regions.values("id")
    counts: dict[tuple[int, str], dict] = defaultdict(lambda: {"due": 0, "on_time": 0})
    answered = (
        Visit.objects.filter(minor__region_id__in=region_ids, due_on__gte=start, due_on__lte=min(end, today))
        .annotate(leaf=F("minor__region_id"))
        .values("leaf", "grade")
        .annotate(due=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
    )
    for row in answered:
        entry = counts[(row["leaf"], row["grade"])]
        entry["due"] += row["due"]
        entry["on_time"] += row["on_time"]
    missed = (
        VisitPlan.objects.filter(
            minor__region_id__in=region_ids,
            minor__status=MinorStatus.ACTIVE,
            next_due_on__gte=start,
            next_due_on__lte=min(end, today - timedelta(days=1)),
        )
        .annotate(leaf=F("minor__region_id"))
        .values("leaf", "grade")
        .annotate(n=Count("pk"))
    )
    for row in missed:
        counts[(row["leaf"], row["grade"])]["due"] += row["n"]
    return [{"region_id": leaf, "grade": grade, **entry} for (leaf, grade), entry in counts.items()]


_GRADE_ORDER = [RiskGrade.RED, RiskGrade.ORANGE, RiskGrade.YELLOW, RiskGrade.BLUE, ""]


def visit_compliance(*, user, start: date, end: date, today: date | None = None) -> dict[str, list[dict]]:
    """The visit statistics page: visit_compliance_counts over the user's aggregate reach, per village (a
    grid's children count in its village) and per grade. Rows: {"key", "name", "due", "on_time", "rate"};
    a village's key is its path, a grade's key the grade ("" for not yet graded)."""
    rows = visit_compliance_counts(
        regions=Region.objects.filter(scope_q(user, Capability.VIEW_AGGREGATES, field="path")),
        start=start,
        end=end,
        today=today,
    )
    places = Region.objects.filter(pk__in={row["region_id"] for row in rows}).select_related("parent")
    village_of = {place.pk: place.parent if place.level == Level.GRID else place for place in places}
    by_village: dict[str, dict] = {}
    by_grade: dict[str, dict] = {}
    for row in rows:
        village = village_of[row["region_id"]]
        for store, key, extra in (
            (by_village, village.path, {"name": village.name}),
            (by_grade, row["grade"], {}),
        ):
            entry = store.setdefault(key, {"key": key, **extra, "due": 0, "on_time": 0})
            entry["due"] += row["due"]
            entry["on_time"] += row["on_time"]
    for store in (by_village, by_grade):
        for entry in store.values():
            entry["rate"] = round(entry["on_time"] / entry["due"], 3) if entry["due"] else None
    order = {grade: rank for rank, grade in enumerate(_GRADE_ORDER)}
    return {
        "villages": sorted(by_village.values(), key=lambda e: e["key"]),
        "grades": sorted(by_grade.values(), key=lambda e: order.get(e["key"], 9)),
    }

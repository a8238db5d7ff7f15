"""Reads for grading and visits, scoped by the user's reach like the registry (STYLE.md rules 2–3)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Alert, MinorStatus
from screening.models import Assessment, GradeChange, Indicator, VisitPlan
from tiers.roles import Capability
from tiers.selectors import scope_q


def visit_worklist(*, user, today: date | None = None) -> dict[str, QuerySet[VisitPlan]]:
    """The visits a user is responsible for: overdue, due this week (today + 6 days), and upcoming."""
    today = today or timezone.localdate()
    plans = (
        VisitPlan.objects.filter(
            scope_q(user, Capability.LOG_VISITS, field="minor__region__path"),
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

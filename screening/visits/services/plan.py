"""The visit plan: when each active minor is next due a visit (domain.md §3.1, §10.1; issue: set-based).

`visit_plan_refresh` rebuilds the plan for the whole registry (or some minors) with a handful of
SQL statements, whatever the number of children: delete the plans of closed records, insert the
missing ones, copy grade, place and last visit in one UPDATE, set the interval with one UPDATE per
grade policy, and compute the due date in one more. Running it twice gives the same rows; concurrent
runs are serialised by a PostgreSQL advisory lock.

Due date = the later of (last visit, date of the current grade, registration) + the grade's interval.
A red child is contacted every `contact_interval_until_response_days` until an emergency response is
recorded as in place, then every `visit_interval_days`. A minor not yet graded follows BLUE. The numbers
are the grade policies, read through screening.rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import DateField, Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from cases.models import Minor, MinorStatus
from screening.models import EmergencyResponse, Visit, VisitPlan
from screening.rules import UNGRADED_FOLLOWS, GradePolicies, fallback_visit_interval_days

logger = logging.getLogger(__name__)
_LOCK_KEY = 804_210_001  # arbitrary, unique to this job


class AddDays(Func):
    """date + n days, for PostgreSQL and SQLite alike."""

    output_field = DateField()

    def __init__(self, date, days, **extra):
        super().__init__(date, days, **extra)

    def as_sql(self, compiler, connection, **extra):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"({date_sql} + CAST({days_sql} AS integer))", [*date_params, *days_params]

    def as_sqlite(self, compiler, connection, **extra):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        # SQLite's modifier reads "30 days" and "-30 days" alike.
        return f"date({date_sql}, CAST(({days_sql}) AS TEXT) || ' days')", [*date_params, *days_params]


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _insert_missing(minor_ids: list[int] | None) -> int:
    only = ""
    params: list = [MinorStatus.ACTIVE]
    if minor_ids is not None:
        only = f" AND m.id IN ({', '.join(['%s'] * len(minor_ids))})"
        params += list(minor_ids)
    # Table names come from model metadata; every value is a parameter.
    missing = (
        f"FROM {Minor._meta.db_table} m WHERE m.status = %s{only} "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {VisitPlan._meta.db_table} p WHERE p.minor_id = m.id)"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Find the missing children first, then insert them: in one INSERT … SELECT … NOT EXISTS the
            # planner, trusting the statistics of a plan table analysed while empty, may rescan the heap
            # the statement is filling for every child (minutes at county scale; bench/RESULTS.md).
            cursor.execute(f"SELECT m.id {missing}", params)
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return 0
            cursor.execute(
                f"INSERT INTO {VisitPlan._meta.db_table} (minor_id, region_path, grade, response_in_place) "
                "SELECT unnest(%s::bigint[]), '', '', FALSE ON CONFLICT (minor_id) DO NOTHING",
                [ids],
            )
            return cursor.rowcount
        cursor.execute(
            f"INSERT INTO {VisitPlan._meta.db_table} (minor_id, region_path, grade, response_in_place) "
            f"SELECT m.id, '', '', FALSE {missing} ON CONFLICT (minor_id) DO NOTHING",
            params,
        )
        return cursor.rowcount


def visit_plan_refresh(*, minor_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute the visit plan (all active minors, or only `minor_ids`). Returns rows touched."""
    ids = None if minor_ids is None else sorted(set(minor_ids))
    if ids == []:
        return {"removed": 0, "inserted": 0, "updated": 0}
    scope = Q() if ids is None else Q(minor_id__in=ids)
    now = timezone.now()
    with transaction.atomic():
        _serialise()
        removed, _detail = VisitPlan.objects.filter(scope).exclude(minor__status=MinorStatus.ACTIVE).delete()
        inserted = _insert_missing(ids)
        plans = VisitPlan.objects.filter(scope)
        minor = Minor.objects.filter(pk=OuterRef("minor_id"))
        last_visit = (
            Visit.objects.filter(minor_id=OuterRef("minor_id"))
            .order_by("-visited_at")
            .annotate(day=TruncDate("visited_at"))
            .values("day")[:1]
        )
        updated = plans.update(
            region_path=Subquery(minor.values("region__path")[:1]),
            grade=Subquery(minor.values("risk_grade")[:1]),
            grade_since=Subquery(minor.values("risk_grade_since")[:1]),
            registered_on=Subquery(minor.annotate(day=TruncDate("created_at")).values("day")[:1]),
            last_visit_on=Subquery(last_visit),
            refreshed_at=now,
        )
        plans.update(
            response_in_place=Exists(
                EmergencyResponse.objects.filter(
                    minor_id=OuterRef("minor_id"), in_place_at__isnull=False, acted_at__gte=OuterRef("grade_since")
                )
            )
        )
        _apply_intervals(plans)
        unset = plans.filter(interval_days__isnull=True).update(interval_days=fallback_visit_interval_days())
        if unset:
            logger.warning("%d visit plans had no grade policy; used the fallback interval", unset)
        plans.update(
            anchor_on=Greatest(
                Coalesce("last_visit_on", "registered_on"),
                Coalesce(TruncDate("grade_since"), "registered_on"),
            )
        )
        plans.update(next_due_on=AddDays(F("anchor_on"), F("interval_days")))
    return {"removed": removed, "inserted": inserted, "updated": updated}


def visit_plan_on_move(minor_id: int, **_move) -> None:
    """A moved child's plan is rebuilt at once (issue 10 §5; domain.md §1.3 T-5): the new place scopes
    who sees the due visit, and the new county's grade policy sets its interval."""
    visit_plan_refresh(minor_ids=[minor_id])


def _apply_intervals(plans) -> None:
    """One UPDATE per policy row: defaults first, then each county's own rows over them."""
    for policy in GradePolicies().defaults_then_counties():
        scoped = plans.filter(policy.county.subtree("region_path")) if policy.county_id else plans
        grades = [policy.grade] + ([""] if policy.grade == UNGRADED_FOLLOWS else [])
        scoped.filter(grade__in=grades).update(interval_days=policy.visit_interval_days)
        if policy.contact_interval_until_response_days:
            scoped.filter(grade=policy.grade, response_in_place=False).update(
                interval_days=policy.contact_interval_until_response_days
            )

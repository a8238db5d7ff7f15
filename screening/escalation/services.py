"""Escalation (hourly) and age rules (daily): who must be told, at which tier, exactly once.

Rules (domain.md §1.3 T-3/T-4, §3.1, §10.1, §10.3):
- VISIT_OVERDUE: a visit overdue by more than one interval → child supervisor and town office.
- VISIT_OVERDUE_2X: overdue by more than two intervals → the town leader.
- RED_RESPONSE_MISSING: a red child with no emergency response recorded since being graded red →
  the town office at once; RED_RESPONSE_LATE: still none after the grade policy's deadline → the town
  leader and district civil affairs.
- HELPER_MISSING: a grade whose policy requires a one-to-one helper, without one → town office.
- NEW_RISK_FOUND (raised by a visit) is resolved here once a risk-level assessment follows the visit.
- AGE_16 (daily): at the employment-support age a minor becomes eligible for vocational training and
  employment support → town office. AGED_OUT (daily): at the age limit the record is closed as aged out
  and leaves the visit plan.
The numbers (intervals, deadline, ages) are in screening.rules.

Each alert is unique per (rule, child, period) — the period being the missed due date or the grade
change — so reruns create nothing new; alerts whose cause is gone are resolved.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync
from cases.models import Alert, ClosedReason, Minor, MinorStatus, RiskGrade
from cases.registry.services import minor_close
from screening.models import Assessment, AssessmentKind, EmergencyResponse, PairedHelper, VisitPlan
from screening.rules import (
    EMPLOYMENT_SUPPORT_AGE,
    VISIT_OVERDUE_2X_INTERVALS,
    VISIT_OVERDUE_INTERVALS,
    GradePolicies,
    aged_out_age,
    born_on_or_before_for_age,
)
from screening.visits.services.plan import AddDays
from tiers.services import system_actor

_PLAN_FIELDS = (
    "minor_id",
    "minor__name",
    "minor__region_id",
    "minor__region__name",
    "region_path",
    "next_due_on",
    "grade",
    "grade_since",
)


def _candidate(row: dict, period: str, message: str) -> AlertCandidate:
    return AlertCandidate(
        subject_key=f"minor:{row['minor_id']}",
        period_key=period,
        minor_id=row["minor_id"],
        region_id=row["minor__region_id"],
        region_path=row["region_path"],
        message=message,
        url=f"/minors/{row['minor_id']}/",
    )


def _names(row: dict) -> dict:
    return {"name": row["minor__name"], "place": row["minor__region__name"]}


def escalate(*, now=None, minor_ids: list[int] | None = None) -> dict[str, dict]:
    """Evaluate every escalation rule over the visit plan (all minors, or only `minor_ids`); idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if minor_ids is None:
        plan_scope, resolve_scope = Q(), None
    else:
        plan_scope = Q(minor_id__in=minor_ids)
        resolve_scope = Q(subject_key__in=[f"minor:{pk}" for pk in minor_ids])
    policies = GradePolicies()
    plans = VisitPlan.objects.filter(plan_scope, minor__status=MinorStatus.ACTIVE, next_due_on__isnull=False)
    results: dict[str, dict] = {}

    def sync(rule: str, candidates: list[AlertCandidate]) -> None:
        results[rule] = alerts_sync(rule=rule, candidates=candidates, resolve_scope=resolve_scope)

    for rule, intervals, text in (
        (
            AlertRule.VISIT_OVERDUE,
            VISIT_OVERDUE_INTERVALS,
            _("%(name)s（%(place)s）应于%(due)s走访，已逾期超过一个走访周期。"),
        ),
        (
            AlertRule.VISIT_OVERDUE_2X,
            VISIT_OVERDUE_2X_INTERVALS,
            _("%(name)s（%(place)s）应于%(due)s走访，已逾期超过两个走访周期，请督办。"),
        ),
    ):
        rows = plans.filter(next_due_on__lt=AddDays(Value(today), -intervals * F("interval_days"))).values(
            *_PLAN_FIELDS
        )
        sync(
            rule,
            [
                _candidate(row, row["next_due_on"].isoformat(), text % {**_names(row), "due": row["next_due_on"]})
                for row in rows
            ],
        )

    red_rows = list(
        plans.filter(grade=RiskGrade.RED, grade_since__isnull=False)
        .annotate(
            responded=Exists(
                EmergencyResponse.objects.filter(minor_id=OuterRef("minor_id"), acted_at__gte=OuterRef("grade_since"))
            )
        )
        .filter(responded=False)
        .values(*_PLAN_FIELDS)
    )
    sync(
        AlertRule.RED_RESPONSE_MISSING,
        [
            _candidate(
                row,
                row["grade_since"].isoformat(),
                _("%(name)s（%(place)s）已定为红色等级，须在%(h)d小时内记录应急处置。")
                % {**_names(row), "h": policies.response_deadline_hours(row["region_path"])},
            )
            for row in red_rows
        ],
    )
    late = []
    for row in red_rows:
        hours = policies.response_deadline_hours(row["region_path"])
        if row["grade_since"] + timedelta(hours=hours) <= now:
            message = _("%(name)s（%(place)s）定为红色等级已超过%(h)d小时，仍未记录应急处置。") % {
                **_names(row),
                "h": hours,
            }
            late.append(_candidate(row, row["grade_since"].isoformat(), message))
    sync(AlertRule.RED_RESPONSE_LATE, late)

    without_helper = (
        plans.filter(grade__in=policies.helper_grades())
        .annotate(has_helper=Exists(PairedHelper.objects.filter(minor_id=OuterRef("minor_id"), until__isnull=True)))
        .filter(has_helper=False)
        .values(*_PLAN_FIELDS)
    )
    sync(
        AlertRule.HELPER_MISSING,
        [
            _candidate(
                row,
                row["grade_since"].isoformat() if row["grade_since"] else "-",
                _("%(name)s（%(place)s）为%(grade)s等级，尚未指定一对一帮扶人。")
                % {**_names(row), "grade": RiskGrade(row["grade"]).label},
            )
            for row in without_helper
            if policies.requires_helper(row["region_path"], row["grade"])
        ],
    )
    results[AlertRule.NEW_RISK_FOUND] = {"resolved": _resolve_new_risk(minor_ids=minor_ids, now=now)}
    return results


def _resolve_new_risk(*, minor_ids: list[int] | None, now) -> int:
    """A new-risk alert is resolved by a risk-level assessment recorded after the visit that raised it."""
    open_alerts = Alert.objects.filter(rule=AlertRule.NEW_RISK_FOUND, resolved_at__isnull=True)
    if minor_ids is not None:
        open_alerts = open_alerts.filter(minor_id__in=minor_ids)
    reassessed = open_alerts.filter(
        Exists(
            Assessment.objects.filter(
                minor_id=OuterRef("minor_id"), kind=AssessmentKind.RISK_LEVEL, created_at__gte=OuterRef("created_at")
            )
        )
    )
    return reassessed.update(resolved_at=now)


def age_rules_apply(*, today: date | None = None) -> dict[str, int]:
    """At the employment-support age: tell the town office the minor may now get vocational training and
    employment support (domain.md §10.3; 002 三(五)). At the age limit: close the record as aged out, with
    an event, and drop it from the visit plan (domain.md §10.3: a minor is under the limit). The ages are
    screening.rules.EMPLOYMENT_SUPPORT_AGE and aged_out_age()."""
    today = today or timezone.localdate()
    age_limit = aged_out_age()
    sixteen = born_on_or_before_for_age(today, EMPLOYMENT_SUPPORT_AGE)
    eighteen = born_on_or_before_for_age(today, age_limit)
    aged_out = list(Minor.objects.filter(status=MinorStatus.ACTIVE, birth_date__lte=eighteen).select_related("region"))
    if aged_out:
        actor = system_actor()
        for minor in aged_out:
            minor_close(
                actor=actor,
                minor=minor,
                reason=ClosedReason.AGED_OUT,
                note=_("年满%(n)d周岁，系统自动销档。") % {"n": age_limit},
            )
        from screening.visits.services.plan import visit_plan_refresh

        visit_plan_refresh(minor_ids=[m.pk for m in aged_out])
    rows = Minor.objects.filter(status=MinorStatus.ACTIVE, birth_date__lte=sixteen, birth_date__gt=eighteen).values(
        "id", "name", "region_id", "region__path", "region__name"
    )
    result = alerts_sync(
        rule=AlertRule.AGE_16,
        candidates=[
            AlertCandidate(
                subject_key=f"minor:{row['id']}",
                period_key=str(EMPLOYMENT_SUPPORT_AGE),
                minor_id=row["id"],
                region_id=row["region_id"],
                region_path=row["region__path"],
                message=_("%(name)s（%(place)s）已满%(n)d周岁，可申请职业技能培训和就业扶持。")
                % {"name": row["name"], "place": row["region__name"], "n": EMPLOYMENT_SUPPORT_AGE},
                url=f"/minors/{row['id']}/",
            )
            for row in rows
        ],
    )
    return {"aged_out": len(aged_out), **{f"age16_{key}": value for key, value in result.items()}}

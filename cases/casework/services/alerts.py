"""Casework deadlines watched by Celery (hourly), through the one alert mechanism (cases.alerts.services):
- MEASURE_OVERDUE: an open measure past its due date → the town office and child supervisor, and the
  measure's responsible person and working-group members; one alert per measure and due date.
- RED_PLAN_MISSING: a red case without a plan (cases.casework.selectors.red_plan_missing_q, the same
  definition as the case board and page) after its deadline (cases.casework.rules.red_plan_due_at) → the
  town leader and the town office; one alert per case and deadline.
Both resolve when the cause is gone (the measure is done, cancelled or re-dated; a measure is added).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync, recipients_for
from cases.casework.selectors import red_plan_late_cases
from cases.models import OPEN_MEASURE_STATUSES, CaseStage, Measure, MinorStatus
from cases.privacy.sealing.selectors import minor_reference
from tiers.roles import ROLE_POLICIES, Capability

SEALED_ROLES = [role for role, policy in ROLE_POLICIES.items() if Capability.VIEW_SEALED in policy.capabilities]


def casework_escalate(*, now=None) -> dict[str, dict]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Measure.objects.filter(
            status__in=OPEN_MEASURE_STATUSES,
            due_on__lt=today,
            case__minor__status=MinorStatus.ACTIVE,
        )
        .exclude(case__stage=CaseStage.CLOSED)
        .select_related("case__minor__region", "group")
        .prefetch_related("group__members")
    )
    overdue = list(overdue)
    # A sealed child is named in no alert and reaches no one outside its VIEW_SEALED holders (issue 10 §3).
    sealed_paths = {m.case.minor.region.path for m in overdue if m.case.minor.is_sealed}
    sealed_readers = recipients_for(region_paths=sealed_paths, roles=SEALED_ROLES) if sealed_paths else {}

    def extra_users(m: Measure) -> frozenset[int]:
        users = {
            *(u.pk for u in (m.group.members.all() if m.group_id else [])),
            *([m.responsible_user_id] if m.responsible_user_id else []),
        }
        if m.case.minor.is_sealed:
            users &= sealed_readers.get(m.case.minor.region.path, set())
        return frozenset(users)

    def child(m: Measure) -> str:
        if m.case.minor.is_sealed:
            return minor_reference(minor=m.case.minor, case_id=m.case_id)
        return m.case.minor.name

    measures = [
        AlertCandidate(
            subject_key=f"measure:{m.pk}",
            period_key=m.due_on.isoformat(),
            minor_id=m.case.minor_id,
            region_id=m.case.minor.region_id,
            region_path=m.case.minor.region.path,
            message=_("%(name)s的帮扶措施“%(title)s”应于%(due)s完成，已逾期。")
            % {"name": child(m), "title": m.title, "due": m.due_on},
            url=f"/cases/{m.case_id}/",
            extra_user_ids=extra_users(m),
        )
        for m in overdue
    ]
    results = {AlertRule.MEASURE_OVERDUE: alerts_sync(rule=AlertRule.MEASURE_OVERDUE, candidates=measures)}
    missing_plan = red_plan_late_cases(now=now).select_related("minor__region")
    plans = [
        AlertCandidate(
            subject_key=f"case:{c.pk}",
            period_key=c.plan_due_at.isoformat(),
            minor_id=c.minor_id,
            region_id=c.minor.region_id,
            region_path=c.minor.region.path,
            message=_("%(name)s为红色等级个案，立案已超过时限仍未制定帮扶计划。")
            % {"name": minor_reference(minor=c.minor, case_id=c.pk) if c.minor.is_sealed else c.minor.name},
            url=f"/cases/{c.pk}/",
        )
        for c in missing_plan
    ]
    results[AlertRule.RED_PLAN_MISSING] = alerts_sync(rule=AlertRule.RED_PLAN_MISSING, candidates=plans)
    return results

"""Editing the checklist and the grade policies: the county civil-affairs post's work (domain.md §3.1
[PROPOSAL] and §14.7: grade criteria and visit rhythms are configurable, per district). Rows without a
county are the deployment defaults (seeded, changed only in the admin); a county post writes only its
own county's settings, which win over the defaults there."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import RiskGrade
from screening.models import GradePolicy, Indicator, IndicatorOverride
from screening.rules import CONTACT_INTERVAL_DAYS_RANGE, RESPONSE_DEADLINE_HOURS_RANGE, VISIT_INTERVAL_DAYS_RANGE
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def _require_county(actor, county: Region) -> None:
    if county.level != Level.COUNTY or not user_reach(actor, Capability.MANAGE_POLICY).covers(county.path):
        raise ActionNotAllowed


@transaction.atomic
def grade_policy_set(
    *,
    actor,
    county: Region,
    grade: str,
    visit_interval_days: int,
    requires_helper: bool,
    response_deadline_hours: int | None = None,
    contact_interval_until_response_days: int | None = None,
) -> GradePolicy:
    """Set what a grade demands in one county; the next plan refresh applies it to every child."""
    _require_county(actor, county)
    errors: dict[str, list] = {}
    if grade not in RiskGrade.values:
        errors["grade"] = [ValidationError(_("请选择风险等级。"), code="invalid_choice")]
    (days_min, days_max), (hours_min, hours_max) = VISIT_INTERVAL_DAYS_RANGE, RESPONSE_DEADLINE_HOURS_RANGE
    contact_min, contact_max = CONTACT_INTERVAL_DAYS_RANGE
    if not visit_interval_days or not days_min <= visit_interval_days <= days_max:
        errors["visit_interval_days"] = [
            ValidationError(_("走访间隔应为%(min)d至%(max)d天。") % {"min": days_min, "max": days_max}, code="invalid")
        ]
    if response_deadline_hours is not None and not hours_min <= response_deadline_hours <= hours_max:
        errors["response_deadline_hours"] = [
            ValidationError(
                _("处置时限应为%(min)d至%(max)d小时。") % {"min": hours_min, "max": hours_max}, code="invalid"
            )
        ]
    if contact_interval_until_response_days is not None and not (
        contact_min <= contact_interval_until_response_days <= contact_max
    ):
        errors["contact_interval_until_response_days"] = [
            ValidationError(
                _("联系间隔应为%(min)d至%(max)d天。") % {"min": contact_min, "max": contact_max}, code="invalid"
            )
        ]
    if errors:
        raise ValidationError(errors)
    policy, _created = GradePolicy.objects.update_or_create(
        county=county,
        grade=grade,
        defaults={
            "visit_interval_days": visit_interval_days,
            "requires_helper": requires_helper,
            "response_deadline_hours": response_deadline_hours,
            "contact_interval_until_response_days": contact_interval_until_response_days,
        },
    )
    from screening.tasks import refresh_visit_plan

    transaction.on_commit(lambda: refresh_visit_plan.delay())
    return policy


@transaction.atomic
def grade_policy_reset(*, actor, county: Region, grade: str) -> bool:
    """Return one county to the deployment default for `grade` (its own row is removed; the change
    stays in the rule history). False when the county already followed the default."""
    _require_county(actor, county)
    deleted, _detail = GradePolicy.objects.filter(county=county, grade=grade).delete()
    if deleted:
        from screening.tasks import refresh_visit_plan

        transaction.on_commit(lambda: refresh_visit_plan.delay())
    return bool(deleted)


def _indicator_default(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise ValidationError({"code": [ValidationError(_("指标不存在。"), code="invalid")]})
    return indicator


@transaction.atomic
def indicator_set(*, actor, county: Region, code: str, min_grade: str, is_active: bool = True) -> Indicator:
    """Change, for one county only, the minimum grade an indicator implies, or switch it off there
    (domain.md §3.1, §14.7). Copy-on-write: the deployment default stays as it is and the county gets
    (or updates) its own setting, which wins over the default in that county. Past assessments keep
    their grade. Returns the indicator as now in force in the county."""
    _require_county(actor, county)
    if min_grade not in RiskGrade.values:
        raise ValidationError({"min_grade": [ValidationError(_("请选择风险等级。"), code="invalid_choice")]})
    indicator = _indicator_default(code)
    IndicatorOverride.objects.update_or_create(
        county=county, indicator=indicator, defaults={"min_grade": min_grade, "is_active": is_active}
    )
    indicator.min_grade, indicator.is_active = min_grade, is_active
    return indicator


@transaction.atomic
def indicator_reset(*, actor, county: Region, code: str) -> bool:
    """Return one county to the deployment default of an indicator (its own setting is removed; the
    change stays in the rule history). False when the county already followed the default."""
    _require_county(actor, county)
    indicator = _indicator_default(code)
    deleted, _detail = IndicatorOverride.objects.filter(county=county, indicator=indicator).delete()
    return bool(deleted)

"""Reads for the district's policy page (domain.md §3.1 [PROPOSAL], §14.7): the checklist and the grade
policies as in force in one county, and who changed them (issue 10 §7)."""

from __future__ import annotations

from django.db.models import Q

from screening.grading.selectors import indicators_in_force
from screening.models import INDICATOR_OVERRIDE_FIELDS, GradePolicy, Indicator
from tiers.models import Region

POLICY_HISTORY_LIMIT = 50


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

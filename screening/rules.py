"""The visit rhythm and what each grade demands, in one place (issue 11 §2). The visit plan, the escalation
and age jobs, the grading services, the record page and the dashboard figures read them from here.

What a grade demands is data, not code: GradePolicy rows (screening.models), a county's own row winning
over the deployment default (domain.md §14.7: configurable per district). The defaults are seeded by the
data migration screening/0002 with the [PROPOSAL] values (BLUE 90 days, YELLOW monthly, ORANGE weekly with
a one-to-one helper, RED a response within 24 hours and daily contact until it is in place, weekly after).
`GradePolicies` is the one reader of those rows; nobody else looks a policy up or hard-codes its numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db.models import QuerySet

from cases.models import RiskGrade
from cases.registry.rules import minor_age_limit
from screening.models import GradePolicy
from tiers.models import Region

# --- what each grade demands (domain.md §3.1 the four grades; §10.1 visits YELLOW / ORANGE / BLUE / RED) -----
# Per grade and county: the visit interval, whether a one-to-one helper (结对帮扶人) is required, and for red
# the emergency-response deadline and the contact interval until the response is in place. A minor not yet
# graded follows BLUE's interval.
UNGRADED_FOLLOWS = RiskGrade.BLUE


class GradePolicies:
    """The grade policies, loaded in one query: for a path, the county's own row, else the default."""

    def __init__(self, rows: Iterable[GradePolicy] | None = None) -> None:
        if rows is None:
            rows = GradePolicy.objects.all()
        if isinstance(rows, QuerySet):
            rows = rows.select_related("county")
        self._rows = {(p.county.path if p.county_id else None, p.grade): p for p in rows}

    def get(self, region_path: str, grade: str) -> GradePolicy | None:
        """The policy in force for `grade` in the county that `region_path` lies in."""
        county = Region.path_county(region_path)
        return self._rows.get((county, grade)) or self._rows.get((None, grade))

    def defaults_then_counties(self) -> list[GradePolicy]:
        """Every row, deployment defaults first, so that a county's own rows can be applied over them."""
        return sorted(self._rows.values(), key=lambda p: p.county_id is not None)

    def requires_helper(self, region_path: str, grade: str) -> bool:
        policy = self.get(region_path, grade)
        return bool(policy and policy.requires_helper)

    def helper_grades(self) -> list[str]:
        """The grades that require a one-to-one helper anywhere (a first, wide filter; then `requires_helper`)."""
        return sorted({p.grade for p in self._rows.values() if p.requires_helper})

    def response_deadline_hours(self, region_path: str) -> int:
        """Hours after a red grade by which an emergency response must be recorded."""
        policy = self.get(region_path, RiskGrade.RED)
        return (policy.response_deadline_hours if policy else None) or RED_RESPONSE_DEADLINE_HOURS

    def visit_intervals(self, region_path: str) -> dict[str, int]:
        """{grade: visit interval in days} in force in the county of `region_path`."""
        return {
            grade: policy.visit_interval_days
            for grade in RiskGrade.values
            if (policy := self.get(region_path, grade)) is not None
        }


def policy_for(*, region: Region, grade: str) -> GradePolicy | None:
    """The policy in force for `grade` where `region` lies (one query)."""
    return GradePolicies(GradePolicy.objects.filter(grade=grade)).get(region.path, grade)


# What a county may set (the policy page's form and screening.policy.services check the same bounds):
VISIT_INTERVAL_DAYS_RANGE = (1, 366)
RESPONSE_DEADLINE_HOURS_RANGE = (1, 168)
CONTACT_INTERVAL_DAYS_RANGE = (1, 30)


# A grade without any policy row (a deployment that removed one) is visited at this interval, with a warning;
# configurable with the setting MINORPROT_FALLBACK_VISIT_INTERVAL_DAYS, read here only.
def fallback_visit_interval_days() -> int:
    return settings.MINORPROT_FALLBACK_VISIT_INTERVAL_DAYS


# --- the red response deadline (domain.md §3.1 RED "立即", [PROPOSAL] 24 hours) --------------------------------
# Used when a red policy row leaves its deadline blank; the seeded default row says 24 as well.
RED_RESPONSE_DEADLINE_HOURS = 24

# --- escalation of overdue visits (domain.md §1.3 T-3/T-4: report up what this level has not handled; §10.1) ---
# A visit overdue by more than one interval alerts the child supervisor and the town office; by more than two,
# the town leader.
VISIT_OVERDUE_INTERVALS = 1
VISIT_OVERDUE_2X_INTERVALS = 2

# --- age thresholds (domain.md §10.3) ------------------------------------------------------------------------
# At 16 a minor becomes eligible for vocational training and employment support: the town office is told.
EMPLOYMENT_SUPPORT_AGE = 16


# At the age limit (a minor is under it) the record is closed as aged out and leaves the visit plan. The
# registry refuses to register or restore anyone of that age; the limit is the registry's rule
# (cases.registry.rules.minor_age_limit).
def aged_out_age() -> int:
    return minor_age_limit()


def born_on_or_before_for_age(today: date, years: int) -> date:
    """The latest birth date of someone who is at least `years` old on `today` (29 February → 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)

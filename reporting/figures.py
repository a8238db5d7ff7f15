"""The quarterly figures of a part of the administrative tree (domain.md §12; §4 mechanism 3; §1.3 T-1).

How they are computed, and why this way:

* One pass of grouped queries over the whole subtree counts everything per *leaf* region (the village
  or grid a child lives in): `_collect`. No query returns a row per child, so a county of 200,000
  minors costs a few dozen GROUP BY statements, whatever the depth of the tree.
* The counts of any region are the sums of its leaves (`_rollup`): a town is the sum of its villages, a
  district of its towns. Freezing a quarter for every region of a county is one pass plus additions.
* What a quarter means: stock figures (children on the ledger, their grades and categories, open cases,
  placements, benefits) are as at the end of the quarter — or now, for the current quarter; flow
  figures (registrations, closures, grade changes, visits due, referrals sent, reports received) are
  those that happened within the quarter.
* A past quarter is reconstructed from the records' own history: a child was on the ledger if
  registered before the end and not closed by then; their grade was the last grade change before the
  end; a case's stage the last stage change. Categories removed later and records re-opened are the
  limits of that reconstruction, which is why the quarter-end job freezes the figures as soon as the
  quarter ends (reporting.services.snapshots) and the dashboard never recomputes a frozen quarter.

The result is a plain JSON-able dict of codes and numbers (no names of children, no labels: those are
added when shown, in the reader's language). `SCHEMA` is bumped when its shape changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from cases.models import (
    BaselinePopulation,
    BenefitEnrolment,
    Case,
    CaseEvent,
    GuardianshipIntervention,
    Measure,
    Minor,
    MinorCategory,
    MinorStatus,
    Placement,
    RiskGrade,
    Track,
)
from cases.casework.models import OPEN_MEASURE_STATUSES, CaseStage, EnrolmentStatus, MeasureStatus
from referrals.models import Referral, Report
from reporting.quarters import Quarter
from screening.models import GradeChange, VisitPlan
from screening.rules import GradePolicies
from screening.visits.selectors import visit_compliance_counts
from tiers.models import Organisation, Region
from tiers.roles import Level

SCHEMA = 1

GRADES = [str(RiskGrade.RED.value), str(RiskGrade.ORANGE.value), str(RiskGrade.YELLOW.value), str(RiskGrade.BLUE.value)]
UNGRADED = "UNGRADED"

# [PROPOSAL] Which categories usually call for which working group (domain.md §5 duties and §6.1
# routing), used only to pre-estimate the protection resources each track will need (§12, 004 一(三)).
# Override with the setting MINORPROT_TRACK_CATEGORIES.
DEFAULT_TRACK_CATEGORIES: dict[str, list[str]] = {
    "RESCUE_PROTECTION": [
        "ORPHAN",
        "DE_FACTO_UNSUPPORTED",
        "GUARDIANSHIP_ABSENT",
        "GUARDIAN_INCAPABLE",
        "ABANDONED",
        "VAGRANT_BEGGING",
        "TRAFFICKED_EXPLOITED",
        "POVERTY",
        "LOW_INCOME_FAMILY",
        "EXTREME_POVERTY_SUPPORTED",
        "UNREGISTERED",
    ],
    "EDUCATION_SUPPORT": ["DROPOUT", "IDLE_MINOR", "LEFT_BEHIND", "MIGRANT", "DISABILITY"],
    "JUDICIAL_PROTECTION": [
        "VIOLENCE_ABUSE_VICTIM",
        "CRIME_VICTIM",
        "JUSTICE_INVOLVED",
        "SERIOUS_MISBEHAVIOUR",
        "CHILD_OF_PRISONER",
        "EARLY_MARRIAGE",
    ],
    "EMPLOYMENT_SUPPORT": ["IDLE_MINOR", "POVERTY", "LOW_INCOME_FAMILY"],
    "MEDICAL_PROTECTION": ["SEVERE_ILLNESS", "DISABILITY"],
    "SPIRITUAL_CARE": [
        "VIOLENCE_ABUSE_VICTIM",
        "CRIME_VICTIM",
        "LEFT_BEHIND",
        "DIVORCED_FAMILY",
        "SINGLE_PARENT",
        "IMPROPER_GUARDIANSHIP",
    ],
}


def track_categories() -> dict[str, list[str]]:
    return getattr(settings, "MINORPROT_TRACK_CATEGORIES", None) or DEFAULT_TRACK_CATEGORIES


@dataclass
class Period:
    """The quarter being measured and the instant its stock figures are taken at."""

    quarter: Quarter
    as_of: datetime  # exclusive: records at or after this instant are not counted
    live: bool

    @classmethod
    def of(cls, quarter: Quarter, now: datetime | None = None) -> Period:
        now = now or timezone.now()
        if quarter.is_over(now):
            return cls(quarter, quarter.end, live=False)
        if now < quarter.start:
            raise ValueError("quarter has not started")
        return cls(quarter, now, live=True)

    @property
    def start(self) -> datetime:
        return self.quarter.start

    @property
    def as_of_date(self):
        """The last local day inside the period."""
        return timezone.localtime(self.as_of - timedelta(microseconds=1)).date()


@dataclass
class LeafData:
    """Counts per leaf region path, plus durations for the medians (kept raw so they can be rolled up)."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    durations: dict[str, dict[tuple, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, path: str, key: tuple, n: int = 1) -> None:
        if n:
            self.counts[path][key] += n

    def add_rows(self, rows, key) -> None:
        """Add `n` of each grouped row; `key(row)` gives the counter key."""
        for row in rows:
            self.add(row["leaf"], key(row), row["n"])


def _subtree(field: str, root: Region) -> Q:
    """Rows whose region (`<relation>__path` names it) lies in `root`'s subtree.

    Filtered on the foreign key against the subtree's region ids (a small indexed subquery) rather than
    on the joined path: the database then uses the region index instead of scanning every child."""
    if field == "region_path":  # VisitPlan keeps the path itself, indexed
        return Q(region_path__startswith=root.path)
    relation = field.removesuffix("__path")
    return Q(**{f"{relation}_id__in": Region.objects.filter(path__startswith=root.path).values("id")})


def _collect(root: Region, period: Period) -> LeafData:
    """Every count of the figures, per leaf region under `root`, for `period`."""
    data = LeafData()
    end, start, end_day, start_day = period.as_of, period.start, period.as_of_date, period.quarter.first_day
    leaf = F("region_id")
    minors = Minor.objects.filter(_subtree("region__path", root))
    on_ledger = (
        minors.filter(created_at__lt=end)
        .exclude(closed_at__lt=end)
        .exclude(status=MinorStatus.CLOSED, closed_at__isnull=True)
    )
    if period.live:
        on_ledger = minors.filter(status=MinorStatus.ACTIVE)

    # Registry: on the ledger, by grade, by category, the four special groups and key attention.
    if period.live:
        rows = on_ledger.annotate(leaf=leaf, g=F("risk_grade")).values("leaf", "g").annotate(n=Count("id"))
    elif connection.vendor == "postgresql":
        rows = _grades_at_postgresql(on_ledger, end)
    else:
        last_grade = GradeChange.objects.filter(minor=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
        graded = on_ledger.annotate(leaf=leaf, g=Subquery(last_grade.values("to_grade")[:1]))
        rows = graded.values("leaf", "g").annotate(n=Count("id"))
    for row in rows:
        data.add(row["leaf"], ("active",), row["n"])
        data.add(row["leaf"], ("grade", row["g"] or UNGRADED), row["n"])

    links = MinorCategory.objects.filter(minor__in=on_ledger.values("pk"), added_at__lt=end)
    data.add_rows(
        links.annotate(leaf=F("minor__region_id"), code=F("category__code"))
        .values("leaf", "code")
        .annotate(n=Count("id")),
        lambda row: ("category", row["code"]),
    )
    # Children (not links) in the special groups and likely to need each track: one pass, distinct counts.
    distinct = {
        "four_special": Q(category__in_four_special_groups=True),
        "key_attention": Q(category__in_key_attention=True),
        **{f"track:{track}": Q(category__code__in=codes) for track, codes in track_categories().items()},
    }
    aggregates = {
        f"n{index}": Count("minor_id", distinct=True, filter=condition)
        for index, condition in enumerate(distinct.values())
    }
    for row in links.annotate(leaf=F("minor__region_id")).values("leaf").annotate(**aggregates):
        for index, name in enumerate(distinct):
            key = ("track_need", name.split(":", 1)[1]) if name.startswith("track:") else (name,)
            data.add(row["leaf"], key, row[f"n{index}"])

    # Baseline population (底数): each village's latest count on or before the end of the period.
    latest = BaselinePopulation.objects.filter(region=OuterRef("region"), as_of__lte=end_day).order_by("-as_of")
    baselines = (
        BaselinePopulation.objects.filter(_subtree("region__path", root), as_of__lte=end_day)
        .annotate(latest_id=Subquery(latest.values("id")[:1]))
        .filter(id=F("latest_id"))
        .values_list("region_id", "minor_count")
    )
    for path, count in baselines:
        data.add(path, ("baseline",), count)
        data.add(path, ("baseline_villages",), 1)

    # Changes within the quarter.
    data.add_rows(
        minors.filter(created_at__gte=start, created_at__lt=end)
        .annotate(leaf=leaf)
        .values("leaf")
        .annotate(n=Count("id")),
        lambda row: ("registered",),
    )
    data.add_rows(
        minors.filter(status=MinorStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(leaf=leaf)
        .values("leaf", "closed_reason")
        .annotate(n=Count("id")),
        lambda row: ("closed", row["closed_reason"]),
    )
    data.add_rows(
        GradeChange.objects.filter(_subtree("minor__region__path", root), at__gte=start, at__lt=end)
        .annotate(leaf=F("minor__region_id"))
        .values("leaf", "from_grade", "to_grade")
        .annotate(n=Count("id")),
        lambda row: ("grade_change", row["from_grade"] or UNGRADED, row["to_grade"]),
    )

    # Visits: compliance is screening's one count (the visit statistics page reads the same), per leaf region.
    today = timezone.localdate()
    subtree = Region.objects.filter(root.subtree("path"))
    for row in visit_compliance_counts(regions=subtree, start=start_day, end=end_day, today=today):
        data.add(row["region_id"], ("visit_due", row["grade"] or UNGRADED), row["due"])
        data.add(row["region_id"], ("visit_on_time", row["grade"] or UNGRADED), row["on_time"])
    if period.live:
        plans = VisitPlan.objects.filter(_subtree("region_path", root), minor__status=MinorStatus.ACTIVE)
        data.add_rows(
            plans.filter(next_due_on__lt=today)
            .annotate(leaf=F("minor__region_id"))
            .values("leaf")
            .annotate(n=Count("pk")),
            lambda row: ("overdue_now",),
        )

    _collect_casework(data, root, period)
    _collect_referrals(data, root, period)
    return _by_path(data, root)


def _by_path(data: LeafData, root: Region) -> LeafData:
    """The counts were gathered per region id (no join to the region table); roll-ups go by path."""
    paths = dict(Region.objects.filter(path__startswith=root.path).values_list("id", "path"))
    converted = LeafData()
    for region_id, counts in data.counts.items():
        if region_id in paths:
            converted.counts[paths[region_id]].update(counts)
    for region_id, lists in data.durations.items():
        if region_id in paths:
            for key, values in lists.items():
                converted.durations[paths[region_id]][key].extend(values)
    return converted


def _grades_at_postgresql(on_ledger, end: datetime) -> list[dict]:
    """Children on the ledger per leaf and grade at `end`: each child's last grade change before then,
    found in one DISTINCT ON pass over the grade changes instead of one subquery per child."""
    ids_sql, ids_params = on_ledger.values("id").query.sql_with_params()
    minors, changes = Minor._meta.db_table, GradeChange._meta.db_table
    sql = (
        f"SELECT m.region_id, g.to_grade, COUNT(*) FROM {minors} m "  # noqa: S608 - table names, not input
        f"LEFT JOIN (SELECT DISTINCT ON (minor_id) minor_id, to_grade FROM {changes} "
        f"WHERE at < %s ORDER BY minor_id, at DESC, id DESC) g ON g.minor_id = m.id "
        f"WHERE m.id IN ({ids_sql}) GROUP BY m.region_id, g.to_grade"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [end, *ids_params])
        return [{"leaf": leaf, "g": grade, "n": n} for leaf, grade, n in cursor.fetchall()]


def _collect_casework(data: LeafData, root: Region, period: Period) -> None:
    end, start, end_day = period.as_of, period.start, period.as_of_date
    cases = Case.objects.filter(_subtree("minor__region__path", root))
    open_cases = cases.filter(opened_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    if period.live:
        open_cases = cases.exclude(stage=CaseStage.CLOSED)
        data.add_rows(
            open_cases.annotate(leaf=F("minor__region_id")).values("leaf", "stage").annotate(n=Count("id")),
            lambda row: ("case_open", row["stage"]),
        )
    else:
        # The stage each case was in at the end: its last stage change before then.
        stage_at: dict[int, str] = {}
        for case_id, changes in (
            CaseEvent.objects.filter(case__in=open_cases.values("pk"), kind=CaseEvent.Kind.STAGE_CHANGED, at__lt=end)
            .order_by("case_id", "at", "id")
            .values_list("case_id", "changes")
        ):
            for change in changes or []:
                if change.get("field") == "stage" and change.get("to"):
                    stage_at[case_id] = change["to"]
        for case_id, path in open_cases.values_list("id", "minor__region_id"):
            data.add(path, ("case_open", stage_at.get(case_id, CaseStage.DISCOVERY)))
    data.add_rows(
        cases.filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(leaf=F("minor__region_id"))
        .values("leaf")
        .annotate(n=Count("id")),
        lambda row: ("case_opened",),
    )
    data.add_rows(
        cases.filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(leaf=F("minor__region_id"))
        .values("leaf")
        .annotate(n=Count("id")),
        lambda row: ("case_closed",),
    )

    measures = Measure.objects.filter(_subtree("case__minor__region__path", root), created_at__lt=end)
    if period.live:
        still_open = measures.filter(status__in=OPEN_MEASURE_STATUSES)
    else:
        still_open = measures.exclude(status=MeasureStatus.CANCELLED).filter(
            Q(completed_at__isnull=True) | Q(completed_at__gte=end)
        )
    leaf = F("case__minor__region_id")
    data.add_rows(
        still_open.annotate(leaf=leaf).values("leaf", "track").annotate(n=Count("id")),
        lambda row: ("measure_open", row["track"]),
    )
    overdue_before = timezone.localdate() if period.live else end_day + timedelta(days=1)
    data.add_rows(
        still_open.filter(due_on__lt=overdue_before)
        .annotate(leaf=leaf)
        .values("leaf", "track")
        .annotate(n=Count("id")),
        lambda row: ("measure_overdue", row["track"]),
    )
    data.add_rows(
        measures.filter(status=MeasureStatus.DONE, completed_at__gte=start, completed_at__lt=end)
        .annotate(leaf=leaf)
        .values("leaf", "track")
        .annotate(n=Count("id")),
        lambda row: ("measure_done", row["track"]),
    )

    data.add_rows(
        GuardianshipIntervention.objects.filter(
            _subtree("case__minor__region__path", root), recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(leaf=leaf)
        .values("leaf", "level")
        .annotate(n=Count("id")),
        lambda row: ("intervention", str(row["level"])),
    )
    data.add_rows(
        Placement.objects.filter(_subtree("case__minor__region__path", root), start_on__lte=end_day)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=end_day))
        .annotate(leaf=leaf)
        .values("leaf", "type")
        .annotate(n=Count("id")),
        lambda row: ("placement", row["type"]),
    )
    data.add_rows(
        BenefitEnrolment.objects.filter(
            _subtree("minor__region__path", root),
            status__in=[EnrolmentStatus.APPROVED, EnrolmentStatus.ENDED],
            start_on__lte=end_day,
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=end_day))
        .exclude(status=EnrolmentStatus.ENDED, end_on__isnull=True)
        .annotate(leaf=F("minor__region_id"), code=F("programme__code"))
        .values("leaf", "code")
        .annotate(n=Count("id")),
        lambda row: ("enrolment", row["code"]),
    )


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _collect_referrals(data: LeafData, root: Region, period: Period) -> None:
    end, start = period.as_of, period.start
    referrals = Referral.objects.filter(_subtree("minor__region__path", root))
    sent = referrals.filter(sent_at__gte=start, sent_at__lt=end)
    data.add_rows(
        sent.annotate(leaf=F("minor__region_id"), kind=F("organisation__kind"))
        .values("leaf", "kind", "status")
        .annotate(n=Count("id")),
        lambda row: ("referral", row["kind"], row["status"]),
    )
    data.add_rows(
        sent.annotate(leaf=F("minor__region_id"), org=F("organisation_id"))
        .values("leaf", "org")
        .annotate(n=Count("id")),
        lambda row: ("org_sent", row["org"]),
    )
    for path, org, sent_at, accepted_at in referrals.filter(
        accepted_at__gte=start, accepted_at__lt=end, sent_at__isnull=False
    ).values_list("minor__region_id", "organisation_id", "sent_at", "accepted_at"):
        data.durations[path][("accept_hours", org)].append(_hours(accepted_at - sent_at))
    for path, org, sent_at, feedback_at in referrals.filter(
        feedback_at__gte=start, feedback_at__lt=end, sent_at__isnull=False
    ).values_list("minor__region_id", "organisation_id", "sent_at", "feedback_at"):
        data.durations[path][("feedback_days", org)].append(_hours(feedback_at - sent_at) / 24)

    # A village's reports are those naming it; a town's also those naming no village.
    reports = Report.objects.filter(_subtree("town__path", root) | _subtree("village__path", root))
    report_leaf = _report_leaf()
    for row in (
        reports.filter(received_at__gte=start, received_at__lt=end)
        .annotate(leaf=report_leaf)
        .values("leaf", "channel")
        .annotate(n=Count("id"))
    ):
        data.add(row["leaf"], ("report", row["channel"]), row["n"])
    for path, received_at, triaged_at in (
        reports.filter(triaged_at__gte=start, triaged_at__lt=end)
        .annotate(leaf=report_leaf)
        .values_list("leaf", "received_at", "triaged_at")
    ):
        data.durations[path][("triage_hours",)].append(_hours(triaged_at - received_at))
    if period.live:
        for row in (
            reports.filter(triaged_at__isnull=True).annotate(leaf=report_leaf).values("leaf").annotate(n=Count("id"))
        ):
            data.add(row["leaf"], ("untriaged_now",), row["n"])


def _report_leaf():
    """A report belongs to its village when one is named, otherwise to its town."""
    from django.db.models.functions import Coalesce

    return Coalesce(F("village_id"), F("town_id"))


# ---------------------------------------------------------------------------------------------------
# Roll-up and shape


def _rollup(data: LeafData, prefix: str) -> tuple[Counter, dict[tuple, list[float]]]:
    total: Counter = Counter()
    durations: dict[tuple, list[float]] = defaultdict(list)
    for path, counts in data.counts.items():
        if path.startswith(prefix):
            total.update(counts)
    for path, lists in data.durations.items():
        if path.startswith(prefix):
            for key, values in lists.items():
                durations[key].extend(values)
    return total, durations


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _by(counts: Counter, name: str) -> dict[str, int]:
    """{second element of key: n} for keys (name, x)."""
    return {key[1]: n for key, n in sorted(counts.items(), key=lambda item: str(item[0])) if key[0] == name and n}


def _summary(counts: Counter) -> dict:
    """The per-region line used for drill-down tables and trends."""
    grades = _by(counts, "grade")
    due = sum(_by(counts, "visit_due").values())
    on_time = sum(_by(counts, "visit_on_time").values())
    return {
        "active": counts[("active",)],
        "baseline": counts[("baseline",)],
        "at_risk_rate": _rate(counts[("active",)], counts[("baseline",)]),
        "grades": {grade: grades.get(grade, 0) for grade in [*GRADES, UNGRADED]},
        "registered": counts[("registered",)],
        "visits_due": due,
        "visits_on_time": on_time,
        "visit_rate": _rate(on_time, due),
        "overdue_now": counts[("overdue_now",)],
        "cases_open": sum(_by(counts, "case_open").values()),
        "measures_overdue": sum(_by(counts, "measure_overdue").values()),
        "referrals_sent": sum(n for key, n in counts.items() if key[0] == "org_sent"),
    }


def _shape(
    region: Region, period: Period, counts: Counter, durations: dict, children: list[dict], context: dict
) -> dict:
    grades = _by(counts, "grade")
    matrix: dict[str, dict[str, int]] = defaultdict(dict)
    upgrades = downgrades = first = 0
    for key, n in counts.items():
        if key[0] != "grade_change" or not n:
            continue
        _kind, old, new = key
        matrix[old][new] = matrix[old].get(new, 0) + n
        if old == UNGRADED:
            first += n
        elif RiskGrade.rank(new) > RiskGrade.rank(old):
            upgrades += n
        elif RiskGrade.rank(new) < RiskGrade.rank(old):
            downgrades += n

    due_by_grade = _by(counts, "visit_due")
    on_time_by_grade = _by(counts, "visit_on_time")
    visit_grades = {
        grade: {
            "due": due_by_grade.get(grade, 0),
            "on_time": on_time_by_grade.get(grade, 0),
            "rate": _rate(on_time_by_grade.get(grade, 0), due_by_grade.get(grade, 0)),
        }
        for grade in [*GRADES, UNGRADED]
        if due_by_grade.get(grade)
    }
    visits_due = sum(due_by_grade.values())
    visits_on_time = sum(on_time_by_grade.values())

    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for key, n in counts.items():
        if key[0] == "referral" and n:
            by_kind[key[1]][key[2]] = by_kind[key[1]].get(key[2], 0) + n
    organisations = []
    org_ids = {key[1] for key in counts if key[0] == "org_sent"} | {
        key[1] for key in durations if key[0] in ("accept_hours", "feedback_days")
    }
    names = context["organisations"]
    for org_id in sorted(org_ids, key=lambda pk: (names.get(pk, ("", ""))[1], pk)):
        accept = durations.get(("accept_hours", org_id), [])
        feedback = durations.get(("feedback_days", org_id), [])
        organisations.append(
            {
                "id": org_id,
                "name": names.get(org_id, ("", ""))[1],
                "kind": names.get(org_id, ("", ""))[0],
                "sent": counts[("org_sent", org_id)],
                "accepted": len(accept),
                "median_accept_hours": _median(accept),
                "feedback": len(feedback),
                "median_feedback_days": _median(feedback),
            }
        )

    intervals = context["intervals"]
    visits_per_month = sum(grades.get(grade, 0) * 30 / intervals[grade] for grade in GRADES if intervals.get(grade))
    measures_open = _by(counts, "measure_open")
    measures_overdue = _by(counts, "measure_overdue")
    measures_done = _by(counts, "measure_done")
    tracks = {
        track: {
            "children": counts[("track_need", track)],
            "open": measures_open.get(track, 0),
            "overdue": measures_overdue.get(track, 0),
            "done": measures_done.get(track, 0),
        }
        for track in Track.values
    }
    closed = _by(counts, "closed")
    return {
        "schema": SCHEMA,
        "quarter": str(period.quarter),
        "region": {"id": region.pk, "code": region.code, "name": region.name, "level": region.level},
        "as_of": period.as_of.isoformat(),
        "live": period.live,
        "summary": _summary(counts),
        "registry": {
            "active": counts[("active",)],
            "baseline": counts[("baseline",)],
            "baseline_villages": counts[("baseline_villages",)],
            "at_risk_rate": _rate(counts[("active",)], counts[("baseline",)]),
            "grades": {grade: grades.get(grade, 0) for grade in [*GRADES, UNGRADED]},
            "categories": _by(counts, "category"),
            "four_special_groups": counts[("four_special",)],
            "key_attention": counts[("key_attention",)],
        },
        "changes": {
            "registered": counts[("registered",)],
            "closed": sum(closed.values()),
            "closed_by_reason": closed,
            "first_graded": first,
            "upgrades": upgrades,
            "downgrades": downgrades,
            "matrix": {old: dict(sorted(row.items())) for old, row in sorted(matrix.items())},
        },
        "visits": {
            "due": visits_due,
            "on_time": visits_on_time,
            "rate": _rate(visits_on_time, visits_due),
            "grades": visit_grades,
            "overdue_now": counts[("overdue_now",)] if period.live else None,
        },
        "cases": {
            "open": sum(_by(counts, "case_open").values()),
            "stages": _by(counts, "case_open"),
            "opened": counts[("case_opened",)],
            "closed": counts[("case_closed",)],
            "tracks": tracks,
            "measures_open": sum(measures_open.values()),
            "measures_overdue": sum(measures_overdue.values()),
            "interventions": _by(counts, "intervention"),
            "placements": _by(counts, "placement"),
            "enrolments": _by(counts, "enrolment"),
        },
        "referrals": {
            "sent": sum(n for key, n in counts.items() if key[0] == "org_sent"),
            "kinds": {kind: dict(sorted(row.items())) for kind, row in sorted(by_kind.items())},
            "organisations": organisations,
        },
        "intake": {
            "received": sum(_by(counts, "report").values()),
            "channels": _by(counts, "report"),
            "triaged": len(durations.get(("triage_hours",), [])),
            "median_triage_hours": _median(durations.get(("triage_hours",), [])),
            "untriaged_now": counts[("untriaged_now",)] if period.live else None,
        },
        "resources": {
            "visits_per_month": round(visits_per_month, 1),
            "visit_intervals": {grade: intervals.get(grade) for grade in GRADES},
            "tracks": tracks,
        },
        "children": children,
    }


def _context(root: Region) -> dict:
    return {
        "organisations": {
            pk: (kind, name) for pk, kind, name in Organisation.objects.values_list("pk", "kind", "name")
        },
        "intervals": GradePolicies().visit_intervals(root.path),
    }


def _child_regions(region: Region, tree: list[Region]) -> list[Region]:
    return [r for r in tree if r.parent_id == region.pk]


def _child_line(child: Region, data: LeafData) -> dict:
    counts, _durations = _rollup(data, child.path)
    return {"id": child.pk, "code": child.code, "name": child.name, "level": child.level, **_summary(counts)}


def figures_compute(*, region: Region, quarter: Quarter, now: datetime | None = None) -> dict:
    """The figures of `region`'s subtree for `quarter`, computed from the records (live or reconstructed)."""
    period = Period.of(quarter, now)
    data = _collect(region, period)
    tree = list(Region.objects.filter(path__startswith=region.path, is_active=True).order_by("path"))
    children = [_child_line(child, data) for child in _child_regions(region, tree)]
    counts, durations = _rollup(data, region.path)
    return _shape(region, period, counts, durations, children, _context(region))


def figures_compute_tree(*, root: Region, quarter: Quarter, now: datetime | None = None, levels=None):
    """Figures for `root` and every region below it (down to villages), from one collection pass.

    Yields (region, figures). Used by the quarter-end freeze, where computing each region on its own
    would repeat the same queries hundreds of times."""
    period = Period.of(quarter, now)
    data = _collect(root, period)
    context = _context(root)
    levels = levels or (Level.COUNTY, Level.TOWN, Level.VILLAGE)
    tree = list(Region.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
    for region in tree:
        if region.level not in levels:
            continue
        children = [_child_line(child, data) for child in _child_regions(region, tree)]
        counts, durations = _rollup(data, region.path)
        yield region, _shape(region, period, counts, durations, children, context)


__all__ = [
    "GRADES",
    "SCHEMA",
    "UNGRADED",
    "Period",
    "figures_compute",
    "figures_compute_tree",
    "track_categories",
]

"""Registry figures: children on the ledger, their grades and categories, the special groups and the
tracks they are likely to need, the baseline population, and the quarter's registrations, closures and
grade changes (domain.md §12; §4 mechanism 3)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery

from cases.models import BaselinePopulation, Minor, MinorCategory, MinorStatus
from reporting.figures.common import UNGRADED, LeafData, Period, in_subtree
from screening.models import GradeChange
from tiers.models import Region

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


def collect_registry(data: LeafData, root: Region, period: Period) -> None:
    end, start, end_day = period.as_of, period.start, period.as_of_date
    leaf = F("region_id")
    minors = Minor.objects.filter(in_subtree("region__path", root))
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
        BaselinePopulation.objects.filter(in_subtree("region__path", root), as_of__lte=end_day)
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
        GradeChange.objects.filter(in_subtree("minor__region__path", root), at__gte=start, at__lt=end)
        .annotate(leaf=F("minor__region_id"))
        .values("leaf", "from_grade", "to_grade")
        .annotate(n=Count("id")),
        lambda row: ("grade_change", row["from_grade"] or UNGRADED, row["to_grade"]),
    )


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

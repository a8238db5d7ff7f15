"""What every figure family shares: the schema number, the grade codes, the period measured, the counts
per leaf region and the subtree filter (domain.md §12)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.models import RiskGrade
from reporting.quarters import Quarter
from tiers.models import Region

SCHEMA = 1

GRADES = [str(RiskGrade.RED.value), str(RiskGrade.ORANGE.value), str(RiskGrade.YELLOW.value), str(RiskGrade.BLUE.value)]
UNGRADED = "UNGRADED"


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


def in_subtree(field: str, root: Region) -> Q:
    """Rows whose region (`<relation>__path` names it) lies in `root`'s subtree.

    Filtered on the foreign key against the subtree's region ids (a small indexed subquery) rather than
    on the joined path: the database then uses the region index instead of scanning every child."""
    if field == "region_path":  # VisitPlan keeps the path itself, indexed
        return Q(region_path__startswith=root.path)
    relation = field.removesuffix("__path")
    return Q(**{f"{relation}_id__in": Region.objects.filter(path__startswith=root.path).values("id")})

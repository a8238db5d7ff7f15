"""Visit figures: visits due and done on time in the quarter (screening's one count, which the visit
statistics page reads too) and, for the live quarter, the plans overdue now (domain.md §12; §3.3)."""

from __future__ import annotations

from django.db.models import Count, F
from django.utils import timezone

from cases.models import MinorStatus
from reporting.figures.common import UNGRADED, LeafData, Period, in_subtree
from screening.models import VisitPlan
from screening.visits.selectors import visit_compliance_counts
from tiers.models import Region


def collect_visits(data: LeafData, root: Region, period: Period) -> None:
    start_day, end_day = period.quarter.first_day, period.as_of_date
    # Visits: compliance is screening's one count (the visit statistics page reads the same), per leaf region.
    today = timezone.localdate()
    subtree = Region.objects.filter(root.subtree("path"))
    for row in visit_compliance_counts(regions=subtree, start=start_day, end=end_day, today=today):
        data.add(row["region_id"], ("visit_due", row["grade"] or UNGRADED), row["due"])
        data.add(row["region_id"], ("visit_on_time", row["grade"] or UNGRADED), row["on_time"])
    if period.live:
        plans = VisitPlan.objects.filter(in_subtree("region_path", root), minor__status=MinorStatus.ACTIVE)
        data.add_rows(
            plans.filter(next_due_on__lt=today)
            .annotate(leaf=F("minor__region_id"))
            .values("leaf")
            .annotate(n=Count("pk")),
            lambda row: ("overdue_now",),
        )

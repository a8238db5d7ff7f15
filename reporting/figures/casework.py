"""Casework figures: open cases by stage, cases opened and closed, measures open, overdue and done by
track, guardianship interventions, placements and benefit enrolments (domain.md §12)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from cases.casework.models import OPEN_MEASURE_STATUSES, CaseStage, EnrolmentStatus, MeasureStatus
from cases.models import BenefitEnrolment, Case, CaseEvent, GuardianshipIntervention, Measure, Placement
from reporting.figures.common import LeafData, Period, in_subtree
from tiers.models import Region


def collect_casework(data: LeafData, root: Region, period: Period) -> None:
    end, start, end_day = period.as_of, period.start, period.as_of_date
    cases = Case.objects.filter(in_subtree("minor__region__path", root))
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

    measures = Measure.objects.filter(in_subtree("case__minor__region__path", root), created_at__lt=end)
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
            in_subtree("case__minor__region__path", root), recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(leaf=leaf)
        .values("leaf", "level")
        .annotate(n=Count("id")),
        lambda row: ("intervention", str(row["level"])),
    )
    data.add_rows(
        Placement.objects.filter(in_subtree("case__minor__region__path", root), start_on__lte=end_day)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=end_day))
        .annotate(leaf=leaf)
        .values("leaf", "type")
        .annotate(n=Count("id")),
        lambda row: ("placement", row["type"]),
    )
    data.add_rows(
        BenefitEnrolment.objects.filter(
            in_subtree("minor__region__path", root),
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

"""Reads of governance records and whether enough meetings were held.

Meetings are read with VIEW_AGGREGATES: the leadership viewers and everyone who reads the town's
figures see the town's meetings, and a village post sees none (its reach stops at the village, and
meetings belong to towns and counties). Outside the reach a meeting does not exist (404).

Compliance (domain.md §4 mechanism 1, §10.1, §1.3 T-9), per town or county ("unit"):
- leadership-group meetings held in the calendar year ≥ governance.rules.leadership_meetings_required()
  (default 2). For the year in progress the flag shows what is still missing, so a town sees in time
  that its second meeting is due.
- at least one liaison meeting in each quarter of the year that has ENDED by `today`. The quarter in
  progress is not yet required (its meeting may still be held before it ends), but a meeting already
  held in it counts in `liaison_held`. For a past year all four quarters are required; for a future
  year none.
- follow-up items: those open now, and of them those past their deadline, whatever year their meeting
  was in (an item left open from last year's meeting is still open).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractQuarter
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance.models import ActionItem, Meeting, MeetingEvent, MeetingKind
from governance.rules import GOVERNANCE_LEVELS, leadership_meetings_required
from reporting.quarters import Quarter
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import region_list, user_reach


def meeting_list(
    *, user, region: Region | None = None, year: int | None = None, kind: str | None = None
) -> QuerySet[Meeting]:
    """Meetings in the user's VIEW_AGGREGATES reach, newest first, optionally within `region`'s subtree,
    in a calendar year and of one kind. Each carries `open_items` (follow-up items still open)."""
    meetings = Meeting.objects.filter(user_reach(user, Capability.VIEW_AGGREGATES).q("region__path"))
    if region is not None:
        meetings = meetings.filter(region.subtree("region__path"))
    if year:
        meetings = meetings.filter(held_on__year=year)
    if kind:
        meetings = meetings.filter(kind=kind)
    return (
        meetings.select_related("region")
        .annotate(
            open_items=Count("action_items", filter=Q(action_items__status=ActionItem.Status.OPEN)),
            item_count=Count("action_items"),
        )
        .order_by("-held_on", "-id")
    )


def meeting_get(*, user, pk: int) -> Meeting:
    """One meeting with its follow-up items; 404 outside the user's reach."""
    meetings = Meeting.objects.filter(user_reach(user, Capability.VIEW_AGGREGATES).q("region__path"))
    return get_object_or_404(
        meetings.select_related("region", "recorded_by").prefetch_related("action_items"),
        pk=pk,
    )


def governance_regions(*, user, capability: str = Capability.VIEW_AGGREGATES) -> QuerySet[Region]:
    """Towns and counties in the user's reach for `capability`, in tree order: where meetings are held
    (VIEW_AGGREGATES) or may be recorded (MANAGE_GOVERNANCE)."""
    return region_list(user=user, capability=capability).filter(level__in=GOVERNANCE_LEVELS)


def _liaison_quarters_due(year: int, today: date) -> list[int]:
    """The quarters of `year` that have ended by `today` (see the module docstring)."""
    return [number for number in range(1, 5) if Quarter(year, number).last_day < today]


def _unit_figures(units: QuerySet[Region] | list[Region], *, year: int, today: date) -> dict[int, dict[str, Any]]:
    """Per unit id: meetings held in `year` (leadership, liaison per quarter) and open/overdue items.
    Two aggregate queries whatever the number of units."""
    held: dict[int, dict[str, Any]] = defaultdict(lambda: {"leadership": 0, "liaison": [0, 0, 0, 0]})
    rows = (
        Meeting.objects.filter(region__in=units, held_on__year=year)
        .annotate(quarter=ExtractQuarter("held_on"))
        .values("region_id", "kind", "quarter")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["kind"] == MeetingKind.LEADERSHIP_GROUP:
            held[row["region_id"]]["leadership"] += row["n"]
        else:
            held[row["region_id"]]["liaison"][row["quarter"] - 1] += row["n"]
    items = {
        row["meeting__region_id"]: row
        for row in ActionItem.objects.filter(meeting__region__in=units, status=ActionItem.Status.OPEN)
        .values("meeting__region_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        .order_by()
    }
    figures = {}
    for region_id in {*held, *items}:
        figures[region_id] = {
            "leadership": held[region_id]["leadership"],
            "liaison": held[region_id]["liaison"],
            "open": items.get(region_id, {}).get("open", 0),
            "overdue": items.get(region_id, {}).get("overdue", 0),
        }
    return figures


def _row(region: Region, figures: dict[str, Any] | None, *, required: int, quarters_due: list[int]) -> dict[str, Any]:
    figures = figures or {"leadership": 0, "liaison": [0, 0, 0, 0], "open": 0, "overdue": 0}
    by_quarter = figures["liaison"]
    missing = [number for number in quarters_due if by_quarter[number - 1] == 0]
    return {
        "region": region,
        "leadership_held": figures["leadership"],
        "leadership_required": required,
        "leadership_compliant": figures["leadership"] >= required,
        "liaison_by_quarter": list(by_quarter),
        "liaison_quarters_due": quarters_due,
        "liaison_missing_quarters": missing,
        "liaison_held": sum(by_quarter),
        "liaison_required": len(quarters_due),
        "liaison_compliant": not missing,
        "action_items_open": figures["open"],
        "action_items_overdue": figures["overdue"],
    }


def governance_compliance(*, user, year: int, today: date | None = None) -> list[dict[str, Any]]:
    """One row per town or county in the user's VIEW_AGGREGATES reach, in tree order:

    {"region", "leadership_held", "leadership_required", "leadership_compliant",
     "liaison_by_quarter" [Q1..Q4], "liaison_quarters_due" [ended quarters], "liaison_missing_quarters",
     "liaison_held", "liaison_required", "liaison_compliant", "action_items_open", "action_items_overdue"}

    Rules in the module docstring (domain.md §4 mechanism 1, §1.3 T-9). Three queries."""
    today = today or timezone.localdate()
    units = list(governance_regions(user=user))
    if not units:
        return []
    figures = _unit_figures(units, year=year, today=today)
    required = leadership_meetings_required()
    quarters_due = _liaison_quarters_due(year, today)
    return [_row(unit, figures.get(unit.pk), required=required, quarters_due=quarters_due) for unit in units]


def governance_summary(*, region: Region, year: int, today: date | None = None) -> dict[str, Any]:
    """Governance figures of `region`'s subtree for the dashboard and the quarterly PDF report (no user:
    the caller has already decided the region is in reach). Counted over every active town and county
    ("unit") in the subtree — for a town, the town itself:

    {"units": number of towns/counties counted,
     "leadership_held": leadership meetings held in `year`, all units together,
     "leadership_required": required per unit × units,
     "leadership_compliant": every unit held its required number (None when there is no unit, e.g. a village),
     "liaison_held": liaison meetings held in `year`,
     "liaison_required": quarters ended so far × units,
     "liaison_compliant": every unit had one in every ended quarter (None when no unit),
     "units_noncompliant": units failing either rule,
     "action_items_open": items open now, "action_items_overdue": of those, past their deadline}

    Held counts are totals, so a town with four meetings does not make up for one with none: read
    compliance from the *_compliant flags. Three queries."""
    today = today or timezone.localdate()
    units = list(
        Region.objects.filter(region.subtree("path"), level__in=GOVERNANCE_LEVELS, is_active=True).order_by("path")
    )
    required = leadership_meetings_required()
    quarters_due = _liaison_quarters_due(year, today)
    figures = _unit_figures(units, year=year, today=today) if units else {}
    rows = [_row(unit, figures.get(unit.pk), required=required, quarters_due=quarters_due) for unit in units]
    return {
        "units": len(rows),
        "leadership_held": sum(row["leadership_held"] for row in rows),
        "leadership_required": sum(row["leadership_required"] for row in rows),
        "leadership_compliant": all(row["leadership_compliant"] for row in rows) if rows else None,
        "liaison_held": sum(row["liaison_held"] for row in rows),
        "liaison_required": sum(row["liaison_required"] for row in rows),
        "liaison_compliant": all(row["liaison_compliant"] for row in rows) if rows else None,
        "units_noncompliant": sum(1 for row in rows if not (row["leadership_compliant"] and row["liaison_compliant"])),
        "action_items_open": sum(row["action_items_open"] for row in rows),
        "action_items_overdue": sum(row["action_items_overdue"] for row in rows),
    }


def meeting_years(*, user) -> list[int]:
    """Years offered in the filter: this year and every year with a meeting in reach, newest first."""
    years = {
        day.year
        for day in Meeting.objects.filter(user_reach(user, Capability.VIEW_AGGREGATES).q("region__path")).dates(
            "held_on", "year"
        )
    }
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def meeting_history(*, meeting: Meeting):
    """The changes to a meeting obtained through meeting_get, newest first."""
    return MeetingEvent.objects.filter(meeting=meeting).select_related("actor", "item").order_by("-at", "-id")


def governance_for_quarter(*, region: Region, quarter: Quarter) -> dict | None:
    """The meetings summary shown with a quarter's figures (dashboard, analysis report): the quarter's
    year counted up to the quarter's end; None for a village or grid, which holds no such meetings."""
    if region.level not in GOVERNANCE_LEVELS:
        return None
    return governance_summary(region=region, year=quarter.year, today=min(timezone.localdate(), quarter.last_day))

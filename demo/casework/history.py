"""The casework demo's history: the services wrote "now"; afterwards the dates of each worked case move back so
it reads as weeks of work (the case opens on its grading day, events spread between then and today, some due
dates pass). The case events are append-only: demo/backdating.py lifts their trigger for the update."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from cases.casework.rules import red_plan_due_at
from cases.models import (
    Case,
    CaseClosure,
    CaseEvent,
    Measure,
)
from demo.backdating import demo_backdating


def _same_step(previous: CaseEvent, event: CaseEvent) -> bool:
    return (previous.kind, event.kind) in {
        (CaseEvent.Kind.MEASURE_ADDED, CaseEvent.Kind.STAGE_CHANGED),
        (CaseEvent.Kind.CLOSED, CaseEvent.Kind.CLOSURE_DECIDED),
    }


@dataclass
class History:
    """What backdate_cases needs of one worked case."""

    case_id: int
    opened_at: object
    overdue_id: int | None
    rng: random.Random
    reassessment_backdate: Callable[[datetime], None] | None = None


def backdate_cases(histories: list[History]) -> None:
    """Demo history: the services wrote "now"; move the dates back so each case reads as weeks of work.
    Dates only, after the fact, as demo/screening.py does for grades; in a few statements for all cases."""
    now = timezone.now()
    ids = [h.case_id for h in histories]
    events = _grouped(CaseEvent.objects.filter(case_id__in=ids).order_by("id"))
    measures = _grouped(Measure.objects.filter(case_id__in=ids).order_by("id"))
    closures = _grouped(CaseClosure.objects.filter(case_id__in=ids).order_by("id"))
    cases = Case.objects.in_bulk(ids)
    for history in histories:
        opened_at = history.opened_at
        own = events.get(history.case_id, [])
        for event in own:
            if event.kind == CaseEvent.Kind.OPENED:
                event.at = opened_at
        later = [e for e in own if e.kind != CaseEvent.Kind.OPENED]
        # Steps of the story one after another in office hours; a service's second event (the stage change
        # a first measure brings, the closing an approval brings) keeps the time of its first.
        steps = [e for i, e in enumerate(later) if not (i and _same_step(later[i - 1], e))]
        first_day = (opened_at + timedelta(days=1)).date()
        span = max((timezone.localdate() - first_day).days, 0)
        step_times = {}
        for index, event in enumerate(steps, start=1):
            day = first_day + timedelta(days=span * index // (len(steps) + 1))
            at = timezone.make_aware(datetime.combine(day, time(9 + index % 8, (index * 13) % 60)))
            step_times[event.pk] = min(at, now - timedelta(minutes=len(steps) - index + 1))
        current = opened_at
        for event in later:
            current = step_times.get(event.pk, current)
            event.at = current
        by_kind: dict[str, list[CaseEvent]] = {}
        for event in later:
            by_kind.setdefault(event.kind, []).append(event)

        for measure, added in zip(
            measures.get(history.case_id, []), by_kind.get(CaseEvent.Kind.MEASURE_ADDED, []), strict=False
        ):
            measure.created_at = added.at
            finished = [
                e.at
                for e in by_kind.get(CaseEvent.Kind.MEASURE_CHANGED, [])
                if e.note.startswith(f"{measure.title}：")
                and e.changes
                and e.changes[0].get("to") in ("DONE", "CANCELLED")
            ]
            if measure.completed_at is not None and finished:
                measure.completed_at = finished[0]
            if measure.pk == history.overdue_id:
                due_on = timezone.localdate() - timedelta(days=history.rng.randint(2, 12))
                if due_on > measure.created_at.date():
                    measure.due_on = due_on

        own_closures = closures.get(history.case_id, [])
        requests = by_kind.get(CaseEvent.Kind.CLOSURE_REQUESTED, [])
        for closure, request in zip(own_closures, requests, strict=False):
            closure.requested_at = request.at
        if history.reassessment_backdate is not None and requests:
            # The reassessment that lowered the grade comes shortly before the first closing request.
            first_request = requests[0].at
            history.reassessment_backdate(first_request - min(timedelta(days=1), (first_request - opened_at) / 2))
        decided = [c for c in own_closures if c.decided_at]
        for closure, decision in zip(decided, by_kind.get(CaseEvent.Kind.CLOSURE_DECIDED, []), strict=False):
            closure.decided_at = decision.at

        case = cases[history.case_id]
        case.opened_at = opened_at
        case.updated_at = max([opened_at, *(e.at for e in later)])
        if case.plan_due_at is not None:
            case.plan_due_at = red_plan_due_at(opened_at)
        closed = by_kind.get(CaseEvent.Kind.CLOSED, [])
        if closed and case.closed_at is not None:
            case.closed_at = closed[-1].at
    with demo_backdating("cases_caseevent"):
        CaseEvent.objects.bulk_update([e for own in events.values() for e in own], ["at"], batch_size=500)
    Measure.objects.bulk_update(
        [m for own in measures.values() for m in own], ["created_at", "completed_at", "due_on"], batch_size=500
    )
    CaseClosure.objects.bulk_update(
        [c for own in closures.values() for c in own], ["requested_at", "decided_at"], batch_size=500
    )
    Case.objects.bulk_update(list(cases.values()), ["opened_at", "updated_at", "plan_due_at", "closed_at"])


def _grouped(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped

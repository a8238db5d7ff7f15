"""The figures' shape: leaf counts rolled up to a region and turned into the JSON-able dict of codes and
numbers the dashboard, the exports and the snapshots read (domain.md §12)."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median

from cases.models import RiskGrade, Track
from reporting.figures.common import GRADES, SCHEMA, UNGRADED, LeafData, Period
from screening.rules import GradePolicies
from tiers.models import Organisation, Region


def rollup(data: LeafData, prefix: str) -> tuple[Counter, dict[tuple, list[float]]]:
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


def summary(counts: Counter) -> dict:
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


def shape(
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
        "summary": summary(counts),
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


def context_for(root: Region) -> dict:
    return {
        "organisations": {
            pk: (kind, name) for pk, kind, name in Organisation.objects.values_list("pk", "kind", "name")
        },
        "intervals": GradePolicies().visit_intervals(root.path),
    }

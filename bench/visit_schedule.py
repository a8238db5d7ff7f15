"""Benchmark: the visit-plan refresh and the escalation job at county scale.

Builds (once) a registry of 200,000 minors in 20 towns × 15 villages, 30,000 of them graded, and
1,000,000 visits, in its own PostgreSQL database, then times:
  - visit_plan_refresh() on a cold plan (all rows inserted) and again on a warm one;
  - escalate() twice (the second run must create nothing);
and prints seconds and rows touched. The data set is built by bench/dataset.py (build_registry), with
set-based SQL (generate_series): a measuring rig, not a product path, so it bypasses the services.

Usage (PostgreSQL required):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minorprot_bench .venv/bin/python bench/visit_schedule.py [--minors N] [--rebuild]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import build_registry, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minors", type=int, default=200_000)
    parser.add_argument("--graded", type=int, default=30_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    args = parser.parse_args()

    setup("postgres://postgres@127.0.0.1:5432/minorprot_bench")
    from django.db import connection

    from cases.models import Minor

    if args.rebuild or Minor.objects.count() != args.minors:
        started = time.perf_counter()
        build_registry(args.minors, args.graded, args.visits)
        print(
            f"built data set: {args.minors} minors, {args.graded} graded, {args.visits} visits "
            f"in {time.perf_counter() - started:.1f} s"
        )

    from screening.escalation.services import escalate
    from screening.models import VisitPlan
    from screening.visits.services.plan import visit_plan_refresh

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE screening_visitplan")
        cursor.execute("DELETE FROM cases_notification; DELETE FROM cases_alert")
    for label in ("visit_plan_refresh (cold)", "visit_plan_refresh (warm)"):
        started = time.perf_counter()
        result = visit_plan_refresh()
        print(f"{label:28s} {time.perf_counter() - started:7.2f} s  rows: {result}")
    print(f"{'plans':28s} {VisitPlan.objects.count():>7d}")
    for label in ("escalate (first run)", "escalate (second run)"):
        started = time.perf_counter()
        result = escalate()
        created = sum(r.get("created", 0) for r in result.values())
        resolved = sum(r.get("resolved", 0) for r in result.values())
        print(f"{label:28s} {time.perf_counter() - started:7.2f} s  alerts created: {created}, resolved: {resolved}")


if __name__ == "__main__":
    main()

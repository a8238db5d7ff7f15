"""Benchmark: the leadership dashboard (issue 6 §2) at county scale.

Builds (once) the registry of bench/visit_schedule.py — 200,000 minors in 20 towns × 15 villages,
30,000 graded, 1,000,000 visits — plus what the dashboard counts beyond it (categories, grade changes,
baselines, cases with measures on the six tracks, referrals, reports; proportions in
bench/dataset.py DASHBOARD_EXTRAS), in its own PostgreSQL database, then times, uncached:
  - figures_compute() for the district, one town and one village, for the current quarter (live)
    and the previous one (reconstructed from history): wall seconds of a first and a repeated run,
    and the number of queries;
  - snapshot_freeze_quarter() of the previous quarter for the county (every county, town and
    village): seconds, queries and rows written;
  - GET /dashboard/<district>/ through the test client for a county civil-affairs user: a past
    quarter the first time (the trend freezes the seven older quarters on the way) and again (all
    from snapshots), and the current quarter (live, cache off).
It also lists the slowest statements of the district's computation; --explain runs EXPLAIN ANALYZE
on the slowest one. Bulk data is loaded with set-based SQL: a measuring rig, not a product path.

Usage (PostgreSQL required):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minorprot_bench_dash .venv/bin/python bench/dashboard.py [--minors N] [--rebuild] [--explain]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import DASHBOARD_EXTRAS, build_dashboard_extras, build_registry, setup

os.environ.setdefault("MINORPROT_DASHBOARD_CACHE_SECONDS", "0")  # measure the computation, not the cache
os.environ.setdefault("DEBUG", "0")  # render as in production (no debug tooling on the page)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minors", type=int, default=200_000)
    parser.add_argument("--graded", type=int, default=None, help="default: 15 %% of --minors")
    parser.add_argument("--visits", type=int, default=None, help="default: 5 × --minors")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest district query")
    args = parser.parse_args()
    graded = args.graded if args.graded is not None else args.minors * 15 // 100
    visits = args.visits if args.visits is not None else args.minors * 5

    setup("postgres://postgres@127.0.0.1:5432/minorprot_bench_dash")
    from cases.models import Case, Minor

    if args.rebuild or Minor.objects.count() != args.minors or not Case.objects.exists():
        started = time.perf_counter()
        build_registry(args.minors, graded, visits)
        built = time.perf_counter() - started
        print(f"built registry: {args.minors} minors, {graded} graded, {visits} visits in {built:.1f} s")
        started = time.perf_counter()
        counts = build_dashboard_extras()
        print(f"built dashboard extras in {time.perf_counter() - started:.1f} s: {counts}")
        print(DASHBOARD_EXTRAS)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.figures import figures_compute
    from reporting.models import QuarterSnapshot
    from reporting.quarters import Quarter
    from reporting.services.snapshots import snapshot_freeze_quarter
    from tiers.models import Region
    from tiers.roles import Level

    county = Region.objects.get(level=Level.COUNTY)
    town = Region.objects.filter(level=Level.TOWN).order_by("path").first()
    village = Region.objects.filter(level=Level.VILLAGE, parent=town).order_by("path").first()
    current = Quarter.current()
    previous = current.previous()

    def timed(fn):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - started
        return result, seconds, queries.captured_queries

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} cores, load average {load} (other work on the host skews the seconds)")
    print(f"\nfigures_compute (uncached); current quarter {current} is live, {previous} is reconstructed")
    print(
        f"{'region':10s} {'quarter':8s} {'mode':6s} {'first s':>8s} {'again s':>8s} {'queries':>8s} {'in SQL s':>8s}"
        "  figures"
    )
    slowest = {}
    for label, region in (("district", county), ("town", town), ("village", village)):
        for quarter, mode in ((current, "live"), (previous, "past")):
            figures, first, captured = timed(lambda r=region, q=quarter: figures_compute(region=r, quarter=q))
            _again, again, _ = timed(lambda r=region, q=quarter: figures_compute(region=r, quarter=q))
            registry, visits_figures, cases = figures["registry"], figures["visits"], figures["cases"]
            print(
                f"{label:10s} {quarter!s:8s} {mode:6s} {first:8.2f} {again:8.2f} {len(captured):8d} {_sql(captured):8.2f}  "
                f"active {registry['active']}, due {visits_figures['due']}, on time {visits_figures['on_time']}, "
                f"cases open {cases['open']}, measures open {cases['measures_open']}, "
                f"referrals {figures['referrals']['sent']}, reports {figures['intake']['received']}"
            )
            if label == "district":
                slowest[mode] = sorted(captured, key=lambda q: float(q["time"]), reverse=True)[:3]
    for mode, queries in slowest.items():
        print(f"\nslowest statements of the district ({mode}):")
        for query in queries:
            print(f"  {float(query['time']):6.2f} s  {query['sql'][:160]}…")

    QuarterSnapshot.objects.filter(quarter=str(previous)).delete()
    written, seconds, captured = timed(lambda: snapshot_freeze_quarter(quarter=previous, county=county))
    print(
        f"\nsnapshot_freeze_quarter({previous}, county): {seconds:.2f} s ({_sql(captured):.2f} s in SQL), "
        f"{len(captured)} queries, rows written: {written}"
    )

    _page_render(county, previous, current, timed)

    if args.explain:
        worst = slowest["past"][0] if float(slowest["past"][0]["time"]) > float(slowest["live"][0]["time"]) else None
        worst = worst or slowest["live"][0]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst["sql"])
            print("\nEXPLAIN ANALYZE of the slowest district statement:")
            for (line,) in cursor.fetchall():
                print("  " + line)


def _sql(captured) -> float:
    """Seconds spent in the database (as measured by Django around each statement)."""
    return sum(float(query["time"]) for query in captured)


def _page_render(county, previous, current, timed) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from reporting.models import QuarterSnapshot
    from tiers.roles import Role
    from tiers.services import post_assign

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user, _ = get_user_model().objects.get_or_create(username="bench_county_leader")
    post_assign(user=user, region=county, role=Role.COUNTY_CIVIL_AFFAIRS)
    client = Client()
    client.force_login(user)
    # Only the previous quarter is frozen (by the freeze above): the first render freezes the seven
    # older quarters of the trend for the district on the way, the second reads only snapshots.
    QuarterSnapshot.objects.exclude(quarter=str(previous)).delete()
    url = f"/dashboard/{county.pk}/"
    print(f"\npage {url} as a county civil-affairs user:")
    for label, quarter in (
        (f"{previous} first render", previous),
        (f"{previous} again", previous),
        (f"{current} live", current),
    ):
        response, seconds, captured = timed(lambda q=quarter: client.get(url, {"quarter": str(q)}))
        if response.status_code != 200:
            sys.exit(f"{url}?quarter={quarter} answered {response.status_code}")
        print(
            f"  {label:24s} {seconds:7.2f} s  {len(captured):5d} queries  {_sql(captured):6.2f} s in SQL  "
            f"{len(response.content) // 1024} KiB"
        )


if __name__ == "__main__":
    main()

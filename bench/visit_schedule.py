"""Benchmark: the visit-plan refresh and the escalation job at county scale.

Builds (once) a registry of 200,000 minors in 20 towns × 15 villages, 30,000 of them graded, and
1,000,000 visits, in its own PostgreSQL database, then times:
  - visit_plan_refresh() on a cold plan (all rows inserted) and again on a warm one;
  - escalate() twice (the second run must create nothing);
and prints seconds and rows touched. Bulk data is loaded with set-based SQL (generate_series):
it is a measuring rig, not a product path, so it bypasses the services on purpose.

Usage (PostgreSQL required):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minorprot_bench .venv/bin/python bench/visit_schedule.py [--minors N] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minorprot.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minorprot_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minors", type=int, default=200_000)
    parser.add_argument("--graded", type=int, default=30_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    args = parser.parse_args()

    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL=postgres://…).")
    call_command("migrate", verbosity=0)
    from cases.models import Minor

    if args.rebuild or Minor.objects.count() != args.minors:
        started = time.perf_counter()
        _build(args.minors, args.graded, args.visits)
        print(
            f"built data set: {args.minors} minors, {args.graded} graded, {args.visits} visits "
            f"in {time.perf_counter() - started:.1f} s"
        )

    from screening.models import VisitPlan
    from screening.services.escalation import escalate
    from screening.services.plan import visit_plan_refresh

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


def _ensure_database() -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def _build(minors: int, graded: int, visits: int) -> None:
    from django.db import connection, transaction

    from tiers.models import Region
    from tiers.roles import Level, Role
    from tiers.services import post_assign, region_create

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE screening_visitphoto, screening_visit, screening_visitplan, screening_gradechange, "
            "screening_assessment_indicators, screening_assessment, screening_emergencyresponse, "
            "screening_pairedhelper, cases_notification, cases_alert, cases_accesslog, cases_minorevent, "
            "cases_guardian, cases_minorcategory, cases_minor, tiers_staffpost, tiers_region CASCADE"
        )
    # TRUNCATE … CASCADE emptied the grade policies (they refer to regions): seed the defaults again.
    from importlib import import_module

    from django.apps import apps as django_apps

    import_module("screening.migrations.0002_seed_indicators_and_grade_policies").seed(django_apps, None)
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    owner, _ = user_model.objects.get_or_create(username="bench_officer")
    with transaction.atomic():
        county = region_create(code="500199000000", name="基准县", level=Level.COUNTY)
        villages = []
        for t in range(20):
            town = region_create(code=f"500199{100 + t:03d}000", name=f"镇{t}", level=Level.TOWN, parent=county)
            post_assign(user=owner, region=town, role=Role.TOWN_OFFICE)
            for v in range(15):
                villages.append(
                    region_create(
                        code=f"500199{100 + t:03d}{201 + v:03d}", name=f"村{t}-{v}", level=Level.VILLAGE, parent=town
                    )
                )
    village_ids = [v.pk for v in Region.objects.filter(level=Level.VILLAGE).order_by("pk")]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_minor (name, name_pinyin, name_initials, gender, birth_date, id_number, no_id_reason,
                no_id_note, hukou_type, hukou_place, hukou_in_district, region_id, address, education_status,
                school_name, orphan_care_setting, status, closed_reason, created_at, created_by_id, updated_at,
                risk_grade, risk_grade_since)
            SELECT '儿童' || g, 'ertong' || g, 'et', CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                   DATE '2010-01-01' + (g %% 2900), NULL, 'UNREGISTERED', '', '', '', TRUE,
                   (%s::bigint[])[1 + g %% %s], '', '', '', '', 'ACTIVE', '', NOW() - INTERVAL '400 days',
                   %s, NOW(),
                   CASE WHEN g <= %s THEN (ARRAY['BLUE','YELLOW','YELLOW','ORANGE','RED'])[1 + g %% 5] ELSE '' END,
                   CASE WHEN g <= %s THEN NOW() - ((g %% 200) || ' days')::interval END
            FROM generate_series(1, %s) AS g
            """,
            [village_ids, len(village_ids), owner.pk, graded, graded, minors],
        )
        cursor.execute(
            """
            INSERT INTO screening_visit (minor_id, visited_at, kind, seen_in_person, others_present,
                living_conditions, health, schooling, guardian_situation, concerns, next_step, new_risk_found,
                due_on, on_time, grade, visitor_id, created_at)
            SELECT m.id, NOW() - ((g %% 720) || ' days')::interval, 'HOME', TRUE, '', '', '', '', '', '', '', FALSE,
                   NULL, TRUE, '', %s, NOW()
            FROM generate_series(1, %s) AS g
            JOIN cases_minor m ON m.id = (SELECT min(id) FROM cases_minor) + (g::bigint * 7919) %% %s
            """,
            [owner.pk, visits, minors],
        )
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()

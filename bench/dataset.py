"""The county-scale data set shared by the benchmarks in this folder.

`build_registry` makes the registry the visit-plan benchmark needs: 200,000 minors in 20 towns × 15
villages, 30,000 of them graded, 1,000,000 visits. `build_dashboard_extras` adds, on top of it, what the
leadership dashboard counts (issue 6), at rough but plausible proportions (see its docstring).

Everything bulk is loaded with set-based SQL (generate_series, INSERT … SELECT): this is a measuring
rig, not a product path, so it bypasses the services on purpose. Only the tree of regions and the
posts go through the services (a few hundred rows), and the visit plan is filled by the real
`visit_plan_refresh()` because the dashboard reads it.
"""

# ruff: noqa: S608 - the SQL built here interpolates only constants of this module (no input)
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(default_database_url: str) -> None:
    """Point Django at the benchmark database (created if missing), set it up and migrate it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minorprot.settings.local")
    os.environ.setdefault("DATABASE_URL", default_database_url)
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL=postgres://…).")
    call_command("migrate", verbosity=0)


def ensure_database() -> None:
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


def build_registry(minors: int, graded: int, visits: int) -> None:
    """Regions, posts, minors and visits (everything else that refers to them is emptied first)."""
    from django.db import connection, transaction

    from tiers.models import Region
    from tiers.roles import Level, Role
    from tiers.services import post_assign, region_create

    with connection.cursor() as cursor:
        # CASCADE also empties every table referring to these (cases, referrals, reports, baselines,
        # organisations, snapshots…), so a rebuild starts from a clean slate.
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
    owner = bench_officer()
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
                risk_grade, risk_grade_since, is_sealed)
            SELECT '儿童' || g, 'ertong' || g, 'et', CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                   DATE '2010-01-01' + (g %% 2900), NULL, 'UNREGISTERED', '', '', '', TRUE,
                   (%s::bigint[])[1 + g %% %s], '', '', '', '', 'ACTIVE', '', NOW() - INTERVAL '400 days',
                   %s, NOW(),
                   CASE WHEN g <= %s THEN (ARRAY['BLUE','YELLOW','YELLOW','ORANGE','RED'])[1 + g %% 5] ELSE '' END,
                   CASE WHEN g <= %s THEN NOW() - ((g %% 200) || ' days')::interval END, FALSE
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


def _r(expr: str, salt: int) -> str:
    """SQL for a non-negative pseudo-random integer drawn from `expr` (hashint8), one stream per `salt`:
    unlike `id % k`, it does not line up with the village (id % 300)."""
    return f"(hashint8(({expr}) * 16 + {salt})::bigint + 2147483648)"


def _step(cursor, label: str, sql: str, params: dict | None = None) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params or {})  # always with params: the SQL writes %% for %
    print(f"  {label:28s} {time.perf_counter() - started:7.1f} s")


def bench_officer():
    from django.contrib.auth import get_user_model

    owner, _ = get_user_model().objects.get_or_create(username="bench_officer")
    return owner


DASHBOARD_EXTRAS = """
Proportions added by build_dashboard_extras (n = number of minors):
  categories     every minor 1 category, 40 % a second one (≈ 1.4 n MinorCategory rows), spread evenly
                 over the active categories; second categories added over the last 300 days
  registry flow  1 in 40 registered within the last 120 days; 1 in 50 closed (销档) within the last 300
  grades         every graded minor has its grading as a GradeChange (''→grade at risk_grade_since);
                 1 in 3 of them also an earlier one 120 days before (so upgrades and downgrades exist)
  visits         due_on around the visit (80 % on time), grade = the child's grade; visit plan refreshed
  baselines      2 counts per village (300 and 120 days ago), ≈ 8 × the village's registered minors
  cases          1 in 3 ORANGE/RED children has a case (≈ 4,000 for n = 200,000), 1 in 5 of them closed;
                 stage history as STAGE_CHANGED events; 3 measures per case across the six tracks
  referrals      half the cases, to one of 5 town organisations (106 organisations in all), mixed statuses
  reports        n / 50 reports (4,000) over two years, 90 % naming a village; the last 3 days untriaged
  not generated  guardianship interventions, placements, benefit enrolments (their queries run on empty
                 tables)
"""


def build_dashboard_extras() -> dict[str, int]:
    """Add what the dashboard counts beyond minors and visits (proportions: DASHBOARD_EXTRAS)."""
    from django.db import connection

    from screening.visits.services.plan import visit_plan_refresh

    owner = bench_officer()
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id ORDER BY sort_order, id) FROM cases_category WHERE is_active")
        categories = cursor.fetchone()[0]
        params = {"cats": categories, "n": len(categories), "owner": owner.pk}
        # The registry's grades and grading dates follow the id modulo small numbers, like the village
        # (id modulo 300), so every child of a village would share them: mix them per child instead.
        _step(
            cursor,
            "mix grades",
            f"""
            UPDATE cases_minor SET risk_grade = (ARRAY['BLUE','YELLOW','YELLOW','ORANGE','RED'])[1 + {_r("id", 1)} %% 5],
                   risk_grade_since = NOW() - ({_r("id", 2)} %% 200 || ' days')::interval
            WHERE risk_grade <> '';
            UPDATE cases_minor SET created_at = NOW() - ({_r("id", 3)} %% 120 || ' days')::interval
            WHERE {_r("id", 4)} %% 40 = 0;
            UPDATE cases_minor SET status = 'CLOSED',
                   closed_reason = (ARRAY['AGED_OUT','MOVED_AWAY','NO_LONGER_AT_RISK','DUPLICATE'])[1 + id %% 4],
                   closed_at = GREATEST(created_at, NOW() - ({_r("id", 5)} %% 300 || ' days')::interval)
            WHERE {_r("id", 6)} %% 50 = 0;
            """,
        )
        _step(
            cursor,
            "categories",
            f"""
            INSERT INTO cases_minorcategory (note, added_at, category_id, minor_id)
            SELECT '', m.created_at, (%(cats)s::bigint[])[1 + {_r("m.id", 7)} %% %(n)s], m.id FROM cases_minor m;
            INSERT INTO cases_minorcategory (note, added_at, category_id, minor_id)
            SELECT '', GREATEST(m.created_at, NOW() - ({_r("m.id", 8)} %% 300 || ' days')::interval),
                   (%(cats)s::bigint[])[1 + ({_r("m.id", 7)} %% %(n)s + 1 + m.id %% (%(n)s - 1)) %% %(n)s], m.id
            FROM cases_minor m WHERE {_r("m.id", 9)} %% 5 < 2;
            """,
            params,
        )
        _step(
            cursor,
            "grade changes",
            f"""
            WITH g AS (
                SELECT m.id, m.risk_grade, m.risk_grade_since,
                       CASE WHEN {_r("m.id", 10)} %% 3 <> 0 THEN ''
                            WHEN m.risk_grade = 'RED' THEN 'ORANGE' WHEN m.risk_grade = 'BLUE' THEN 'YELLOW'
                            WHEN m.risk_grade = 'ORANGE' THEN (ARRAY['YELLOW','RED'])[1 + m.id %% 2]
                            ELSE (ARRAY['BLUE','ORANGE'])[1 + m.id %% 2] END AS earlier
                FROM cases_minor m WHERE m.risk_grade <> '')
            INSERT INTO screening_gradechange (from_grade, to_grade, at, reason, actor_id, minor_id)
            SELECT '', earlier, risk_grade_since - INTERVAL '120 days', 'bench', %(owner)s, id FROM g WHERE earlier <> ''
            UNION ALL
            SELECT earlier, risk_grade, risk_grade_since, 'bench', %(owner)s, id FROM g
            """,
            params,
        )
        _step(
            cursor,
            "visits: due date, grade",
            f"""
            UPDATE screening_visit v
            SET due_on = (v.visited_at AT TIME ZONE 'Asia/Shanghai')::date + ({_r("v.id", 11)} %% 20)::int - 4,
                on_time = {_r("v.id", 11)} %% 20 >= 4, grade = m.risk_grade
            FROM cases_minor m WHERE m.id = v.minor_id
            """,
        )
        _step(
            cursor,
            "baselines",
            """
            INSERT INTO cases_baselinepopulation (as_of, minor_count, note, recorded_at, recorded_by_id, region_id)
            SELECT CURRENT_DATE - d, 8 * count(*) + m.region_id %% 50, '', NOW(), %(owner)s, m.region_id
            FROM cases_minor m CROSS JOIN (VALUES (300), (120)) AS days(d)
            GROUP BY m.region_id, d;
            ANALYZE;
            """,
            params,
        )
        # Organisations: five per town, six bureaus for the county.
        _step(
            cursor,
            "organisations",
            """
            INSERT INTO tiers_organisation (kind, name, can_report, can_accept_referrals, can_assist, phone,
                is_active, region_id)
            SELECT k.kind, r.name || k.kind, TRUE, TRUE, TRUE, '', TRUE, r.id
            FROM tiers_region r CROSS JOIN (VALUES ('POLICE_STATION'), ('EDUCATION_CENTRE'), ('HEALTH_CENTRE'),
                ('JUSTICE_OFFICE'), ('CIVIL_AFFAIRS_OFFICE')) AS k(kind)
            WHERE r.level = 'TOWN'
            UNION ALL
            SELECT k.kind, r.name || k.kind, TRUE, TRUE, TRUE, '', TRUE, r.id
            FROM tiers_region r CROSS JOIN (VALUES ('CIVIL_AFFAIRS_BUREAU'), ('PUBLIC_SECURITY_BUREAU'),
                ('EDUCATION_BUREAU'), ('HEALTH_BUREAU'), ('JUSTICE_BUREAU'), ('HUMAN_RESOURCES_BUREAU')) AS k(kind)
            WHERE r.level = 'COUNTY'
            """,
        )
        # Cases: 1 in 3 ORANGE/RED children; stage from the id; 1 in 5 closed.
        stages = "ARRAY['DISCOVERY','ASSESSMENT_REFERRAL','DISPOSAL_ASSISTANCE','REVIEW','CLOSED']"
        tracks = (
            "ARRAY['RESCUE_PROTECTION','EDUCATION_SUPPORT','JUDICIAL_PROTECTION','EMPLOYMENT_SUPPORT',"
            "'MEDICAL_PROTECTION','SPIRITUAL_CARE']"
        )
        _step(
            cursor,
            "cases, events, measures",
            f"""
            INSERT INTO cases_case (stage, origin, opened_at, opening_note, plan_due_at, closed_at, updated_at,
                minor_id, opened_by_id, owner_id)
            SELECT s.stage, 'GRADE', s.opened_at, '', NULL,
                   CASE WHEN s.stage = 'CLOSED' THEN s.opened_at + ((5 + s.id %% 25) || ' days')::interval END,
                   NOW(), s.id, %(owner)s, %(owner)s
            FROM (SELECT m.id, NOW() - ((30 + {_r("m.id", 12)} %% 300) || ' days')::interval AS opened_at,
                         CASE WHEN {_r("m.id", 13)} %% 5 = 0 THEN 'CLOSED'
                              ELSE ({stages})[1 + {_r("m.id", 14)} %% 4] END AS stage
                  FROM cases_minor m
                  WHERE m.risk_grade IN ('ORANGE', 'RED') AND {_r("m.id", 15)} %% 3 = 0 AND m.status = 'ACTIVE') AS s;

            INSERT INTO cases_caseevent (kind, at, changes, note, actor_id, case_id)
            SELECT 'OPENED', c.opened_at, '[]'::jsonb, '', %(owner)s, c.id FROM cases_case c;
            INSERT INTO cases_caseevent (kind, at, changes, note, actor_id, case_id)
            SELECT 'STAGE_CHANGED',
                   CASE WHEN ({stages})[j + 1] = 'CLOSED' THEN c.closed_at ELSE c.opened_at + (j || ' days')::interval END,
                   jsonb_build_array(jsonb_build_object('field', 'stage', 'from', ({stages})[j], 'to', ({stages})[j + 1])),
                   '', %(owner)s, c.id
            FROM cases_case c CROSS JOIN LATERAL generate_series(1, array_position({stages}, c.stage::text) - 1) AS j;

            INSERT INTO cases_measure (track, title, responsible_name, due_on, status, cancel_reason, outcome,
                created_at, completed_at, case_id, created_by_id)
            SELECT ({tracks})[1 + (c.id + k) %% 6], 'bench', '',
                   (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date + 30 * (k + 1),
                   x.status, CASE WHEN x.status = 'CANCELLED' THEN 'bench' ELSE '' END, '',
                   c.opened_at + (k || ' days')::interval,
                   CASE WHEN x.status = 'DONE' THEN LEAST(NOW(), c.opened_at + ((10 + k * 5) || ' days')::interval) END,
                   c.id, %(owner)s
            FROM cases_case c CROSS JOIN generate_series(0, 2) AS k
            CROSS JOIN LATERAL (SELECT CASE
                WHEN c.stage = 'CLOSED' THEN (ARRAY['DONE','DONE','CANCELLED'])[1 + k]
                ELSE (ARRAY['PLANNED','IN_PROGRESS','IN_PROGRESS','DONE'])[1 + (c.id + k) %% 4] END AS status) AS x;
            """,
            {"owner": owner.pk},
        )
        # Referrals: half the cases, to a town organisation of the child's town.
        _step(
            cursor,
            "referrals",
            """
            INSERT INTO referrals_referral (priority, reason, status, town_contact, created_at, sent_at,
                accept_due_at, accepted_at, feedback_due_on, feedback_at, closed_at, updated_at, case_id,
                created_by_id, minor_id, organisation_id)
            SELECT 'NORMAL', 'bench', x.status, '', x.sent_at - INTERVAL '1 hour', x.sent_at,
                   x.sent_at + INTERVAL '24 hours',
                   CASE WHEN x.status <> 'SENT' THEN x.sent_at + ((1 + c.id %% 48) || ' hours')::interval END,
                   (x.sent_at AT TIME ZONE 'Asia/Shanghai')::date + 15,
                   CASE WHEN x.status IN ('FEEDBACK', 'CLOSED')
                        THEN x.sent_at + ((3 + c.id %% 20) || ' days')::interval END,
                   CASE WHEN x.status = 'CLOSED' THEN x.sent_at + ((3 + c.id %% 20) || ' days')::interval END,
                   NOW(), c.id, %(owner)s, c.minor_id, o.id
            FROM cases_case c
            JOIN cases_minor m ON m.id = c.minor_id
            JOIN tiers_region v ON v.id = m.region_id
            JOIN tiers_organisation o ON o.region_id = v.parent_id
                 AND o.kind = (ARRAY['POLICE_STATION','EDUCATION_CENTRE','HEALTH_CENTRE','JUSTICE_OFFICE',
                                     'CIVIL_AFFAIRS_OFFICE'])[1 + (c.id / 2) %% 5]
            CROSS JOIN LATERAL (SELECT c.opened_at + INTERVAL '2 days' AS sent_at,
                (ARRAY['SENT','ACCEPTED','IN_PROGRESS','FEEDBACK','CLOSED'])[1 + (c.id / 2) %% 5] AS status) AS x
            WHERE c.id %% 2 = 0
            """,
            {"owner": owner.pk},
        )
        # Reports: n / 50 over two years; 1 in 10 names only the town.
        _step(
            cursor,
            "reports",
            """
            WITH towns AS (SELECT array_agg(id ORDER BY id) AS ids FROM tiers_region WHERE level = 'TOWN'),
                 villages AS (SELECT v.parent_id, array_agg(v.id ORDER BY v.id) AS ids
                              FROM tiers_region v WHERE v.level = 'VILLAGE' GROUP BY v.parent_id),
                 rows AS (SELECT g, towns.ids[1 + g %% array_length(towns.ids, 1)] AS town_id,
                                 NOW() - ((g %% 720) || ' days')::interval - ((g %% 24) || ' hours')::interval AS received_at
                          FROM towns, generate_series(1, (SELECT count(*) / 50 FROM cases_minor)) AS g)
            INSERT INTO referrals_report (channel, hotline, reporter_name, reporter_phone, child_name,
                child_description, summary, violence_alleged, discovered_at, received_at, status, triage_due_at,
                triaged_at, dismiss_reason, handling_record, transfer_note, outcome_for_reporter, closed_at,
                updated_at, owner_id, town_id, village_id)
            SELECT (ARRAY['HOTLINE','PUBLIC','PARTNER_API','MANDATORY_REPORTER','PATROL','SENTINEL','SCHOOL',
                          'GRID','CHILD_DIRECTOR_VISIT','DEPARTMENT_NOTICE','SELF_HELP_REQUEST'])[1 + r.g %% 11],
                   '', '', '', '', '', 'bench', r.g %% 7 = 0, r.received_at - INTERVAL '2 hours', r.received_at,
                   CASE WHEN r.g %% 720 < 3 THEN 'INTAKE' WHEN r.g %% 2 = 0 THEN 'CLOSED' ELSE 'HANDLING' END,
                   r.received_at + INTERVAL '24 hours',
                   CASE WHEN r.g %% 720 >= 3 THEN r.received_at + ((1 + r.g %% 30) || ' hours')::interval END,
                   '', 'bench', '', '',
                   CASE WHEN r.g %% 720 >= 3 AND r.g %% 2 = 0 THEN r.received_at + INTERVAL '10 days' END,
                   NOW(), %(owner)s, r.town_id,
                   CASE WHEN r.g %% 10 <> 0 THEN v.ids[1 + (r.g / 20) %% array_length(v.ids, 1)] END
            FROM rows r JOIN villages v ON v.parent_id = r.town_id
            """,
            {"owner": owner.pk},
        )
        _step(cursor, "vacuum analyze", "VACUUM ANALYZE")  # the visit UPDATE left a million dead rows
        # Empty the plan again after ANALYZE: with statistics saying "0 rows" the refresh's
        # INSERT … WHERE NOT EXISTS (plan) becomes a nested-loop anti-join over the table it is filling,
        # quadratic (≈ 6 minutes instead of ≈ 30 s; see RESULTS.md). TRUNCATE forgets those statistics.
        cursor.execute("TRUNCATE screening_visitplan")
    started = time.perf_counter()
    visit_plan_refresh()
    print(f"  {'visit_plan_refresh':28s} {time.perf_counter() - started:7.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE screening_visitplan")
        counts = {}
        for table in (
            "cases_minorcategory",
            "screening_gradechange",
            "cases_baselinepopulation",
            "cases_case",
            "cases_caseevent",
            "cases_measure",
            "referrals_referral",
            "referrals_report",
            "screening_visitplan",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts

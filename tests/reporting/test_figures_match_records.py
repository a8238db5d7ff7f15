"""Issue 6, must be true: every dashboard figure equals a direct count over the seeded data.

The demo district is seeded once (it has children in every grade, cases in every stage, referrals in
every state, reports in the queue); each test computes a figure both ways: through reporting.figures
(grouped queries per leaf, rolled up) and by a plain count written here, region by region."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from cases.casework.models import OPEN_MEASURE_STATUSES, CaseStage
from cases.models import BaselinePopulation, Case, Measure, Minor, MinorCategory, MinorStatus, RiskGrade
from referrals.models import Referral, Report
from reporting.figures import UNGRADED, figures_compute
from reporting.quarters import Quarter
from screening.models import GradeChange, VisitPlan
from tiers.models import Region
from tiers.roles import Level

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
        yield
        transaction.set_rollback(True)


def regions() -> list[Region]:
    """The county, every town and every village of the demo."""
    return list(Region.objects.filter(level__in=[Level.COUNTY, Level.TOWN, Level.VILLAGE]).order_by("path"))


def active(region: Region):
    return Minor.objects.filter(region__path__startswith=region.path, status=MinorStatus.ACTIVE)


def quarter_start():
    return Quarter.current().start


def test_children_on_the_ledger_by_grade_and_baseline(demo):
    for region in regions():
        figures = figures_compute(region=region, quarter=Quarter.current())
        registry = figures["registry"]
        assert registry["active"] == active(region).count(), region.name
        for grade in RiskGrade.values:
            assert registry["grades"][grade] == active(region).filter(risk_grade=grade).count(), (region.name, grade)
        assert registry["grades"][UNGRADED] == active(region).filter(risk_grade="").count()
        baseline = 0
        for village in Region.objects.filter(path__startswith=region.path, level=Level.VILLAGE):
            latest = BaselinePopulation.objects.filter(region=village).order_by("-as_of").first()
            baseline += latest.minor_count if latest else 0
        assert registry["baseline"] == baseline, region.name


def test_children_by_category_and_the_four_special_groups(demo):
    for region in regions():
        registry = figures_compute(region=region, quarter=Quarter.current())["registry"]
        links = MinorCategory.objects.filter(minor__in=active(region))
        expected = Counter(links.values_list("category__code", flat=True))
        assert registry["categories"] == dict(expected), region.name
        four = active(region).filter(categories__in_four_special_groups=True).distinct().count()
        assert registry["four_special_groups"] == four, region.name


def test_drill_down_lines_add_up_and_match_each_child(demo):
    county = Region.objects.get(level=Level.COUNTY)
    figures = figures_compute(region=county, quarter=Quarter.current())
    towns = Region.objects.filter(parent=county, is_active=True)
    assert {child["code"] for child in figures["children"]} == set(towns.values_list("code", flat=True))
    for child in figures["children"]:
        town = Region.objects.get(code=child["code"])
        assert child["active"] == active(town).count()
        assert child["grades"]["RED"] == active(town).filter(risk_grade="RED").count()
    assert sum(child["active"] for child in figures["children"]) == figures["registry"]["active"]


def test_changes_this_quarter(demo):
    start = quarter_start()
    for region in regions():
        changes = figures_compute(region=region, quarter=Quarter.current())["changes"]
        minors = Minor.objects.filter(region__path__startswith=region.path)
        assert changes["registered"] == minors.filter(created_at__gte=start).count()
        closed = minors.filter(status=MinorStatus.CLOSED, closed_at__gte=start)
        assert changes["closed_by_reason"] == dict(Counter(closed.values_list("closed_reason", flat=True)))
        upgrades = downgrades = 0
        for change in GradeChange.objects.filter(minor__region__path__startswith=region.path, at__gte=start):
            if not change.from_grade:
                continue
            difference = RiskGrade.rank(change.to_grade) - RiskGrade.rank(change.from_grade)
            upgrades += difference > 0
            downgrades += difference < 0
        assert (changes["upgrades"], changes["downgrades"]) == (upgrades, downgrades), region.name


def test_visit_compliance_matches_the_visit_statistics_page(demo):
    """Two implementations of "done on time ÷ due": screening's page for a county user, and the figures."""
    from screening.visits.selectors import visit_compliance
    from tests.factories import make_user
    from tiers.roles import Role

    county = Region.objects.get(level=Level.COUNTY)
    viewer = make_user(Role.COUNTY_CIVIL_AFFAIRS, county, username="figures_check")
    quarter = Quarter.current()
    page = visit_compliance(user=viewer, start=quarter.first_day, end=quarter.last_day)
    visits = figures_compute(region=county, quarter=quarter)["visits"]
    assert visits["due"] == sum(row["due"] for row in page["villages"])
    assert visits["on_time"] == sum(row["on_time"] for row in page["villages"])
    for row in page["grades"]:
        grade = row["key"] or UNGRADED
        assert visits["grades"][grade]["due"] == row["due"]
        assert visits["grades"][grade]["on_time"] == row["on_time"]
    overdue = VisitPlan.objects.filter(minor__status=MinorStatus.ACTIVE, next_due_on__lt=timezone.localdate())
    assert visits["overdue_now"] == overdue.count()


def test_cases_measures_and_stages(demo):
    today = timezone.localdate()
    for region in regions():
        cases = figures_compute(region=region, quarter=Quarter.current())["cases"]
        scope = Case.objects.filter(minor__region__path__startswith=region.path).exclude(stage=CaseStage.CLOSED)
        assert cases["stages"] == dict(Counter(scope.values_list("stage", flat=True))), region.name
        measures = Measure.objects.filter(
            case__minor__region__path__startswith=region.path, status__in=OPEN_MEASURE_STATUSES
        )
        for track, row in cases["tracks"].items():
            assert row["open"] == measures.filter(track=track).count(), (region.name, track)
            assert row["overdue"] == measures.filter(track=track, due_on__lt=today).count(), (region.name, track)


def test_referrals_and_reports(demo):
    start = quarter_start()
    for region in regions():
        figures = figures_compute(region=region, quarter=Quarter.current())
        sent = Referral.objects.filter(minor__region__path__startswith=region.path, sent_at__gte=start)
        by_kind = Counter(sent.values_list("organisation__kind", "status"))
        flattened = Counter(
            {(kind, status): n for kind, row in figures["referrals"]["kinds"].items() for status, n in row.items()}
        )
        assert flattened == by_kind, region.name
        reports = Report.objects.filter(received_at__gte=start).filter(
            Q(village__path__startswith=region.path) | Q(village__isnull=True, town__path__startswith=region.path)
        )
        assert figures["intake"]["channels"] == dict(Counter(reports.values_list("channel", flat=True)))
        untriaged = Report.objects.filter(triaged_at__isnull=True).filter(
            Q(village__path__startswith=region.path) | Q(village__isnull=True, town__path__startswith=region.path)
        )
        assert figures["intake"]["untriaged_now"] == untriaged.count()


def test_median_time_to_accept_per_organisation(demo):
    from statistics import median

    county = Region.objects.get(level=Level.COUNTY)
    figures = figures_compute(region=county, quarter=Quarter.current())
    accepted = Referral.objects.filter(accepted_at__gte=quarter_start(), sent_at__isnull=False)
    assert accepted.exists()
    for org in figures["referrals"]["organisations"]:
        hours = [(r.accepted_at - r.sent_at) / timedelta(hours=1) for r in accepted.filter(organisation_id=org["id"])]
        assert org["accepted"] == len(hours)
        assert org["median_accept_hours"] == (round(median(hours), 1) if hours else None)


def test_the_dashboard_page_shows_the_same_headline_as_a_direct_count(demo, client):
    from django.contrib.auth import get_user_model

    town = Region.objects.filter(level=Level.TOWN).order_by("path").first()
    leader = get_user_model().objects.filter(posts__region=town, posts__role="TOWN_LEADER").first()
    client.force_login(leader)

    response = client.get(f"/dashboard/{town.pk}/")

    html = response.content.decode()
    assert f'data-testid="headline-active">{active(town).count()}<' in html
    red, orange = active(town).filter(risk_grade="RED").count(), active(town).filter(risk_grade="ORANGE").count()
    assert f'data-testid="headline-red-orange">{red} / {orange}<' in html


def test_the_visit_statistics_page_and_the_dashboard_agree_for_a_village_before_the_quarter_ends(
    client, clock, tree, town_officer, child_director, county_officer
):
    """The case that disagreed: a visit made early answers a due date still ahead. The statistics page
    (this quarter to date, by default) left it out while the dashboard counted it; now both count a due
    date once it has come, from the one computation (screening.visits.selectors.visit_compliance_counts)."""
    from django.urls import reverse

    from screening.grading.services import assessment_record
    from screening.visits.services.plan import visit_plan_refresh
    from screening.visits.services.visits import visit_log
    from tests.factories import register_minor

    clock("2026-04-01")
    missed = register_minor(actor=town_officer, region=tree.village_a1, name="漏访")
    late = register_minor(actor=town_officer, region=tree.grid_a1, name="迟到")
    for minor in (missed, late):
        assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    visit_plan_refresh()  # both due 2026-05-01
    clock("2026-05-01")
    early = register_minor(actor=town_officer, region=tree.village_a1, name="提前")
    assessment_record(actor=town_officer, minor=early, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    visit_plan_refresh()  # due 2026-05-31
    clock("2026-05-03")
    visit_log(actor=child_director, minor=late, kind="HOME")
    clock("2026-05-20")
    visit_log(actor=child_director, minor=early, kind="HOME")  # answers 2026-05-31, still ahead on the 25th
    visit_plan_refresh()
    clock("2026-05-25")
    client.force_login(county_officer)

    page = client.get(reverse("visit_compliance")).context["figures"]
    villages = {row["name"]: (row["due"], row["on_time"]) for row in page["villages"]}
    village = client.get(reverse("dashboard", args=[tree.village_a1.pk])).context["summary"]
    town = client.get(reverse("dashboard", args=[tree.town_a.pk])).context["figures"]

    assert villages == {"东岭村": (2, 0)}  # the missed one and the late one; the early visit not yet
    assert (village["visits_due"], village["visits_on_time"]) == villages["东岭村"]
    lines = {child["name"]: (child["visits_due"], child["visits_on_time"]) for child in town["children"]}
    assert lines[tree.village_a1.name] == villages["东岭村"]
    assert lines[tree.village_a2.name] == (0, 0)

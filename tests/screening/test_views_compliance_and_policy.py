"""The town office's compliance page (issue 3 §3) and the district's policy page (§1, §2)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from screening.grading.services import assessment_record
from screening.models import GradePolicy, Indicator, IndicatorOverride
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tests.factories import register_minor


@pytest.fixture
def march(clock, tree, town_officer, child_director):
    """Three yellow children due on 2026-03-31: one visited on time, one late, one never."""
    clock("2026-03-01")
    on_time = register_minor(actor=town_officer, region=tree.village_a1, name="按时")
    late = register_minor(actor=town_officer, region=tree.grid_a1, name="迟到")
    missed = register_minor(actor=town_officer, region=tree.village_a2, name="漏访")
    for minor in (on_time, late, missed):
        assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
    visit_plan_refresh()
    clock("2026-03-25")
    visit_log(actor=child_director, minor=on_time, kind="HOME")
    clock("2026-04-03")
    visit_log(actor=child_director, minor=late, kind="HOME")
    visit_plan_refresh()
    clock("2026-04-10")
    return {"on_time": on_time, "late": late, "missed": missed}


def test_compliance_page_shows_on_time_rates_per_village_and_grade(client, town_officer, march):
    client.force_login(town_officer)

    response = client.get(reverse("visit_compliance"), {"start": "2026-03-01", "end": "2026-03-31"})

    figures = response.context["figures"]
    assert {row["name"]: (row["due"], row["on_time"]) for row in figures["villages"]} == {
        "东岭村": (2, 1),
        "西岭村": (1, 0),
    }
    villages = response.content.decode().split('data-testid="compliance-villages"', 1)[1].split("</table>", 1)[0]
    assert "50.0%" in villages and "0.0%" in villages and "33.3%" in villages  # the total: 1 of 3
    grades = response.content.decode().split('data-testid="compliance-grades"', 1)[1].split("</table>", 1)[0]
    assert "黄色" in grades and "33.3%" in grades


def test_compliance_page_lists_every_overdue_child_in_reach(client, town_officer, march):
    client.force_login(town_officer)

    response = client.get(reverse("visit_compliance"))

    assert [plan.minor.name for plan in response.context["overdue"].object_list] == ["漏访"]
    assert response.context["overdue"].object_list[0].days_overdue == 10


def test_compliance_period_defaults_to_this_quarter_to_date(client, clock, town_officer, tree):
    clock("2026-05-10")
    client.force_login(town_officer)

    response = client.get(reverse("visit_compliance"))

    assert (response.context["start"], response.context["end"]) == (date(2026, 4, 1), date(2026, 5, 10))


def test_a_period_ending_before_it_starts_is_refused_and_the_default_used(client, clock, town_officer, tree):
    clock("2026-05-10")
    client.force_login(town_officer)

    response = client.get(reverse("visit_compliance"), {"start": "2026-05-01", "end": "2026-04-01"})

    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert response.context["start"] == date(2026, 4, 1)


def test_leadership_viewer_sees_the_figures_but_no_names(client, leadership_viewer, march):
    client.force_login(leadership_viewer)

    response = client.get(reverse("visit_compliance"), {"start": "2026-03-01", "end": "2026-03-31"})

    assert response.status_code == 200
    assert response.context["overdue"] is None
    assert "漏访" not in response.content.decode()
    assert len(response.context["figures"]["villages"]) == 2


def test_neighbouring_director_sees_only_their_village(client, neighbour_director, march):
    client.force_login(neighbour_director)

    response = client.get(reverse("visit_compliance"), {"start": "2026-03-01", "end": "2026-03-31"})

    assert [row["name"] for row in response.context["figures"]["villages"]] == ["西岭村"]
    assert [plan.minor.name for plan in response.context["overdue"].object_list] == ["漏访"]


def test_partner_user_gets_403_on_the_compliance_page(client, partner_user):
    client.force_login(partner_user)

    assert client.get(reverse("visit_compliance")).status_code == 403


# --- policy --------------------------------------------------------------------------------------


def test_county_officer_sees_the_grade_policies_and_every_indicator(client, county_officer):
    Indicator.objects.filter(code="BEHAVIOUR").update(is_active=False)
    client.force_login(county_officer)

    response = client.get(reverse("policy"))

    assert response.status_code == 200
    assert [row["grade"] for row in response.context["grade_rows"]] == ["BLUE", "YELLOW", "ORANGE", "RED"]
    assert response.context["grade_rows"][1]["form"]["visit_interval_days"].value() == 30
    assert "有不良行为或闲散" in response.content.decode()


def test_county_officer_sets_the_countys_own_interval(client, tree, county_officer):
    client.force_login(county_officer)

    response = client.post(
        reverse("grade_policy_update", args=["YELLOW"]),
        {"county": tree.county.pk, "YELLOW-visit_interval_days": "21"},
    )

    assert response.status_code == 302
    assert GradePolicy.objects.get(county=tree.county, grade="YELLOW").visit_interval_days == 21
    assert GradePolicy.objects.get(county=None, grade="YELLOW").visit_interval_days == 30


def test_an_interval_of_zero_days_is_refused_and_nothing_saved(client, tree, county_officer):
    client.force_login(county_officer)

    response = client.post(
        reverse("grade_policy_update", args=["YELLOW"]),
        {"county": tree.county.pk, "YELLOW-visit_interval_days": "0"},
    )

    assert response.status_code == 200
    assert response.context["grade_rows"][1]["form"].errors["visit_interval_days"]
    assert not GradePolicy.objects.filter(county=tree.county).exists()


def test_county_officer_regrades_and_switches_off_an_indicator(client, tree, county_officer):
    client.force_login(county_officer)

    client.post(
        reverse("indicator_update", args=["POVERTY"]),
        {"county": tree.county.pk, "POVERTY-min_grade": "ORANGE"},
    )

    own = IndicatorOverride.objects.get(county=tree.county, indicator__code="POVERTY")
    assert (own.min_grade, own.is_active) == ("ORANGE", False)
    default = Indicator.objects.get(code="POVERTY")
    assert (default.min_grade, default.is_active) == ("YELLOW", True)


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "leadership_viewer"])
def test_only_the_district_administrator_may_open_or_change_the_policy_page(request, client, tree, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("policy")).status_code == 403
    response = client.post(
        reverse("grade_policy_update", args=["YELLOW"]),
        {"county": tree.county.pk, "YELLOW-visit_interval_days": "21"},
    )
    assert response.status_code == 403
    assert not GradePolicy.objects.filter(county=tree.county).exists()

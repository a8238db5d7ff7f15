"""Rules per county (issue 10 §6): indicators, grade policies, referral rules and benefit rates have
deployment defaults and per-county settings; a county's civil-affairs post changes only its own county.

Two counties: 示范县 (county A, the shared tree) and 邻县 (county B, built here), each with its own
civil-affairs post, town office and a child."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.casework import services as cw
from cases.models import BenefitProgramme
from referrals.models import ReferralRule, ReferralRuleOverride, ReferralSuggestion
from referrals.referrals.services.routing import (
    referral_rule_reset,
    referral_rule_set,
    rules_matching,
    suggestions_refresh,
)
from screening.grading.selectors import indicators_in_force
from screening.grading.services import assessment_record
from screening.models import GradePolicy, Indicator, IndicatorOverride
from screening.policy.services import grade_policy_set, indicator_reset, indicator_set
from screening.rules import policy_for
from tests.factories import make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.roles import Level, Role
from tiers.services import region_create


@pytest.fixture
def county_b(db):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    town = region_create(code="330522100000", name="南山镇", level=Level.TOWN, parent=county)
    region_create(code="330522100201", name="溪口村", level=Level.VILLAGE, parent=town)
    return county


@pytest.fixture
def village_b(county_b):
    return county_b.children.get().children.get()


@pytest.fixture
def county_b_officer(county_b):
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, county_b, username="county_b_officer")


@pytest.fixture
def town_b_officer(village_b):
    return make_user(Role.TOWN_OFFICE, village_b.parent, username="town_b_officer")


@pytest.fixture
def minor_b(village_b, town_b_officer):
    return register_minor(actor=town_b_officer, region=village_b, name="王五")


def _grade_of(actor, minor, codes):
    return assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=codes).computed_grade


# --- indicators --------------------------------------------------------------------------------------


def test_a_countys_indicator_setting_grades_its_children_and_not_the_other_countys(
    county_officer, town_officer, tree, minor_a1, town_b_officer, minor_b
):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")

    assert _grade_of(town_officer, minor_a1, ["POVERTY"]) == "ORANGE"
    assert _grade_of(town_b_officer, minor_b, ["POVERTY"]) == "YELLOW"
    assert Indicator.objects.get(code="POVERTY").min_grade == "YELLOW"


def test_an_indicator_switched_off_in_one_county_is_refused_there_and_kept_in_the_other(
    county_officer, town_officer, tree, minor_a1, town_b_officer, minor_b
):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="YELLOW", is_active=False)

    assert "POVERTY" not in {i.code for i in indicators_in_force(region=tree.village_a1)}
    with pytest.raises(Exception, match="POVERTY"):
        assessment_record(actor=town_officer, minor=minor_a1, kind="RISK_LEVEL", indicator_codes=["POVERTY"])
    assert _grade_of(town_b_officer, minor_b, ["POVERTY"]) == "YELLOW"


def test_resetting_returns_the_county_to_the_default(county_officer, tree):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="RED")

    assert indicator_reset(actor=county_officer, county=tree.county, code="POVERTY") is True

    assert not IndicatorOverride.objects.exists()
    poverty = next(i for i in indicators_in_force(region=tree.county) if i.code == "POVERTY")
    assert (poverty.min_grade, poverty.override) == ("YELLOW", None)


def test_another_countys_post_cannot_set_an_indicator_for_county_a(county_b_officer, tree):
    with pytest.raises(ActionNotAllowed):
        indicator_set(actor=county_b_officer, county=tree.county, code="POVERTY", min_grade="RED")
    assert not IndicatorOverride.objects.exists()


def test_county_b_posting_to_county_a_on_the_policy_page_gets_404(client, county_b_officer, tree):
    client.force_login(county_b_officer)

    response = client.post(
        reverse("indicator_update", args=["POVERTY"]), {"county": tree.county.pk, "POVERTY-min_grade": "RED"}
    )

    assert response.status_code == 404
    assert not IndicatorOverride.objects.exists()
    assert client.get(reverse("policy"), {"county": tree.county.pk}).status_code == 404


def test_the_policy_page_shows_which_indicators_are_the_countys_own(
    client, county_officer, county_b_officer, tree, county_b
):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")

    client.force_login(county_officer)
    rows = {row["indicator"].code: row for row in client.get(reverse("policy")).context["indicator_rows"]}
    assert rows["POVERTY"]["indicator"].override is not None
    assert rows["POVERTY"]["form"]["min_grade"].value() == "ORANGE"
    assert rows["LEFT_BEHIND"]["indicator"].override is None

    client.force_login(county_b_officer)
    page = client.get(reverse("policy"))
    rows = {row["indicator"].code: row for row in page.context["indicator_rows"]}
    assert page.context["county"] == county_b
    assert rows["POVERTY"]["indicator"].override is None
    assert rows["POVERTY"]["form"]["min_grade"].value() == "YELLOW"


def test_the_indicator_api_answers_for_the_callers_county(api_client_for, county_officer, town_b_officer, tree):
    indicator_set(actor=county_officer, county=tree.county, code="POVERTY", min_grade="ORANGE")

    a = {i["code"]: i for i in api_client_for(county_officer).get("/api/v1/indicators/").json()}
    b = {i["code"]: i for i in api_client_for(town_b_officer).get("/api/v1/indicators/").json()}

    assert (a["POVERTY"]["min_grade"], a["POVERTY"]["county_setting"]) == ("ORANGE", True)
    assert (b["POVERTY"]["min_grade"], b["POVERTY"]["county_setting"]) == ("YELLOW", False)


# --- grade policies ------------------------------------------------------------------------------------


def test_a_countys_grade_policy_applies_to_its_children_only(county_officer, tree, village_b):
    grade_policy_set(
        actor=county_officer, county=tree.county, grade="YELLOW", visit_interval_days=21, requires_helper=False
    )

    assert policy_for(region=tree.village_a1, grade="YELLOW").visit_interval_days == 21
    assert policy_for(region=village_b, grade="YELLOW").visit_interval_days == 30


def test_county_b_cannot_change_county_as_grade_policy(client, county_b_officer, tree):
    client.force_login(county_b_officer)

    response = client.post(
        reverse("grade_policy_update", args=["YELLOW"]), {"county": tree.county.pk, "YELLOW-visit_interval_days": "7"}
    )

    assert response.status_code == 404
    assert not GradePolicy.objects.filter(county__isnull=False).exists()


def test_resetting_a_grade_policy_from_the_page_returns_to_the_default(client, county_officer, tree):
    grade_policy_set(
        actor=county_officer, county=tree.county, grade="YELLOW", visit_interval_days=21, requires_helper=False
    )
    client.force_login(county_officer)

    response = client.post(reverse("grade_policy_reset", args=["YELLOW"]), {"county": tree.county.pk})

    assert response.status_code == 302
    assert not GradePolicy.objects.filter(county=tree.county).exists()
    assert policy_for(region=tree.village_a1, grade="YELLOW").visit_interval_days == 30


# --- referral rules -----------------------------------------------------------------------------------


def _absent_guardian_child(actor, region):
    return register_minor(actor=actor, region=region, categories=("GUARDIANSHIP_ABSENT",))


def test_a_rule_switched_off_in_one_county_is_still_suggested_in_the_other(
    county_officer, town_officer, tree, town_b_officer, village_b
):
    rule = ReferralRule.objects.get(code="RF-4")
    referral_rule_set(
        actor=county_officer,
        county=tree.county,
        code="RF-4",
        destination_kind=rule.destination_kind,
        priority=rule.priority,
        urgent_draft=rule.urgent_draft,
        is_active=False,
    )
    child_a = _absent_guardian_child(town_officer, tree.village_a1)
    child_b = _absent_guardian_child(town_b_officer, village_b)

    assert "RF-4" not in {r.code for r in rules_matching(minor=child_a)}
    assert "RF-4" in {r.code for r in rules_matching(minor=child_b)}
    suggestions_refresh(minor=child_a)
    suggestions_refresh(minor=child_b)
    assert ReferralSuggestion.objects.filter(minor=child_b, rule=rule).exists()
    assert not ReferralSuggestion.objects.filter(minor=child_a, rule=rule).exists()


def test_a_countys_routing_is_what_its_children_see_and_reset_brings_back_the_default(
    county_officer, town_officer, tree
):
    referral_rule_set(
        actor=county_officer,
        county=tree.county,
        code="RF-4",
        destination_kind="POLICE_STATION",
        priority="URGENT",
        urgent_draft=False,
        is_active=True,
    )
    child = _absent_guardian_child(town_officer, tree.village_a1)
    rf4 = next(r for r in rules_matching(minor=child) if r.code == "RF-4")
    assert (rf4.destination_kind, rf4.priority) == ("POLICE_STATION", "URGENT")
    assert ReferralRule.objects.get(code="RF-4").priority != "URGENT"

    assert referral_rule_reset(actor=county_officer, county=tree.county, code="RF-4") is True
    rf4 = next(r for r in rules_matching(minor=child) if r.code == "RF-4")
    assert rf4.priority == ReferralRule.objects.get(code="RF-4").priority


def test_county_b_cannot_change_county_as_referral_rule(client, county_b_officer, tree):
    client.force_login(county_b_officer)

    response = client.post(
        reverse("referral_rule_update", args=["RF-4"]),
        {"county": tree.county.pk, "RF-4-destination_kind": "POLICE_STATION", "RF-4-priority": "URGENT"},
    )

    assert response.status_code == 404
    assert not ReferralRuleOverride.objects.exists()


def test_the_rules_page_edits_the_own_countys_routing(client, county_officer, tree):
    client.force_login(county_officer)

    response = client.post(
        reverse("referral_rule_update", args=["RF-4"]),
        {
            "county": tree.county.pk,
            "RF-4-destination_kind": "POLICE_STATION",
            "RF-4-priority": "URGENT",
            "RF-4-is_active": "on",
        },
    )

    assert response.status_code == 302
    own = ReferralRuleOverride.objects.get(county=tree.county, rule__code="RF-4")
    assert (own.destination_kind, own.priority, own.is_active) == ("POLICE_STATION", "URGENT", True)
    page = client.get(reverse("referral_rules"))
    assert "示范县自定" in page.content.decode()


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "partner_user"])
def test_only_a_county_post_opens_the_rules_page(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("referral_rules")).status_code == 403


# --- benefit rates --------------------------------------------------------------------------------------


def test_a_benefit_rate_set_by_county_a_applies_to_county_a_only(county_officer, county_b_officer, tree, village_b):
    dibao = BenefitProgramme.objects.get(code="DIBAO")
    cw.benefit_rate_set(
        actor=county_officer,
        programme=dibao,
        region=tree.county,
        monthly_amount=Decimal("800"),
        valid_from=date(2026, 1, 1),
    )

    assert cw.benefit_rate_for(programme=dibao, region=tree.village_a1, on=date(2026, 3, 1)).monthly_amount == 800
    assert cw.benefit_rate_for(programme=dibao, region=village_b, on=date(2026, 3, 1)) is None
    with pytest.raises(ActionNotAllowed):
        cw.benefit_rate_set(
            actor=county_b_officer,
            programme=dibao,
            region=tree.county,
            monthly_amount=Decimal("1"),
            valid_from=date(2026, 1, 1),
        )

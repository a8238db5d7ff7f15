"""Rule suggestions on a case's referral page: confirm (a draft is created) or dismiss with a reason."""

import pytest

from referrals.models import Referral, ReferralSuggestion
from referrals.referrals.services.routing import suggestions_refresh
from screening.grading.services import assessment_record
from tests.factories import register_minor
from tiers.models import OrganisationKind
from tiers.services import organisation_create


@pytest.fixture
def disabled_child_case(town_officer, tree):
    organisation_create(kind=OrganisationKind.DISABLED_FEDERATION, name="青山镇残联", region=tree.town_a)
    minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("DISABILITY",))
    assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["ILLNESS_WITHOUT_CARE"])
    suggestions_refresh(minor=minor)
    return minor.cases.get()


def test_the_case_referral_page_shows_the_rule_suggestion_and_confirming_drafts_the_referral(
    client, town_officer, disabled_child_case
):
    client.force_login(town_officer)
    page = client.get(f"/referrals/case/{disabled_child_case.pk}/")
    assert "RF-11" in page.content.decode() and "青山镇残联" in page.content.decode()
    suggestion = ReferralSuggestion.objects.get(rule__code="RF-11")
    client.post(f"/referrals/suggestions/{suggestion.pk}/decide/", {"action": "confirm"})
    referral = Referral.objects.get(case=disabled_child_case)
    assert referral.status == "DRAFT" and referral.organisation.name == "青山镇残联" and referral.rule.code == "RF-11"
    suggestion.refresh_from_db()
    assert suggestion.status == "CONFIRMED"


def test_dismissing_a_suggestion_needs_a_reason(client, town_officer, disabled_child_case):
    client.force_login(town_officer)
    suggestion = ReferralSuggestion.objects.get(rule__code="RF-11")
    client.post(f"/referrals/suggestions/{suggestion.pk}/decide/", {"action": "dismiss", "note": ""})
    suggestion.refresh_from_db()
    assert suggestion.status == "OPEN"
    client.post(f"/referrals/suggestions/{suggestion.pk}/decide/", {"action": "dismiss", "note": "已由残联跟进"})
    suggestion.refresh_from_db()
    assert suggestion.status == "DISMISSED" and not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "neighbour_director"])
def test_suggestions_of_a_child_outside_reach_are_not_found(request, client, persona, disabled_child_case):
    client.force_login(request.getfixturevalue(persona))
    suggestion = ReferralSuggestion.objects.get(rule__code="RF-11")
    assert client.post(f"/referrals/suggestions/{suggestion.pk}/decide/", {"action": "confirm"}).status_code == 404
    assert not Referral.objects.exists()

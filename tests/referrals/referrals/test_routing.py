"""The routing table RF-1 … RF-17 (domain.md §6.1) on example children: table-driven."""

import pytest
from django.core.exceptions import ValidationError

from referrals.models import ReferralRule, ReferralSuggestion
from referrals.referrals.services.routing import rules_matching, suggestion_decide, suggestions_refresh
from screening.grading.services import assessment_record
from tests.factories import guardian_payload, register_minor, years_ago

# (categories, guardian flags, indicators of the risk assessment, age) → the rules that must match.
CHILDREN = [
    pytest.param(("VAGRANT_BEGGING",), (), (), 12, {"RF-1"}, id="RF-1 vagrant"),
    pytest.param(("VIOLENCE_ABUSE_VICTIM",), (), (), 9, {"RF-2", "RF-12"}, id="RF-2 violence victim"),
    pytest.param(("LEFT_BEHIND",), (), ("SEVERE_INJURY",), 9, {"RF-3", "RF-17"}, id="RF-3 serious injury"),
    pytest.param(("GUARDIANSHIP_ABSENT",), (), (), 9, {"RF-4"}, id="RF-4 guardianship absent"),
    pytest.param(("CHILD_OF_PRISONER",), ("is_imprisoned",), (), 9, {"RF-5", "RF-9"}, id="RF-5/9 prisoner's child"),
    pytest.param(("ABANDONED", "DISABILITY"), (), (), 7, {"RF-6", "RF-11"}, id="RF-6 abandoned and disabled"),
    pytest.param(("UNREGISTERED",), (), (), 5, {"RF-7"}, id="RF-7 no hukou"),
    pytest.param(("LEFT_BEHIND",), (), ("NO_CAREGIVER",), 8, {"RF-8", "RF-17"}, id="RF-8 no caregiver"),
    pytest.param(("LOW_INCOME_FAMILY",), (), (), 16, {"RF-10"}, id="RF-10 sixteen needing livelihood"),
    pytest.param(("LOW_INCOME_FAMILY",), (), (), 15, set(), id="RF-10 not before sixteen"),
    pytest.param(("DISABILITY",), (), (), 10, {"RF-11"}, id="RF-11 disabled"),
    pytest.param(("CRIME_VICTIM",), (), (), 13, {"RF-12"}, id="RF-12 needs psychological and legal support"),
    pytest.param(("SEVERE_ILLNESS",), (), (), 11, {"RF-13"}, id="RF-13 serious illness"),
    pytest.param(("MIGRANT",), (), (), 9, {"RF-14"}, id="RF-14 migrant of school age"),
    pytest.param(("MIGRANT",), (), (), 4, set(), id="RF-14 not below school age"),
    pytest.param(("DROPOUT",), (), (), 14, {"RF-4", "RF-15"}, id="RF-15 dropout under sixteen"),
    pytest.param(("DROPOUT",), (), (), 16, {"RF-4", "RF-10"}, id="RF-15 not at sixteen"),
    pytest.param(("LEFT_BEHIND",), (), ("ONGOING_VIOLENCE",), 10, {"RF-2", "RF-17"}, id="RF-17 suspected infringement"),
    pytest.param(("LEFT_BEHIND",), ("works_away",), (), 10, set(), id="left-behind alone is not referred"),
]


@pytest.mark.parametrize(("categories", "flags", "indicators", "age", "expected"), CHILDREN)
def test_the_routing_table_matches_the_expected_rules(town_officer, tree, categories, flags, indicators, age, expected):
    guardian = guardian_payload(relation="FATHER", name="赵强", **dict.fromkeys(flags, True))
    minor = register_minor(
        actor=town_officer,
        region=tree.village_a1,
        categories=categories,
        guardians=[guardian],
        birth_date=years_ago(age, days=30),
        id_number=None,
        no_id_reason="UNREGISTERED",
    )
    if indicators:
        assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=indicators)
    assert {rule.code for rule in rules_matching(minor=minor)} == expected


def test_rf16_is_never_suggested_automatically(db):
    rule = ReferralRule.objects.get(code="RF-16")
    assert not (rule.categories or rule.categories_all or rule.indicators or rule.guardian_flags)


def test_the_table_is_data_and_an_edited_rule_changes_the_result(town_officer, tree):
    minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("LEFT_BEHIND",))
    assert rules_matching(minor=minor) == []
    ReferralRule.objects.filter(code="RF-4").update(categories=["LEFT_BEHIND"])
    assert [rule.code for rule in rules_matching(minor=minor)] == ["RF-4"]


def test_suggestions_follow_the_record_and_decided_ones_stay(town_officer, tree):
    minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("DISABILITY", "SEVERE_ILLNESS"))
    suggestions_refresh(minor=minor)
    assert set(ReferralSuggestion.objects.filter(minor=minor).values_list("rule__code", flat=True)) == {
        "RF-11",
        "RF-13",
    }
    dismissed = ReferralSuggestion.objects.get(minor=minor, rule__code="RF-11")
    with pytest.raises(ValidationError):  # a dismissal without a reason is refused
        suggestion_decide(actor=town_officer, suggestion=dismissed, confirm=False)
    suggestion_decide(actor=town_officer, suggestion=dismissed, confirm=False, note="已在残联登记")
    from cases.registry.services import CategoryChoice, minor_update

    minor_update(
        actor=town_officer,
        minor=minor,
        data={f: getattr(minor, f) for f in ("name", "gender", "birth_date", "id_number", "no_id_reason")},
        guardians=[],
        categories=[CategoryChoice("LEFT_BEHIND")],
    )
    suggestions_refresh(minor=minor)
    rows = dict(ReferralSuggestion.objects.filter(minor=minor).values_list("rule__code", "status"))
    assert rows == {"RF-11": "DISMISSED"}


def test_a_change_to_the_record_re_evaluates_the_rules_after_commit(
    django_capture_on_commit_callbacks, town_officer, tree
):
    with django_capture_on_commit_callbacks(execute=True):
        minor = register_minor(
            actor=town_officer,
            region=tree.village_a1,
            categories=("UNREGISTERED",),
            id_number=None,
            no_id_reason="UNREGISTERED",
        )
    assert list(ReferralSuggestion.objects.filter(minor=minor).values_list("rule__code", flat=True)) == ["RF-7"]


def test_an_urgent_rule_drafts_the_referral_on_the_open_case_for_staff_to_send(town_officer, tree):
    from referrals.models import Referral
    from tiers.models import OrganisationKind
    from tiers.services import organisation_create

    police = organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)
    minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("LEFT_BEHIND",))
    assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    suggestions_refresh(minor=minor)
    drafts = Referral.objects.filter(minor=minor)
    assert [(r.organisation, r.status, r.priority) for r in drafts] == [(police, "DRAFT", "URGENT")]
    assert drafts.get().rule.code in {"RF-2", "RF-17"}
    suggestions_refresh(minor=minor)
    assert drafts.count() == 1


def test_the_refresh_command_re_evaluates_everyone_after_a_rule_is_edited(town_officer, tree):
    from io import StringIO

    from django.core.management import call_command

    minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("LEFT_BEHIND",))
    ReferralRule.objects.filter(code="RF-12").update(categories=["LEFT_BEHIND"])
    call_command("refresh_referral_suggestions", stdout=StringIO())
    assert list(ReferralSuggestion.objects.filter(minor=minor).values_list("rule__code", flat=True)) == ["RF-12"]


def test_a_child_changed_twice_in_one_transaction_is_re_evaluated_once(
    django_capture_on_commit_callbacks, town_officer, tree
):
    from unittest import mock

    from django.db import transaction

    with (
        mock.patch("referrals.referrals.services.routing.suggestions_refresh") as refresh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        with transaction.atomic():
            minor = register_minor(actor=town_officer, region=tree.village_a1, categories=("DISABILITY",))
            assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["POVERTY"])
    assert refresh.call_count == 1


def test_sending_a_referral_also_notifies_the_department_the_rule_names(town_officer, tree):
    from cases.casework.services import case_open
    from cases.models import Notification
    from referrals.referrals.services import lifecycle
    from tests.factories import make_user
    from tiers.models import OrganisationKind, StaffPost
    from tiers.roles import Role
    from tiers.services import organisation_create

    school = organisation_create(kind=OrganisationKind.SCHOOL, name="青山镇中学", region=tree.town_a)
    centre = organisation_create(kind=OrganisationKind.EDUCATION_CENTRE, name="青山镇教管中心", region=tree.town_a)
    teacher = make_user(Role.PARTNER_STAFF, tree.town_a, username="teacher15")
    officer = make_user(Role.PARTNER_STAFF, tree.town_a, username="edu_officer")
    StaffPost.objects.filter(user=teacher).update(organisation=school)
    StaffPost.objects.filter(user=officer).update(organisation=centre)
    minor = register_minor(
        actor=town_officer, region=tree.village_a1, categories=("DROPOUT",), birth_date=years_ago(14, days=5)
    )
    case = case_open(actor=town_officer, minor=minor)
    referral = lifecycle.referral_create(
        actor=town_officer,
        case=case,
        organisation=school,
        reason="劝返复学",
        rule=ReferralRule.objects.get(code="RF-15"),
    )
    lifecycle.referral_send(actor=town_officer, referral=referral)
    told = Notification.objects.get(user=officer)
    assert "RF-15" in told.title and minor.name not in told.title
    assert not Notification.objects.filter(user=teacher, title__startswith="通报").exists()

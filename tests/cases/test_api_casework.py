"""The casework API (issue 4): cases, measures, interventions, placements, benefits, closing requests,
working groups and organisations; scoped like the pages, refusals as 403 or coded field errors."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.casework import services as cw
from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    Case,
    CaseClosure,
    GuardianshipIntervention,
    Measure,
    Placement,
)
from tests.factories import make_user, register_minor, years_ago
from tiers.models import OrganisationKind
from tiers.roles import Role
from tiers.services import organisation_create

CASES = "/api/v1/cases/"
MEASURES = "/api/v1/measures/"
INTERVENTIONS = "/api/v1/interventions/"
PLACEMENTS = "/api/v1/placements/"
BENEFITS = "/api/v1/benefits/"


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def errors(response) -> dict[str, str]:
    """attr → code of a validation error response."""
    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    return {error["attr"]: error["code"] for error in body["errors"]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def supervisor(tree):
    return make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")


@pytest.fixture
def groups(tree):
    for kind, name in [
        (OrganisationKind.CIVIL_AFFAIRS_OFFICE, "青山镇民政办"),
        (OrganisationKind.POLICE_STATION, "青山派出所"),
        (OrganisationKind.EDUCATION_CENTRE, "青山镇教管中心"),
        (OrganisationKind.JUSTICE_OFFICE, "青山司法所"),
    ]:
        organisation_create(kind=kind, name=name, region=tree.town_a)
    organisation_create(kind=OrganisationKind.POLICE_STATION, name="白水派出所", region=tree.town_b)
    organisation_create(kind=OrganisationKind.CIVIL_AFFAIRS_BUREAU, name="示范县民政局", region=tree.county)
    cw.working_groups_ensure(region=tree.town_b)
    return {g.track: g for g in cw.working_groups_ensure(region=tree.town_a)}


@pytest.fixture
def case(town_officer, minor_a1, groups):
    return cw.case_open(actor=town_officer, minor=minor_a1, note="学校报告长期缺课")


@pytest.fixture
def other_case(outsider, minor_b1, groups):
    return cw.case_open(actor=outsider, minor=minor_b1, note="邻居报告")


@pytest.fixture
def group_member(tree, groups):
    """A police officer of town A, member of town A's rescue-protection group."""
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="police_member")
    groups["RESCUE_PROTECTION"].members.add(member)
    return member


def add_measure(actor, case, track="RESCUE_PROTECTION", title="纳入低保", days=7) -> Measure:
    return cw.measure_add(
        actor=actor, case=case, track=track, title=title, due_on=timezone.localdate() + timedelta(days=days)
    )


# --- scope ---------------------------------------------------------------------------------------------


def test_the_case_board_lists_only_cases_in_the_callers_area(api_client_for, town_officer, outsider, case, other_case):
    assert ids(api_client_for(town_officer).get(CASES)) == {case.pk}
    assert ids(api_client_for(outsider).get(CASES)) == {other_case.pk}


@pytest.mark.parametrize("persona", ["outsider", "neighbour_director", "partner_user"])
def test_a_case_outside_the_callers_area_is_not_found(request, api_client_for, persona, town_officer, case):
    measure = add_measure(town_officer, case)
    intervention = cw.intervention_record(actor=town_officer, case=case, level=1, actor_name="村委会")
    api = api_client_for(request.getfixturevalue(persona))
    base = f"{CASES}{case.pk}/"
    for path in (base, base + "history/", base + "placement-route/", f"{MEASURES}{measure.pk}/"):
        assert api.get(path).status_code == 404, path
    assert api.get(f"{INTERVENTIONS}{intervention.pk}/").status_code == 404
    assert api.post(base + "stage/", {"stage": "REVIEW"}, format="json").status_code == 404
    assert api.post(f"{MEASURES}{measure.pk}/progress/", {"status": "DONE", "outcome": "x"}).status_code == 404
    assert case.pk not in ids(api.get(CASES))
    assert measure.pk not in ids(api.get(MEASURES))
    assert intervention.pk not in ids(api.get(INTERVENTIONS))
    measure.refresh_from_db()
    assert measure.status == "PLANNED"


def test_a_group_member_of_one_town_sees_nothing_of_another_towns_cases(
    api_client_for, town_officer, outsider, group_member, case, other_case
):
    own = add_measure(town_officer, case, track="RESCUE_PROTECTION")
    add_measure(town_officer, case, track="EDUCATION_SUPPORT", title="劝返复学")
    elsewhere = add_measure(outsider, other_case, track="RESCUE_PROTECTION")
    api = api_client_for(group_member)

    assert api.get(f"{CASES}{other_case.pk}/").status_code == 404
    assert api.get(f"{MEASURES}{elsewhere.pk}/").status_code == 404
    assert ids(api.get(CASES)) == set()
    assert ids(api.get(MEASURES)) == {own.pk}
    assert api.get(f"{INTERVENTIONS}?case={other_case.pk}").json()["results"] == []


def test_a_group_member_reports_progress_on_the_groups_measure(api_client_for, town_officer, group_member, case):
    measure = add_measure(town_officer, case)
    response = api_client_for(group_member).post(
        f"{MEASURES}{measure.pk}/progress/", {"status": "DONE", "outcome": "已批准低保"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "DONE"


# --- read-only personas ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["town_leader", "county_officer", "leadership_viewer", "partner_user"])
def test_personas_who_do_not_do_casework_cannot_open_or_add_to_cases(request, api_client_for, persona, minor_a1, case):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.post(CASES, {"minor": minor_a1.pk}, format="json").status_code == 403
    writes = [
        (MEASURES, {"case": case.pk, "track": "RESCUE_PROTECTION", "title": "纳入低保", "due_on": in_days(7)}),
        (INTERVENTIONS, {"case": case.pk, "level": 1, "actor": "村委会"}),
        (PLACEMENTS, {"case": case.pk, "type": "TEMPORARY_CARE", "start_on": in_days(0)}),
        (BENEFITS, {"minor": minor_a1.pk, "programme": "EDU_AID"}),
    ]
    for path, body in writes:
        assert api.post(path, body, format="json").status_code == 403, path
    assert not Measure.objects.exists() and not GuardianshipIntervention.objects.exists()
    assert not Placement.objects.exists() and not BenefitEnrolment.objects.exists()


@pytest.mark.parametrize("persona", ["town_leader", "county_officer"])
def test_read_only_leaders_can_read_a_case_but_not_change_it(request, api_client_for, persona, town_officer, case):
    measure = add_measure(town_officer, case)
    api = api_client_for(request.getfixturevalue(persona))
    base = f"{CASES}{case.pk}/"
    assert api.get(base).status_code == 200
    assert api.post(base + "stage/", {"stage": "REVIEW"}, format="json").status_code == 403
    assert api.post(base + "request-closure/", {"closing_assessment": "稳定"}, format="json").status_code == 403
    assert api.post(f"{MEASURES}{measure.pk}/progress/", {"status": "DONE", "outcome": "x"}).status_code == 403
    case.refresh_from_db()
    measure.refresh_from_db()
    assert case.stage == "DISPOSAL_ASSISTANCE" and measure.status == "PLANNED"
    assert not CaseClosure.objects.exists()


# --- cases -------------------------------------------------------------------------------------------------


def test_a_case_is_opened_by_hand_once_and_shown_with_its_plan(api_client_for, town_officer, minor_a1, groups):
    api = api_client_for(town_officer)
    first = api.post(CASES, {"minor": minor_a1.pk, "note": "学校报告长期缺课"}, format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["origin"] == "MANUAL" and body["stage"] == "DISCOVERY" and body["owner"] == town_officer.pk
    again = api.post(CASES, {"minor": minor_a1.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Case.objects.filter(minor=minor_a1).count() == 1


def test_opening_a_case_for_a_minor_out_of_reach_is_not_found(api_client_for, town_officer, minor_b1):
    assert api_client_for(town_officer).post(CASES, {"minor": minor_b1.pk}, format="json").status_code == 404
    assert not Case.objects.exists()


def test_the_case_page_holds_plan_interventions_placements_benefits_and_history(
    api_client_for, town_officer, case, minor_a1
):
    add_measure(town_officer, case)
    cw.intervention_record(actor=town_officer, case=case, level=0, actor_name="村儿童主任")
    cw.placement_record(actor=town_officer, case=case, type="TEMPORARY_CARE", start_on=timezone.localdate())
    cw.benefit_apply(
        actor=town_officer, minor=minor_a1, case=case, programme=BenefitProgramme.objects.get(code="EDU_AID")
    )
    api = api_client_for(town_officer)
    body = api.get(f"{CASES}{case.pk}/").json()
    assert [len(body[key]) for key in ("measures", "interventions", "placements", "benefits")] == [1, 1, 1, 1]
    assert body["open_measures"] == 1 and body["overdue_measures"] == 0
    kinds = [event["kind"] for event in api.get(f"{CASES}{case.pk}/history/").json()]
    assert kinds[-1] == "OPENED" and "MEASURE_ADDED" in kinds and "PLACEMENT" in kinds


def test_the_case_board_filters_by_stage_grade_track_and_overdue(api_client_for, town_officer, tree, case):
    quiet = cw.case_open(actor=town_officer, minor=register_minor(actor=town_officer, region=tree.village_a1))
    late = add_measure(town_officer, case, track="MEDICAL_PROTECTION", title="医疗救助")
    Measure.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    api = api_client_for(town_officer)
    assert ids(api.get(CASES + "?overdue=true")) == {case.pk}
    assert ids(api.get(CASES + "?track=MEDICAL_PROTECTION")) == {case.pk}
    assert ids(api.get(CASES + "?stage=DISCOVERY")) == {quiet.pk}
    assert ids(api.get(CASES + "?grade=RED")) == set()
    assert api.get(CASES).json()["results"][0]["overdue_measures"] == 1
    assert errors(api.get(CASES + "?stage=NOPE")) == {"stage": "invalid_choice"}


def test_stage_changes_go_through_the_service_and_closed_is_refused(api_client_for, town_officer, case):
    api = api_client_for(town_officer)
    moved = api.post(f"{CASES}{case.pk}/stage/", {"stage": "ASSESSMENT_REFERRAL"}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == "ASSESSMENT_REFERRAL"
    refused = api.post(f"{CASES}{case.pk}/stage/", {"stage": "CLOSED"}, format="json")
    assert errors(refused) == {"stage": "invalid_choice"}
    case.refresh_from_db()
    assert case.stage == "ASSESSMENT_REFERRAL"


def test_the_owner_must_be_casework_staff_of_the_childs_town(api_client_for, town_officer, supervisor, tree, case):
    api = api_client_for(town_officer)
    assert api.post(f"{CASES}{case.pk}/owner/", {"owner": supervisor.pk}, format="json").json()["owner"] == (
        supervisor.pk
    )
    director = make_user(Role.CHILD_DIRECTOR, tree.village_a1, username="director_owner")
    assert errors(api.post(f"{CASES}{case.pk}/owner/", {"owner": director.pk}, format="json")) == {
        "owner": "out_of_reach"
    }
    case.refresh_from_db()
    assert case.owner == supervisor


# --- closing -------------------------------------------------------------------------------------------------


def test_closing_with_an_open_measure_is_refused_with_the_reason(api_client_for, town_officer, case):
    add_measure(town_officer, case, title="办理医疗救助")
    response = api_client_for(town_officer).post(
        f"{CASES}{case.pk}/request-closure/", {"closing_assessment": "情况稳定"}, format="json"
    )
    assert errors(response) == {"measures": "open_measures"}
    assert "办理医疗救助" in response.json()["errors"][0]["detail"]
    assert not CaseClosure.objects.exists()


def test_a_case_closes_when_the_office_head_approves_the_request(
    api_client_for, town_officer, office_head, town_leader, case
):
    measure = add_measure(town_officer, case)
    api = api_client_for(town_officer)
    assert api.post(f"{MEASURES}{measure.pk}/progress/", {"status": "DONE", "outcome": "已批准"}).status_code == 200
    requested = api.post(f"{CASES}{case.pk}/request-closure/", {"closing_assessment": "监护到位"}, format="json")
    assert requested.status_code == 201 and requested.json()["status"] == "PENDING"
    decide = f"/api/v1/closures/{requested.json()['id']}/decide/"
    assert api.post(decide, {"approve": True}, format="json").status_code == 403
    assert errors(api_client_for(town_leader).post(decide, {"approve": False}, format="json")) == {"note": "required"}
    approved = api_client_for(office_head).post(decide, {"approve": True, "note": "同意结案"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "APPROVED"
    case.refresh_from_db()
    assert case.stage == "CLOSED"
    assert ids(api.get(CASES)) == set() and ids(api.get(CASES + "?stage=CLOSED")) == {case.pk}


# --- interventions -------------------------------------------------------------------------------------------


def test_a_level_3_intervention_waits_for_approval_and_cannot_be_taken_before(
    api_client_for, town_officer, town_leader, case
):
    api = api_client_for(town_officer)
    created = api.post(
        INTERVENTIONS, {"case": case.pk, "level": 3, "action": "申请人身安全保护令", "actor": "镇民政办"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "PENDING_APPROVAL" and body["taken_on"] is None
    taken = f"{INTERVENTIONS}{body['id']}/taken/"
    assert errors(api.post(taken, {}, format="json")) == {"intervention": "approval_required"}
    approved = api_client_for(town_leader).post(f"{INTERVENTIONS}{body['id']}/decide/", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "APPROVED"
    assert api.post(taken, {}, format="json").json()["status"] == "TAKEN"


@pytest.mark.parametrize("persona", ["town_officer", "office_head", "supervisor"])
def test_only_the_town_leader_decides_interventions(request, api_client_for, persona, town_officer, case):
    intervention = cw.intervention_record(actor=town_officer, case=case, level=4, actor_name="司法所")
    response = api_client_for(request.getfixturevalue(persona)).post(
        f"{INTERVENTIONS}{intervention.pk}/decide/", {"approve": True}, format="json"
    )
    assert response.status_code == 403
    intervention.refresh_from_db()
    assert intervention.status == "PENDING_APPROVAL" and intervention.approved_at is None


def test_a_failed_intervention_returns_the_proposed_next_level(api_client_for, town_officer, case, minor_a1):
    guardian = minor_a1.guardians.first()
    api = api_client_for(town_officer)
    created = api.post(
        INTERVENTIONS, {"case": case.pk, "level": 2, "actor": "青山派出所", "guardian": guardian.pk}, format="json"
    ).json()
    assert created["status"] == "TAKEN" and created["guardian_name"] == guardian.name
    response = api.post(
        f"{INTERVENTIONS}{created['id']}/outcome/", {"succeeded": False, "outcome": "拒不改正"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["intervention"]["status"] == "FAILED"
    assert body["proposed_next"]["level"] == 3 and body["proposed_next"]["status"] == "PENDING_APPROVAL"
    assert body["proposed_next"]["follows"] == created["id"]


def test_a_succeeded_intervention_proposes_nothing(api_client_for, town_officer, case):
    intervention = cw.intervention_record(actor=town_officer, case=case, level=1, actor_name="村委会")
    body = (
        api_client_for(town_officer)
        .post(f"{INTERVENTIONS}{intervention.pk}/outcome/", {"succeeded": True, "outcome": "已改正"}, format="json")
        .json()
    )
    assert body["intervention"]["status"] == "SUCCEEDED" and body["proposed_next"] is None


# --- bad input ------------------------------------------------------------------------------------------------


def test_bad_measures_are_field_errors_and_nothing_is_saved(api_client_for, town_officer, case):
    api = api_client_for(town_officer)
    good = {"case": case.pk, "track": "RESCUE_PROTECTION", "title": "纳入低保", "due_on": in_days(7)}
    assert errors(api.post(MEASURES, {**good, "track": "NOPE"}, format="json")) == {"track": "invalid_choice"}
    assert errors(api.post(MEASURES, {**good, "due_on": in_days(-1)}, format="json")) == {"due_on": "past"}
    assert errors(api.post(MEASURES, {**good, "title": "  "}, format="json")) == {"title": "required"}
    assert errors(api.post(MEASURES, {**good, "due_on": "soon"}, format="json")) == {"due_on": "invalid"}
    assert not Measure.objects.exists()
    case.refresh_from_db()
    assert case.stage == "DISCOVERY"


def test_bad_progress_reports_are_field_errors(api_client_for, town_officer, case):
    measure = add_measure(town_officer, case)
    api = api_client_for(town_officer)
    progress = f"{MEASURES}{measure.pk}/progress/"
    assert errors(api.post(progress, {"status": "CANCELLED"}, format="json")) == {"cancel_reason": "required"}
    assert errors(api.post(progress, {"status": "DONE"}, format="json")) == {"outcome": "required"}
    measure.refresh_from_db()
    assert measure.status == "PLANNED"


def test_bad_interventions_and_placements_are_field_errors_and_nothing_is_saved(
    api_client_for, town_officer, case, minor_b1
):
    api = api_client_for(town_officer)
    stranger = minor_b1.guardians.first()
    bad_guardian = {"case": case.pk, "level": 1, "actor": "村委会", "guardian": stranger.pk}
    assert errors(api.post(INTERVENTIONS, bad_guardian, format="json")) == {"guardian": "does_not_exist"}
    assert errors(api.post(INTERVENTIONS, {"case": case.pk, "level": 7, "actor": "村委会"}, format="json")) == {
        "level": "invalid_choice"
    }
    assert errors(api.post(INTERVENTIONS, {"case": case.pk, "level": 1, "actor": " "}, format="json")) == {
        "actor": "required"
    }
    assert errors(api.post(PLACEMENTS, {"case": case.pk, "type": "FAMILY_FOSTER"}, format="json")) == {
        "start_on": "required"
    }
    assert not GuardianshipIntervention.objects.exists() and not Placement.objects.exists()


# --- placements ---------------------------------------------------------------------------------------------------


def test_an_out_of_district_child_is_routed_to_the_government_of_origin(api_client_for, town_officer, tree, groups):
    migrant = register_minor(
        actor=town_officer, region=tree.village_a1, hukou_in_district=False, hukou_place="四川省广安市"
    )
    case = cw.case_open(actor=town_officer, minor=migrant)
    body = api_client_for(town_officer).get(f"{CASES}{case.pk}/placement-route/").json()
    assert body["route"] == "ORIGIN_GOVERNMENT" and "四川省广安市" in body["advice"]
    assert body["suggested_types"] == ["ORIGIN_GOVERNMENT"]


def test_a_placement_is_recorded_and_ended(api_client_for, town_officer, case):
    api = api_client_for(town_officer)
    start = timezone.localdate() - timedelta(days=10)
    created = api.post(
        PLACEMENTS,
        {"case": case.pk, "type": "TEMPORARY_CARE", "start_on": start.isoformat(), "institution_name": "姑姑家"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["is_current"] is True
    end = f"{PLACEMENTS}{created.json()['id']}/end/"
    assert errors(api.post(end, {"end_on": (start - timedelta(days=1)).isoformat()}, format="json")) == {
        "end_on": "before_start"
    }
    ended = api.post(end, {"end_on": timezone.localdate().isoformat()}, format="json")
    assert ended.status_code == 200 and ended.json()["is_current"] is False


# --- benefits -------------------------------------------------------------------------------------------------------


def test_a_benefit_is_applied_for_approved_at_the_regional_rate_and_ended(
    api_client_for, town_officer, county_officer, tree, case, minor_a1
):
    dibao = BenefitProgramme.objects.get(code="DIBAO")
    cw.benefit_rate_set(
        actor=county_officer,
        programme=dibao,
        region=tree.county,
        monthly_amount=Decimal("650"),
        valid_from=timezone.localdate() - timedelta(days=100),
    )
    api = api_client_for(town_officer)
    applied = api.post(BENEFITS, {"minor": minor_a1.pk, "case": case.pk, "programme": "DIBAO"}, format="json")
    assert applied.status_code == 201, applied.json()
    assert applied.json()["status"] == "APPLIED"
    enrolment = applied.json()["id"]
    approved = api.post(f"{BENEFITS}{enrolment}/decide/", {"approve": True}, format="json").json()
    assert approved["status"] == "APPROVED" and Decimal(approved["monthly_amount"]) == Decimal("650")
    ended = api.post(f"{BENEFITS}{enrolment}/end/", {"end_on": in_days(30)}, format="json").json()
    assert ended["status"] == "ENDED"
    again = api.post(BENEFITS, {"minor": minor_a1.pk, "programme": "DIBAO"}, format="json")
    assert again.status_code == 201


def test_eligibility_hints_refuse_an_application_unless_accepted_with_a_note(api_client_for, town_officer, tree):
    child = register_minor(actor=town_officer, region=tree.village_a1, birth_date=years_ago(12, days=10))
    api = api_client_for(town_officer)
    hints = api.get(f"{BENEFITS}eligibility/?minor={child.pk}&programme=VOCATIONAL_16PLUS").json()
    assert hints["hints"] and "16" in hints["hints"][0]
    refused = api.post(BENEFITS, {"minor": child.pk, "programme": "VOCATIONAL_16PLUS"}, format="json")
    assert errors(refused) == {"accept_hints": "eligibility"}
    assert not BenefitEnrolment.objects.exists()
    accepted = api.post(
        BENEFITS,
        {"minor": child.pk, "programme": "VOCATIONAL_16PLUS", "accept_hints": True, "note": "提前报名秋季班"},
        format="json",
    )
    assert accepted.status_code == 201


def test_eligibility_and_benefits_of_a_minor_out_of_reach_are_not_found(api_client_for, town_officer, minor_b1):
    api = api_client_for(town_officer)
    assert api.get(f"{BENEFITS}eligibility/?minor={minor_b1.pk}&programme=DIBAO").status_code == 404
    assert api.post(BENEFITS, {"minor": minor_b1.pk, "programme": "EDU_AID"}, format="json").status_code == 404


def test_benefit_programmes_are_listed_by_code(api_client_for, child_director):
    api = api_client_for(child_director)
    codes = [row["code"] for row in api.get("/api/v1/benefit-programmes/").json()]
    assert "DIBAO" in codes and "VOCATIONAL_16PLUS" in codes
    assert api.get("/api/v1/benefit-programmes/VOCATIONAL_16PLUS/").json()["min_age"] == 16


# --- working groups and organisations ---------------------------------------------------------------------------------


def test_working_groups_are_those_of_the_callers_area(api_client_for, town_officer, outsider, groups):
    rows = api_client_for(town_officer).get("/api/v1/working-groups/").json()["results"]
    assert {row["id"] for row in rows} == {g.pk for g in groups.values()}
    assert api_client_for(outsider).get(f"/api/v1/working-groups/{groups['SPIRITUAL_CARE'].pk}/").status_code == 404


def test_the_town_office_names_a_groups_members(api_client_for, town_officer, town_leader, tree, groups):
    group = groups["JUDICIAL_PROTECTION"]
    police = group.member_organisations.get()
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="justice_member")
    path = f"/api/v1/working-groups/{group.pk}/"
    assert api_client_for(town_leader).patch(path, {"duties": "x"}, format="json").status_code == 403
    response = api_client_for(town_officer).patch(path, {"members": [member.pk], "duties": "法律援助"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["members"] == [member.pk] and response.json()["member_organisations"] == [police.pk]
    group.refresh_from_db()
    assert group.duties == "法律援助"


def test_a_group_cannot_take_another_towns_department(api_client_for, town_officer, groups):
    from tiers.models import Organisation

    foreign = Organisation.objects.get(name="白水派出所")
    response = api_client_for(town_officer).patch(
        f"/api/v1/working-groups/{groups['RESCUE_PROTECTION'].pk}/",
        {"member_organisations": [foreign.pk]},
        format="json",
    )
    assert errors(response) == {"member_organisations": "does_not_exist"}


def test_a_groups_open_measures_come_overdue_first(api_client_for, town_officer, group_member, case, groups):
    soon = add_measure(town_officer, case, days=1)
    late = add_measure(town_officer, case, title="临时救助", days=0)
    Measure.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    rows = api_client_for(group_member).get(f"/api/v1/working-groups/{groups['RESCUE_PROTECTION'].pk}/measures/")
    assert [row["id"] for row in rows.json()] == [late.pk, soon.pk]
    assert rows.json()[0]["is_overdue"] is True


def test_organisations_are_those_of_the_callers_town_and_the_county(api_client_for, town_officer, groups):
    names = {row["name"] for row in api_client_for(town_officer).get("/api/v1/organisations/").json()["results"]}
    assert "青山派出所" in names and "示范县民政局" in names
    assert "白水派出所" not in names


# --- queries and schema -------------------------------------------------------------------------------------------


def test_the_case_list_uses_a_fixed_number_of_queries(
    api_client_for, town_officer, tree, groups, django_assert_max_num_queries
):
    for index in range(12):
        minor = register_minor(actor=town_officer, region=tree.village_a1 if index % 2 else tree.grid_a1)
        case = cw.case_open(actor=town_officer, minor=minor)
        add_measure(town_officer, case, track="EDUCATION_SUPPORT", title="助学")
    api = api_client_for(town_officer)
    api.get("/api/v1/me/")  # the token's first use is recorded once; keep it out of the count
    with django_assert_max_num_queries(10) as small:
        assert len(api.get(CASES + "?page_size=2").json()["results"]) == 2
    with django_assert_max_num_queries(10) as large:
        assert len(api.get(CASES + "?page_size=12&track=EDUCATION_SUPPORT").json()["results"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_case_page_uses_a_fixed_number_of_queries(
    api_client_for, town_officer, case, minor_a1, django_assert_max_num_queries
):
    def add_one_of_each(index: int) -> None:
        add_measure(town_officer, case, track="EDUCATION_SUPPORT", title=f"助学{index}")
        cw.intervention_record(actor=town_officer, case=case, level=index % 3, actor_name="村委会")
        cw.placement_record(
            actor=town_officer, case=case, type="TEMPORARY_CARE", start_on=timezone.localdate() + timedelta(days=index)
        )
        programme = BenefitProgramme.objects.filter(min_age__isnull=True, requires_categories=[])[index]
        cw.benefit_apply(actor=town_officer, minor=minor_a1, case=case, programme=programme)

    api = api_client_for(town_officer)
    api.get("/api/v1/me/")
    add_one_of_each(0)
    with django_assert_max_num_queries(16) as one:
        assert len(api.get(f"{CASES}{case.pk}/").json()["measures"]) == 1
    for index in range(1, 6):
        add_one_of_each(index)
    with django_assert_max_num_queries(16) as six:
        assert len(api.get(f"{CASES}{case.pk}/").json()["benefits"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_measure_list_uses_a_fixed_number_of_queries(
    api_client_for, town_officer, case, django_assert_max_num_queries
):
    for index in range(12):
        add_measure(town_officer, case, track="EDUCATION_SUPPORT", title=f"助学{index}")
    api = api_client_for(town_officer)
    api.get("/api/v1/me/")
    with django_assert_max_num_queries(8) as small:
        assert len(api.get(MEASURES + "?page_size=2").json()["results"]) == 2
    with django_assert_max_num_queries(8) as large:
        assert len(api.get(MEASURES + "?page_size=12").json()["results"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_casework_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/request-closure/",
        "/api/v1/cases/{id}/placement-route/",
        "/api/v1/measures/{id}/progress/",
        "/api/v1/interventions/{id}/outcome/",
        "/api/v1/placements/{id}/end/",
        "/api/v1/benefits/eligibility/",
        "/api/v1/closures/{id}/decide/",
        "/api/v1/working-groups/{id}/",
        "/api/v1/organisations/",
    ):
        assert path in schema, path

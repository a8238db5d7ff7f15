"""Casework (issue 4): cases from grades, plans, closing, the intervention ladder, placements, benefits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from cases.casework import services as cw
from cases.casework.selectors import case_get, group_open_measures
from cases.casework.services.alerts import casework_escalate
from cases.models import (
    Alert,
    Case,
    CaseEvent,
    CaseStage,
    GuardianshipIntervention,
    InterventionStatus,
    Notification,
    WorkingGroup,
)
from screening.grading.services import assessment_record, grade_set
from tests.factories import make_user, register_minor, years_ago
from tiers.errors import ActionNotAllowed
from tiers.models import Organisation, OrganisationKind
from tiers.roles import Role
from tiers.services import organisation_create


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def town_orgs(tree):
    kinds = [
        (OrganisationKind.CIVIL_AFFAIRS_OFFICE, "青山镇民政办"),
        (OrganisationKind.POLICE_STATION, "青山派出所"),
        (OrganisationKind.EDUCATION_CENTRE, "青山镇教管中心"),
        (OrganisationKind.JUSTICE_OFFICE, "青山司法所"),
        (OrganisationKind.LABOUR_SECURITY_OFFICE, "青山劳保所"),
        (OrganisationKind.HEALTH_CENTRE, "青山镇卫生院"),
        (OrganisationKind.WOMENS_FEDERATION, "青山镇妇联"),
        (OrganisationKind.DISABLED_FEDERATION, "青山镇残联"),
    ]
    return {kind: organisation_create(kind=kind, name=name, region=tree.town_a) for kind, name in kinds}


@pytest.fixture
def groups(tree, town_orgs):
    return {g.track: g for g in cw.working_groups_ensure(region=tree.town_a)}


@pytest.fixture
def case(town_officer, minor_a1, groups):
    return cw.case_open(actor=town_officer, minor=minor_a1, note="学校报告长期缺课")


def _grade(actor, minor, codes):
    assessment_record(actor=actor, minor=minor, kind="RISK_LEVEL", indicator_codes=codes)


# --- working groups -------------------------------------------------------------------------------


def test_each_town_gets_its_six_groups_with_default_lead_departments(groups, town_orgs):
    assert len(groups) == 6
    assert groups["RESCUE_PROTECTION"].lead_organisation == town_orgs["CIVIL_AFFAIRS_OFFICE"]
    assert groups["JUDICIAL_PROTECTION"].lead_organisation == town_orgs["JUSTICE_OFFICE"]
    assert town_orgs["POLICE_STATION"] in groups["RESCUE_PROTECTION"].member_organisations.all()
    assert town_orgs["DISABLED_FEDERATION"] in groups["MEDICAL_PROTECTION"].member_organisations.all()


def test_ensuring_the_groups_twice_changes_nothing(tree, groups):
    cw.working_groups_ensure(region=tree.town_a)
    assert WorkingGroup.objects.filter(region=tree.town_a).count() == 6


def test_organisations_carry_the_capability_flags_of_their_kind(town_orgs):
    assert town_orgs["CIVIL_AFFAIRS_OFFICE"].flags == "RFA"
    assert town_orgs["POLICE_STATION"].flags == "FA"
    assert town_orgs["WOMENS_FEDERATION"].flags == "A"


# --- cases from grades ----------------------------------------------------------------------------


def test_grading_orange_or_red_opens_exactly_one_case(town_officer, minor_a1):
    _grade(town_officer, minor_a1, ["GUARDIAN_INCAPABLE"])
    assert Case.objects.filter(minor=minor_a1).count() == 1
    _grade(town_officer, minor_a1, ["ONGOING_VIOLENCE"])
    grade_set(actor=town_officer, minor=minor_a1, grade="ORANGE", reason="已转移至亲属家")
    assert Case.objects.filter(minor=minor_a1).count() == 1
    case = Case.objects.get(minor=minor_a1)
    assert case.origin == Case.Origin.GRADE and case.plan_due_at is not None


def test_yellow_and_blue_open_no_case(town_officer, minor_a1):
    _grade(town_officer, minor_a1, ["LEFT_BEHIND"])
    assert not Case.objects.filter(minor=minor_a1).exists()


def test_a_red_case_without_a_plan_after_24_hours_is_an_alert_until_a_measure_is_added(
    town_officer, town_leader, minor_a1, groups
):
    _grade(town_officer, minor_a1, ["ONGOING_VIOLENCE"])
    case = Case.objects.get(minor=minor_a1)
    casework_escalate(now=timezone.now() + timedelta(hours=23))
    assert not Alert.objects.filter(rule="RED_PLAN_MISSING").exists()
    casework_escalate(now=timezone.now() + timedelta(hours=25))
    assert Alert.objects.filter(
        rule="RED_PLAN_MISSING", subject_key=f"case:{case.pk}", resolved_at__isnull=True
    ).exists()
    assert Notification.objects.filter(user=town_leader, alert__rule="RED_PLAN_MISSING").exists()
    cw.measure_add(
        actor=town_officer, case=case, track="RESCUE_PROTECTION", title="安排临时照料", due_on=timezone.localdate()
    )
    casework_escalate(now=timezone.now() + timedelta(hours=26))
    assert not Alert.objects.filter(rule="RED_PLAN_MISSING", resolved_at__isnull=True).exists()


# --- plans and closing ------------------------------------------------------------------------------


def test_a_measure_goes_to_the_towns_group_for_its_track_and_moves_the_case_to_disposal(town_officer, case, groups):
    measure = cw.measure_add(
        actor=town_officer,
        case=case,
        track="EDUCATION_SUPPORT",
        title="劝返复学",
        due_on=timezone.localdate() + timedelta(days=14),
    )
    assert measure.group == groups["EDUCATION_SUPPORT"]
    case.refresh_from_db()
    assert case.stage == CaseStage.DISPOSAL_ASSISTANCE
    assert case.events.filter(kind=CaseEvent.Kind.MEASURE_ADDED).exists()


def test_a_case_with_an_open_measure_cannot_be_closed_and_the_refusal_names_it(town_officer, case):
    cw.measure_add(
        actor=town_officer,
        case=case,
        track="MEDICAL_PROTECTION",
        title="办理医疗救助",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    with pytest.raises(ValidationError) as excinfo:
        cw.case_request_closure(actor=town_officer, case=case, closing_assessment="情况稳定")
    assert "办理医疗救助" in excinfo.value.messages[0]
    assert excinfo.value.error_dict["measures"][0].code == "open_measures"


def test_cancelling_a_measure_needs_a_reason(town_officer, case):
    measure = cw.measure_add(
        actor=town_officer, case=case, track="SPIRITUAL_CARE", title="心理疏导", due_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        cw.measure_update(actor=town_officer, measure=measure, status="CANCELLED")
    cw.measure_update(actor=town_officer, measure=measure, status="CANCELLED", cancel_reason="家庭已迁出")
    measure.refresh_from_db()
    assert measure.status == "CANCELLED" and measure.completed_at is not None


def test_closing_needs_an_assessment_and_another_persons_approval(town_officer, office_head, town_leader, case):
    measure = cw.measure_add(
        actor=town_officer, case=case, track="RESCUE_PROTECTION", title="纳入低保", due_on=timezone.localdate()
    )
    cw.measure_update(actor=town_officer, measure=measure, status="DONE", outcome="已批准低保")
    with pytest.raises(ValidationError):
        cw.case_request_closure(actor=town_officer, case=case, closing_assessment=" ")
    closure = cw.case_request_closure(actor=town_officer, case=case, closing_assessment="监护到位，生活稳定")
    with pytest.raises(ActionNotAllowed):
        cw.case_decide_closure(actor=town_officer, closure=closure, approve=True)
    with pytest.raises(ValidationError):
        cw.case_decide_closure(actor=town_leader, closure=closure, approve=False)
    cw.case_decide_closure(actor=office_head, closure=closure, approve=True, note="同意结案")
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED and case.closed_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.CLOSED).exists()


def test_a_closed_case_can_be_reopened_and_that_is_recorded(town_officer, town_leader, case):
    closure = cw.case_request_closure(actor=town_officer, case=case, closing_assessment="无需继续帮扶")
    cw.case_decide_closure(actor=town_leader, closure=closure, approve=True)
    cw.case_reopen(actor=town_officer, case=case, reason="再次发现监护缺失")
    case.refresh_from_db()
    assert case.stage == CaseStage.REVIEW and case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_a_minor_has_at_most_one_open_case(town_officer, minor_a1, case):
    assert cw.case_open(actor=town_officer, minor=minor_a1) == case
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(minor=minor_a1, origin="MANUAL", opened_by=town_officer)


# --- intervention ladder ---------------------------------------------------------------------------------


def test_a_level_3_intervention_is_not_taken_without_the_town_leaders_approval(
    town_officer, town_leader, office_head, case
):
    intervention = cw.intervention_record(actor=town_officer, case=case, level=3, actor_name="镇民政办、派出所")
    assert intervention.status == InterventionStatus.PENDING_APPROVAL and intervention.taken_on is None
    with pytest.raises(ValidationError):
        cw.intervention_mark_taken(actor=town_officer, intervention=intervention)
    with pytest.raises(ActionNotAllowed):
        cw.intervention_decide(actor=office_head, intervention=intervention, approve=True)
    cw.intervention_decide(actor=town_leader, intervention=intervention, approve=True)
    taken = cw.intervention_mark_taken(actor=town_officer, intervention=intervention)
    assert taken.status == InterventionStatus.TAKEN and taken.approved_by == town_leader


def test_the_database_refuses_a_level_4_intervention_taken_without_approval(town_officer, case):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianshipIntervention.objects.create(
            case=case, level=4, action="支持起诉", actor="司法所", status="TAKEN", recorded_by=town_officer
        )


def test_a_failed_level_proposes_the_next(town_officer, case, minor_a1):
    guardian = minor_a1.guardians.first()
    first = cw.intervention_record(actor=town_officer, case=case, level=1, actor_name="村委会", guardian=guardian)
    assert (
        cw.intervention_record_outcome(actor=town_officer, intervention=first, succeeded=True, outcome="已改正") is None
    )
    second = cw.intervention_record(actor=town_officer, case=case, level=2, actor_name="派出所", guardian=guardian)
    proposal = cw.intervention_record_outcome(
        actor=town_officer, intervention=second, succeeded=False, outcome="拒不改正"
    )
    assert proposal.level == 3 and proposal.status == InterventionStatus.PENDING_APPROVAL
    assert proposal.follows == second and proposal.guardian == guardian


# --- placement routing ----------------------------------------------------------------------------


def test_placement_routes_by_household_registration(town_officer, tree):
    local = register_minor(actor=town_officer, region=tree.village_a1)
    elsewhere = register_minor(
        actor=town_officer, region=tree.village_a1, hukou_in_district=False, hukou_place="四川省广安市"
    )
    none = register_minor(
        actor=town_officer, region=tree.village_a1, hukou_type="NONE", id_number=None, no_id_reason="UNREGISTERED"
    )
    assert cw.placement_route(minor=local).route == "LOCAL"
    route = cw.placement_route(minor=elsewhere)
    assert route.route == "ORIGIN_GOVERNMENT" and "四川省广安市" in route.advice
    assert cw.placement_route(minor=none).route == "DISTRICT_BUREAU"
    assert "FAMILY_FOSTER" in cw.placement_route(minor=none).suggested_types


def test_a_new_placement_ends_the_current_one(town_officer, case):
    first = cw.placement_record(
        actor=town_officer, case=case, type="TEMPORARY_CARE", start_on=date(2026, 3, 1), institution_name="姑姑家"
    )
    cw.placement_record(
        actor=town_officer, case=case, type="FAMILY_FOSTER", start_on=date(2026, 4, 1), institution_name="寄养家庭"
    )
    first.refresh_from_db()
    assert first.end_on == date(2026, 4, 1)


# --- benefits -----------------------------------------------------------------------------------------


def test_the_rate_in_force_is_the_most_specific_and_latest(county_officer, town_officer, tree, minor_a1):
    from cases.models import BenefitProgramme

    dibao = BenefitProgramme.objects.get(code="DIBAO")
    cw.benefit_rate_set(
        actor=county_officer,
        programme=dibao,
        region=tree.county,
        monthly_amount=Decimal("620"),
        valid_from=date(2025, 1, 1),
    )
    cw.benefit_rate_set(
        actor=county_officer,
        programme=dibao,
        region=tree.county,
        monthly_amount=Decimal("650"),
        valid_from=date(2026, 1, 1),
    )
    enrolment = cw.benefit_apply(actor=town_officer, minor=minor_a1, programme=dibao)
    approved = cw.benefit_decide(actor=town_officer, enrolment=enrolment, approve=True, start_on=date(2026, 2, 1))
    assert approved.monthly_amount == Decimal("650.00")
    assert cw.benefit_rate_for(programme=dibao, region=tree.village_a1, on=date(2025, 6, 1)).monthly_amount == Decimal(
        "620.00"
    )


def test_a_monthly_benefit_without_a_configured_rate_cannot_be_approved(town_officer, minor_a1):
    from cases.models import BenefitProgramme

    enrolment = cw.benefit_apply(
        actor=town_officer, minor=minor_a1, programme=BenefitProgramme.objects.get(code="DIBAO")
    )
    with pytest.raises(ValidationError) as excinfo:
        cw.benefit_decide(actor=town_officer, enrolment=enrolment, approve=True)
    assert excinfo.value.error_dict["start_on"][0].code == "no_rate"


@pytest.mark.parametrize(
    ("code", "age", "categories", "hinted"),
    [
        ("VOCATIONAL_16PLUS", 15, ("LEFT_BEHIND",), True),
        ("VOCATIONAL_16PLUS", 16, ("LEFT_BEHIND",), False),
        ("ORPHAN_LIVING", 10, ("LEFT_BEHIND",), True),
        ("ORPHAN_LIVING", 10, ("ORPHAN",), False),
    ],
)
def test_eligibility_hints_come_from_age_and_categories(town_officer, tree, code, age, categories, hinted):
    from cases.models import BenefitProgramme

    minor = register_minor(
        actor=town_officer, region=tree.village_a1, categories=categories, birth_date=years_ago(age, days=10)
    )
    programme = BenefitProgramme.objects.get(code=code)
    assert bool(cw.benefit_eligibility_hints(minor=minor, programme=programme)) is hinted
    if hinted:
        with pytest.raises(ValidationError):
            cw.benefit_apply(actor=town_officer, minor=minor, programme=programme)
        assert cw.benefit_apply(
            actor=town_officer, minor=minor, programme=programme, accept_hints=True, note="经评估确有需要"
        ).pk


# --- alerts and scope -------------------------------------------------------------------------------


def test_overdue_measures_raise_one_alert_each_however_often_the_job_runs(town_officer, case, groups, tree):
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="justice_member")
    groups["JUDICIAL_PROTECTION"].members.add(member)
    first = cw.measure_add(
        actor=town_officer, case=case, track="JUDICIAL_PROTECTION", title="法律援助", due_on=timezone.localdate()
    )
    second = cw.measure_add(
        actor=town_officer, case=case, track="EDUCATION_SUPPORT", title="助学金", due_on=timezone.localdate()
    )
    later = timezone.now() + timedelta(days=3)
    for _ in range(3):
        casework_escalate(now=later)
    alerts = Alert.objects.filter(rule="MEASURE_OVERDUE")
    assert sorted(alerts.values_list("subject_key", flat=True)) == sorted(
        [f"measure:{first.pk}", f"measure:{second.pk}"]
    )
    assert Notification.objects.filter(user=member, alert__subject_key=f"measure:{first.pk}").count() == 1
    cw.measure_update(actor=member, measure=first, status="DONE", outcome="已指派律师")
    casework_escalate(now=later)
    assert list(alerts.filter(resolved_at__isnull=True).values_list("subject_key", flat=True)) == [
        f"measure:{second.pk}"
    ]


def test_a_group_member_of_one_town_sees_nothing_of_another_towns_cases(tree, outsider, town_officer, case, groups):
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="police_member")
    groups["RESCUE_PROTECTION"].members.add(member)
    other_minor = register_minor(actor=outsider, region=tree.village_b1)
    other_case = cw.case_open(actor=outsider, minor=other_minor)
    with pytest.raises(Http404):
        case_get(user=member, pk=other_case.pk)
    with pytest.raises(Http404):
        case_get(user=outsider, pk=case.pk)


def test_a_groups_open_measures_come_overdue_first(town_officer, case, groups):
    soon = cw.measure_add(
        actor=town_officer,
        case=case,
        track="RESCUE_PROTECTION",
        title="临时救助",
        due_on=timezone.localdate() + timedelta(days=1),
    )
    late = cw.measure_add(
        actor=town_officer, case=case, track="RESCUE_PROTECTION", title="低保", due_on=timezone.localdate()
    )
    from cases.models import Measure

    Measure.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    assert [m.pk for m in group_open_measures(group=groups["RESCUE_PROTECTION"])] == [late.pk, soon.pk]


def test_organisation_names_are_unique_within_a_region(tree, town_orgs):
    with pytest.raises(ValidationError):
        organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)
    assert Organisation.objects.filter(region=tree.town_a).count() == len(town_orgs)


def test_the_districts_groups_are_set_by_the_district_administrator_and_a_towns_by_its_office(
    county_officer, town_officer, tree
):
    district_group = cw.working_groups_ensure(region=tree.county)[0]
    town_group = cw.working_groups_ensure(region=tree.town_a)[0]
    assert cw.working_group_may_edit(user=county_officer, group=district_group)
    assert not cw.working_group_may_edit(user=town_officer, group=district_group)
    assert cw.working_group_may_edit(user=town_officer, group=town_group)
    assert not cw.working_group_may_edit(user=county_officer, group=town_group)
    cw.working_group_update(
        actor=county_officer,
        group=district_group,
        lead_organisation=None,
        member_organisations=[],
        members=[county_officer],
        duties="统筹",
    )
    assert list(district_group.members.all()) == [county_officer]


def test_closing_the_record_of_a_child_with_an_open_case_asks_the_office_to_close_the_case(
    town_officer, outsider, minor_a1, case
):
    from cases.models import Notification
    from cases.registry.services import minor_close

    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY")

    case.refresh_from_db()
    assert case.stage != "CLOSED"  # closing a case keeps its own assessment and approval
    told = Notification.objects.get(user=town_officer, url=f"/cases/{case.pk}/")
    assert told.title == "张三的档案已销档（迁出本辖区），其个案仍在办理，请评估后申请结案"
    assert not Notification.objects.filter(user=outsider).exists()

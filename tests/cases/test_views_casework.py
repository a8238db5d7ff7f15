"""Casework pages (issue 4 §6): the case board, the case page and its forms, working groups and approvals.
Scope (404 outside reach, for group members too), rights (403 on writes for read-only posts), refusals
shown with nothing changed, and bounded queries on the lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.casework import services as cw
from cases.models import (
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    GuardianshipIntervention,
    InterventionStatus,
    Measure,
    MeasureStatus,
)
from tests.factories import make_user, register_minor
from tiers.models import OrganisationKind
from tiers.roles import Role
from tiers.services import organisation_create

TODAY = timezone.localdate


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
        (OrganisationKind.HEALTH_CENTRE, "青山镇卫生院"),
        (OrganisationKind.WOMENS_FEDERATION, "青山镇妇联"),
    ]
    return {kind: organisation_create(kind=kind, name=name, region=tree.town_a) for kind, name in kinds}


@pytest.fixture
def groups(tree, town_orgs):
    return {g.track: g for g in cw.working_groups_ensure(region=tree.town_a)}


@pytest.fixture
def case(town_officer, minor_a1, groups):
    return cw.case_open(actor=town_officer, minor=minor_a1, note="学校报告长期缺课")


@pytest.fixture
def group_member(tree, groups):
    """A police officer (partner staff, no registry access) in town A's rescue group."""
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="police_member")
    groups["RESCUE_PROTECTION"].members.add(member)
    return member


@pytest.fixture
def other_case(tree, outsider):
    """A case of town B, with its own groups."""
    cw.working_groups_ensure(region=tree.town_b)
    minor = register_minor(actor=outsider, region=tree.village_b1, name="李四")
    return cw.case_open(actor=outsider, minor=minor)


def _measure(actor, case, *, track="RESCUE_PROTECTION", title="纳入低保", days=7):
    return cw.measure_add(actor=actor, case=case, track=track, title=title, due_on=TODAY() + timedelta(days=days))


def _overdue(measure, days=3):
    Measure.objects.filter(pk=measure.pk).update(due_on=TODAY() - timedelta(days=days))


def _url(name, *args):
    return reverse(name, args=args)


def _case_page(client, case) -> str:
    return client.get(_url("case_detail", case.pk)).content.decode()


# --- scope: 404 outside reach ------------------------------------------------------------------------


def _case_addresses(case, measure, intervention, placement, enrolment):
    pk = case.pk
    return {
        "get": [
            _url("case_detail", pk),
            _url("case_open", case.minor_id),
            _url("benefit_hints", pk),
        ],
        "post": [
            _url("case_stage", pk),
            _url("case_owner", pk),
            _url("measure_create", pk),
            _url("measure_progress", measure.pk),
            _url("intervention_create", pk),
            _url("intervention_decide", pk, intervention.pk),
            _url("intervention_taken", pk, intervention.pk),
            _url("intervention_outcome", pk, intervention.pk),
            _url("placement_create", pk),
            _url("placement_end", pk, placement.pk),
            _url("benefit_create", pk),
            _url("benefit_decide", pk, enrolment.pk),
            _url("benefit_end", pk, enrolment.pk),
            _url("closure_request", pk),
            _url("closure_decide", pk),
            _url("case_reopen", pk),
        ],
    }


@pytest.fixture
def full_case(town_officer, case):
    from cases.models import BenefitProgramme

    measure = _measure(town_officer, case)
    intervention = cw.intervention_record(actor=town_officer, case=case, level=3, actor_name="派出所")
    placement = cw.placement_record(actor=town_officer, case=case, type="TEMPORARY_CARE", start_on=TODAY())
    enrolment = cw.benefit_apply(
        actor=town_officer, minor=case.minor, case=case, programme=BenefitProgramme.objects.get(code="DIBAO")
    )
    return case, measure, intervention, placement, enrolment


def test_every_case_address_answers_404_to_another_towns_officer_and_the_neighbouring_director(
    client, outsider, neighbour_director, full_case
):
    addresses = _case_addresses(*full_case)
    for user in (outsider, neighbour_director):
        client.force_login(user)
        for url in addresses["get"]:
            assert client.get(url).status_code == 404, (user.username, url)
        for url in addresses["post"]:
            assert client.post(url, {}).status_code == 404, (user.username, url)
    assert CaseEvent.objects.filter(case=full_case[0], actor__in=[outsider, neighbour_director]).count() == 0


def test_a_member_of_one_towns_group_sees_nothing_of_another_towns_cases(client, group_member, other_case):
    other_measure = _measure(other_case.opened_by, other_case)
    other_group = other_measure.group
    client.force_login(group_member)

    assert client.get(_url("case_detail", other_case.pk)).status_code == 404
    assert client.get(_url("group_detail", other_group.pk)).status_code == 404
    assert client.post(_url("measure_progress", other_measure.pk), {}).status_code == 404
    assert "李四" not in client.get(_url("group_list")).content.decode()


def test_a_group_member_cannot_open_the_case_page_of_a_child_outside_their_reach(client, tree, groups, case):
    """A village director who sits in the town's group sees their group's measure, not the neighbour's case."""
    member = make_user(Role.CHILD_DIRECTOR, tree.village_a2, username="west_director")
    groups["RESCUE_PROTECTION"].members.add(member)
    measure = _measure(case.opened_by, case, title="安排临时照料")
    client.force_login(member)

    assert client.get(_url("case_detail", case.pk)).status_code == 404
    page = client.get(_url("group_detail", groups["RESCUE_PROTECTION"].pk)).content.decode()
    assert "安排临时照料" in page
    assert _url("case_detail", case.pk) not in page
    assert measure.pk


def test_group_pages_answer_404_to_an_outsider(client, outsider, groups):
    client.force_login(outsider)
    group = groups["RESCUE_PROTECTION"]
    assert client.get(_url("group_detail", group.pk)).status_code == 404
    assert client.get(_url("group_edit", group.pk)).status_code == 404
    assert client.post(_url("group_edit", group.pk), {}).status_code == 404


def test_the_board_lists_only_cases_in_reach(client, town_officer, case, other_case):
    client.force_login(town_officer)
    content = client.get(_url("case_board")).content.decode()
    assert _url("case_detail", case.pk) in content
    assert _url("case_detail", other_case.pk) not in content


# --- rights: 403 on writes for read-only posts --------------------------------------------------------


def test_read_only_posts_see_the_case_but_get_403_on_every_write(client, child_director, town_leader, full_case):
    case = full_case[0]
    addresses = _case_addresses(*full_case)["post"]
    # The town leader may approve interventions and closures; everything else is the office's.
    leader_may = {_url("intervention_decide", case.pk, full_case[2].pk), _url("closure_decide", case.pk)}
    events = CaseEvent.objects.filter(case=case).count()
    for user in (child_director, town_leader):
        client.force_login(user)
        page = client.get(_url("case_detail", case.pk))
        assert page.status_code == 200
        assert 'data-testid="measure-form"' not in page.content.decode()
        for url in addresses:
            if user == town_leader and url in leader_may:
                continue
            assert client.post(url, {}).status_code == 403, (user.username, url)
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_approvals_page_is_for_approvers_only(client, town_officer, child_director, partner_user):
    for user in (town_officer, child_director, partner_user):
        client.force_login(user)
        assert client.get(_url("case_approvals")).status_code == 403


def test_only_the_town_office_may_edit_a_working_group(client, town_leader, groups):
    client.force_login(town_leader)
    group = groups["EDUCATION_SUPPORT"]
    assert client.get(_url("group_detail", group.pk)).status_code == 200
    assert client.get(_url("group_edit", group.pk)).status_code == 403
    assert client.post(_url("group_edit", group.pk), {"duties": "改"}).status_code == 403


# --- the board ------------------------------------------------------------------------------------------


def test_the_board_filters_overdue_cases_and_counts_per_stage(client, town_officer, tree, case):
    late = _measure(town_officer, case)
    _overdue(late)
    quiet = cw.case_open(actor=town_officer, minor=register_minor(actor=town_officer, region=tree.village_a2))
    client.force_login(town_officer)

    response = client.get(_url("case_board"), {"overdue": "on"})

    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs[""] == 1 and tabs[CaseStage.DISPOSAL_ASSISTANCE] == 1
    everything = client.get(_url("case_board")).context
    assert {c.pk for c in everything["page"].object_list} == {case.pk, quiet.pk}
    assert "1 项逾期" in response.content.decode()


def test_the_board_query_count_does_not_grow_with_cases(
    client, town_officer, tree, groups, django_assert_max_num_queries
):
    for index in range(12):
        minor = register_minor(actor=town_officer, region=tree.village_a1 if index % 2 else tree.grid_a1)
        opened = cw.case_open(actor=town_officer, minor=minor)
        _measure(town_officer, opened)
    client.force_login(town_officer)
    # The eighth is the access log: one INSERT for the twelve children shown, however many there are.
    with django_assert_max_num_queries(8):
        response = client.get(_url("case_board"))
    assert len(response.context["page"].object_list) == 12


# --- the record page ------------------------------------------------------------------------------------


def test_the_record_page_links_to_the_open_case_or_offers_to_open_one(client, town_officer, child_director, minor_a1):
    client.force_login(town_officer)
    record = client.get(_url("minor_detail", minor_a1.pk)).content.decode()
    assert _url("case_open", minor_a1.pk) in record

    response = client.post(_url("case_open", minor_a1.pk), {"note": "邻居反映无人照料"})
    case = Case.objects.get(minor=minor_a1)
    assert response.status_code == 302 and response["Location"] == _url("case_detail", case.pk)
    assert case.origin == Case.Origin.MANUAL and case.owner == town_officer

    client.force_login(child_director)
    record = client.get(_url("minor_detail", minor_a1.pk)).content.decode()
    assert _url("case_detail", case.pk) in record
    assert _url("case_open", minor_a1.pk) not in record


# --- the plan -------------------------------------------------------------------------------------------


def test_adding_a_measure_puts_it_on_its_track_with_its_group(client, town_officer, case, groups):
    client.force_login(town_officer)
    response = client.post(
        _url("measure_create", case.pk),
        {
            "measure-track": "EDUCATION_SUPPORT",
            "measure-title": "劝返复学",
            "measure-due_on": (TODAY() + timedelta(days=10)).isoformat(),
            "measure-responsible_name": "王老师",
        },
        follow=True,
    )
    measure = Measure.objects.get(case=case)
    assert (measure.track, measure.group, measure.responsible_name) == (
        "EDUCATION_SUPPORT",
        groups["EDUCATION_SUPPORT"],
        "王老师",
    )
    content = response.content.decode()
    assert "已添加措施：劝返复学。" in content
    track = response.context["tracks"][1]
    assert track["value"] == "EDUCATION_SUPPORT" and [m.pk for m in track["measures"]] == [measure.pk]


def test_a_measure_due_in_the_past_is_refused_on_the_form(client, town_officer, case):
    client.force_login(town_officer)
    response = client.post(
        _url("measure_create", case.pk),
        {"measure-track": "MEDICAL_PROTECTION", "measure-title": "体检", "measure-due_on": "2020-01-01"},
    )
    assert response.status_code == 200
    assert "完成时限不能早于今天。" in response.content.decode()
    assert not Measure.objects.exists()


def test_cancelling_a_measure_without_a_reason_is_refused(client, town_officer, case):
    measure = _measure(town_officer, case)
    client.force_login(town_officer)
    prefix = f"measure-{measure.pk}"
    response = client.post(_url("measure_progress", measure.pk), {f"{prefix}-status": "CANCELLED"})
    assert response.status_code == 200
    assert "取消措施须写明理由。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED


def test_overdue_measures_are_highlighted_on_the_case_page(client, town_officer, case):
    _overdue(_measure(town_officer, case, title="办理医疗救助", track="MEDICAL_PROTECTION"))
    client.force_login(town_officer)
    content = _case_page(client, case)
    assert "measure-overdue" in content and "已逾期" in content


# --- closing --------------------------------------------------------------------------------------------


def test_closing_with_an_open_measure_shows_the_refusal_and_nothing_changes(client, town_officer, case):
    _measure(town_officer, case, title="办理医疗救助", track="MEDICAL_PROTECTION")
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(town_officer)

    response = client.post(_url("closure_request", case.pk), {"closure-closing_assessment": "情况稳定"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="closure-refused"' in content
    assert "还有未完成的措施，不能结案：办理医疗救助。" in content
    assert not CaseClosure.objects.exists()
    case.refresh_from_db()
    assert case.stage != CaseStage.CLOSED
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_pending_closure_shows_approval_buttons_to_approvers_but_not_to_the_requester(
    client, town_officer, office_head, town_leader, case
):
    closure = cw.case_request_closure(actor=office_head, case=case, closing_assessment="监护到位")

    client.force_login(office_head)
    assert 'data-testid="closure-decide"' not in _case_page(client, case)
    client.force_login(town_officer)
    assert 'data-testid="closure-decide"' not in _case_page(client, case)
    client.force_login(town_leader)
    assert 'data-testid="closure-decide"' in _case_page(client, case)

    client.post(_url("closure_decide", case.pk), {"closure-decide-decision": "approve"})
    closure.refresh_from_db()
    case.refresh_from_db()
    assert closure.status == CaseClosure.Status.APPROVED and case.stage == CaseStage.CLOSED


def test_returning_a_closure_needs_a_reason(client, town_officer, town_leader, case):
    cw.case_request_closure(actor=town_officer, case=case, closing_assessment="监护到位")
    client.force_login(town_leader)
    response = client.post(_url("closure_decide", case.pk), {"closure-decide-decision": "refuse"})
    assert response.status_code == 200
    assert "退回结案申请须写明理由。" in response.content.decode()
    assert CaseClosure.objects.get().status == CaseClosure.Status.PENDING


def test_a_closed_case_can_be_reopened_from_its_page(client, town_officer, town_leader, case):
    closure = cw.case_request_closure(actor=town_officer, case=case, closing_assessment="无需继续帮扶")
    cw.case_decide_closure(actor=town_leader, closure=closure, approve=True)
    client.force_login(town_officer)
    assert _url("case_reopen", case.pk) in _case_page(client, case)
    client.post(_url("case_reopen", case.pk), {"reopen-reason": "再次发现监护缺失"})
    case.refresh_from_db()
    assert case.stage == CaseStage.REVIEW


# --- interventions --------------------------------------------------------------------------------------


def test_a_level_3_intervention_awaits_approval_and_only_the_town_leader_sees_the_buttons(
    client, town_officer, office_head, town_leader, case
):
    client.force_login(town_officer)
    client.post(
        _url("intervention_create", case.pk),
        {"intervention-level": "3", "intervention-actor_name": "镇民政办、派出所", "intervention-action": ""},
    )
    intervention = GuardianshipIntervention.objects.get()
    assert intervention.status == InterventionStatus.PENDING_APPROVAL
    assert intervention.action == str(cw.LADDER_ACTIONS[3])

    for user in (town_officer, office_head):
        client.force_login(user)
        content = _case_page(client, case)
        assert 'data-testid="awaiting-approval"' in content
        assert 'data-testid="intervention-decide"' not in content
    client.force_login(town_leader)
    content = _case_page(client, case)
    assert 'data-testid="intervention-decide"' in content
    approvals = client.get(_url("case_approvals")).content.decode()
    assert f"#intervention-{intervention.pk}" in approvals

    client.post(
        _url("intervention_decide", case.pk, intervention.pk),
        {f"intervention-{intervention.pk}-decide-decision": "approve"},
    )
    intervention.refresh_from_db()
    assert intervention.status == InterventionStatus.APPROVED and intervention.approved_by == town_leader


def test_an_office_head_gets_403_approving_an_intervention(client, town_officer, office_head, case):
    intervention = cw.intervention_record(actor=town_officer, case=case, level=4, actor_name="司法所")
    client.force_login(office_head)
    url = _url("intervention_decide", case.pk, intervention.pk)
    assert client.post(url, {f"intervention-{intervention.pk}-decide-decision": "approve"}).status_code == 403
    intervention.refresh_from_db()
    assert intervention.status == InterventionStatus.PENDING_APPROVAL


def test_a_failed_intervention_shows_the_proposed_next_level(client, town_officer, case):
    first = cw.intervention_record(actor=town_officer, case=case, level=1, actor_name="村委会")
    client.force_login(town_officer)
    prefix = f"intervention-{first.pk}-outcome"
    response = client.post(
        _url("intervention_outcome", case.pk, first.pk),
        {f"{prefix}-succeeded": "0", f"{prefix}-outcome": "拒不改正"},
        follow=True,
    )
    content = response.content.decode()
    assert "干预无效，已建议2级 公安训诫、责令改正。" in content
    assert "本级干预无效，已建议下一级：2级 公安训诫、责令改正" in content


# --- placement and benefits -----------------------------------------------------------------------------


def test_the_placement_route_is_shown_for_a_child_registered_elsewhere(client, town_officer, tree, groups):
    minor = register_minor(
        actor=town_officer, region=tree.village_a1, hukou_in_district=False, hukou_place="四川省广安市"
    )
    case = cw.case_open(actor=town_officer, minor=minor)
    client.force_login(town_officer)
    content = _case_page(client, case)
    assert "户籍在外地（四川省广安市）：联系户籍地政府安置。" in content


def test_applying_for_a_programme_with_hints_needs_the_confirmation_and_a_note(client, town_officer, case):
    from cases.models import BenefitEnrolment, BenefitProgramme

    programme = BenefitProgramme.objects.get(code="VOCATIONAL_16PLUS")
    client.force_login(town_officer)
    hints = client.get(_url("benefit_hints", case.pk), {"benefit-programme": programme.pk}).content.decode()
    assert "从16周岁起" in hints and "benefit-accept_hints" in hints

    data = {"benefit-programme": programme.pk, "benefit-applied_on": TODAY().isoformat()}
    refused = client.post(_url("benefit_create", case.pk), data)
    assert refused.status_code == 200 and "如确需申请，请勾选确认并写明理由。" in refused.content.decode()
    assert not BenefitEnrolment.objects.exists()

    client.post(_url("benefit_create", case.pk), {**data, "benefit-accept_hints": "on", "benefit-note": "家庭确有需要"})
    assert BenefitEnrolment.objects.get().programme == programme


# --- working groups -------------------------------------------------------------------------------------


def test_the_group_page_lists_overdue_measures_first(client, town_officer, case, groups):
    soon = _measure(town_officer, case, title="临时救助", days=1)
    late = _measure(town_officer, case, title="低保", days=5)
    _overdue(late)
    client.force_login(town_officer)
    response = client.get(_url("group_detail", groups["RESCUE_PROTECTION"].pk))
    assert [m.pk for m in response.context["measures"]] == [late.pk, soon.pk]
    content = response.content.decode()
    assert content.index("低保") < content.index("临时救助")
    assert "已逾期 3 天" in content


def test_a_partner_member_updates_their_groups_measure_on_the_group_page(
    client, town_officer, group_member, case, groups
):
    measure = _measure(town_officer, case)
    client.force_login(group_member)
    group_url = _url("group_detail", groups["RESCUE_PROTECTION"].pk)
    assert f'data-testid="measure-progress-{measure.pk}"' in client.get(group_url).content.decode()
    assert client.get(_url("case_detail", case.pk)).status_code == 404

    prefix = f"measure-{measure.pk}"
    response = client.post(
        _url("measure_progress", measure.pk),
        {f"{prefix}-status": "DONE", f"{prefix}-outcome": "已纳入低保", f"{prefix}-back": "group"},
    )
    assert response.status_code == 302 and response["Location"].startswith(group_url)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE


def test_a_partner_who_is_not_in_the_group_gets_404_on_its_measures(client, town_officer, partner_user, case):
    measure = _measure(town_officer, case)
    client.force_login(partner_user)
    assert client.post(_url("measure_progress", measure.pk), {}).status_code == 404


def test_the_town_office_edits_a_groups_departments_and_members(client, town_officer, tree, groups, town_orgs):
    member = make_user(Role.PARTNER_STAFF, tree.town_a, username="judge")
    group = groups["JUDICIAL_PROTECTION"]
    client.force_login(town_officer)
    response = client.post(
        _url("group_edit", group.pk),
        {
            "lead_organisation": town_orgs["JUSTICE_OFFICE"].pk,
            "member_organisations": [town_orgs["POLICE_STATION"].pk, town_orgs["WOMENS_FEDERATION"].pk],
            "members": [member.pk],
            "duties": "法律援助、社区矫正",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.duties == "法律援助、社区矫正"
    assert set(group.member_organisations.all()) == {town_orgs["POLICE_STATION"], town_orgs["WOMENS_FEDERATION"]}
    assert list(group.members.all()) == [member]


def test_a_town_without_groups_can_set_them_up(client, town_officer, tree):
    from cases.models import WorkingGroup

    client.force_login(town_officer)
    assert 'data-testid="groups-missing"' in client.get(_url("group_list")).content.decode()
    client.post(_url("groups_ensure"), {"region": tree.town_a.pk})
    assert WorkingGroup.objects.filter(region=tree.town_a).count() == 6


def test_the_group_page_query_count_does_not_grow_with_measures(
    client, town_officer, group_member, tree, groups, django_assert_max_num_queries
):
    for index in range(10):
        minor = register_minor(actor=town_officer, region=tree.village_a1 if index % 2 else tree.village_a2)
        opened = cw.case_open(actor=town_officer, minor=minor)
        _measure(town_officer, opened, days=index + 1)
    for user in (town_officer, group_member):
        client.force_login(user)
        # The tenth is the access log: one INSERT for the ten children shown.
        with django_assert_max_num_queries(10):
            response = client.get(_url("group_detail", groups["RESCUE_PROTECTION"].pk))
        assert len(response.context["measures"]) == 10


def test_the_case_page_query_count_does_not_grow_with_its_rows(
    client, town_officer, case, django_assert_max_num_queries
):
    for index in range(6):
        measure = _measure(town_officer, case, track=["RESCUE_PROTECTION", "MEDICAL_PROTECTION"][index % 2], days=index)
        if index % 3 == 0:
            cw.measure_update(actor=town_officer, measure=measure, status="IN_PROGRESS", outcome="已联系")
    for level in (0, 1, 3):
        cw.intervention_record(actor=town_officer, case=case, level=level, actor_name="村委会")
    cw.placement_record(actor=town_officer, case=case, type="TEMPORARY_CARE", start_on=TODAY() - timedelta(days=9))
    cw.placement_record(actor=town_officer, case=case, type="FAMILY_FOSTER", start_on=TODAY())
    client.force_login(town_officer)
    with django_assert_max_num_queries(24):
        response = client.get(_url("case_detail", case.pk))
    assert len(response.context["interventions"]) == 3 and response.context["measure_count"] == 6


# --- navigation -----------------------------------------------------------------------------------------


def test_the_navigation_shows_approvals_with_a_count_to_approvers(client, town_officer, town_leader, case):
    cw.case_request_closure(actor=town_officer, case=case, closing_assessment="监护到位")
    client.force_login(town_leader)
    content = client.get(_url("home")).content.decode()
    assert 'data-testid="nav-approvals"' in content and "1<span" in content
    client.force_login(town_officer)
    assert 'data-testid="nav-approvals"' not in client.get(_url("home")).content.decode()

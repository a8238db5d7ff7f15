"""A move hands everything over in one transaction; a move to another county is a request the receiving
county accepts (issue 10 §5; domain.md §1.3 T-5).

Personas: in county 1 (示范县) the child director of 东岭村 and the office of 青山镇 (the old place), the
police station of 青山镇 with one officer (the old partner department), the office and a child director
of 白水镇/河口村 (the new place within the county), the county's civil-affairs post; in county 2 (邻县)
the office of 松林镇 and the county's civil-affairs post, who accepts moves into it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.casework import services as cw
from cases.casework.services.alerts import casework_escalate
from cases.models import Alert, CaseEvent, Measure, MinorEvent, Notification, Track, WorkingGroup
from cases.models.privacy import MoveRequest, MoveRequestStatus
from cases.privacy.moves import services as moves
from cases.registry.services import minor_move
from referrals.models import ReferralStatus
from referrals.referrals.services import lifecycle as rl
from screening.models import VisitPlan
from screening.visits.services.plan import visit_plan_refresh
from tests.factories import make_user
from tiers import grants
from tiers.errors import ActionNotAllowed
from tiers.models import OrganisationKind
from tiers.roles import Level, Role
from tiers.services import organisation_create, post_assign, region_create


@pytest.fixture
def county_2(tree):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    town = region_create(code="330522100000", name="松林镇", level=Level.TOWN, parent=county)
    village = region_create(code="330522100201", name="松林村", level=Level.VILLAGE, parent=town)
    return {"county": county, "town": town, "village": village}


@pytest.fixture
def new_office(tree):
    return make_user(Role.TOWN_OFFICE, tree.town_b, username="baishui_office")


@pytest.fixture
def new_director(tree):
    return make_user(Role.CHILD_DIRECTOR, tree.village_b1, username="hekou_director")


@pytest.fixture
def far_office(county_2):
    return make_user(Role.TOWN_OFFICE, county_2["town"], username="songlin_office")


@pytest.fixture
def far_county_officer(county_2):
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, county_2["county"], username="linxian_civil_affairs")


@pytest.fixture
def police(tree):
    return organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)


@pytest.fixture
def police_officer(tree, police):
    user = make_user(username="police_officer")
    post_assign(user=user, region=tree.town_a, role=Role.PARTNER_STAFF, organisation=police)
    return user


@pytest.fixture
def handed(tree, clock, town_officer, child_director, minor_a1, police, police_officer):
    """张三 of 东岭村 with an open case owned by the 青山镇 office, a measure with the town's education group
    (the police officer is a member of it), an overdue-measure alert, a visit plan and a referral sent to
    the police station."""
    clock("2026-03-02", 9)
    cw.working_groups_ensure(region=tree.town_a)
    cw.working_groups_ensure(region=tree.town_b)
    group_a = WorkingGroup.objects.get(region=tree.town_a, track=Track.EDUCATION_SUPPORT)
    cw.working_group_update(
        actor=town_officer, group=group_a, lead_organisation=None, member_organisations=[], members=[police_officer]
    )
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="辍学")
    measure = cw.measure_add(
        actor=town_officer,
        case=case,
        track=Track.EDUCATION_SUPPORT,
        title="联系学校复学",
        due_on=timezone.localdate() + timedelta(days=3),
        responsible_user=town_officer,
    )
    referral = rl.referral_create(actor=town_officer, case=case, organisation=police, reason="请核查家庭情况")
    referral = rl.referral_send(actor=town_officer, referral=referral)
    clock("2026-03-10", 9)
    casework_escalate()
    visit_plan_refresh(minor_ids=[minor_a1.pk])
    return {"case": case, "measure": measure, "referral": referral, "group_a": group_a}


# --- within the county: the hand-over --------------------------------------------------------------


def test_a_move_re_scopes_the_childs_alerts_and_updates_the_visit_plan_at_once(tree, town_officer, minor_a1, handed):
    alert = Alert.objects.get(minor=minor_a1, rule="MEASURE_OVERDUE")
    assert alert.region == tree.village_a1

    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    alert.refresh_from_db()
    assert alert.region == tree.village_b1
    assert VisitPlan.objects.get(minor=minor_a1).region_path == tree.village_b1.path


def test_the_open_measures_go_to_the_new_towns_group_of_the_same_track(tree, town_officer, minor_a1, handed):
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    measure = Measure.objects.get(pk=handed["measure"].pk)
    assert measure.group.region == tree.town_b and measure.group.track == Track.EDUCATION_SUPPORT
    # The old town's officer cannot see the child any more, so is no longer responsible.
    assert measure.responsible_user is None
    changed = CaseEvent.objects.filter(case=handed["case"], kind=CaseEvent.Kind.MEASURE_CHANGED).get()
    assert {c["field"] for c in changed.changes} == {"group", "responsible_user"}


def test_the_old_towns_owner_is_removed_and_the_new_town_office_is_told(
    tree, town_officer, new_office, minor_a1, handed
):
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    case = handed["case"]
    case.refresh_from_db()
    assert case.owner is None
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.OWNER_CHANGED).exists()
    assert Notification.objects.filter(user=new_office, url=reverse("case_detail", args=[case.pk])).exists()


def test_a_move_within_the_town_keeps_the_owner_and_the_group(tree, town_officer, minor_a1, handed):
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_a2)

    handed["case"].refresh_from_db()
    assert handed["case"].owner == town_officer
    assert Measure.objects.get(pk=handed["measure"].pk).group == handed["group_a"]


def test_a_referral_to_an_old_town_department_is_revoked_with_the_move_as_reason(
    tree, child_director, police_officer, minor_a1, handed
):
    # A child director may move the record without holding the case-work capability.
    minor_move(actor=child_director, minor=minor_a1, region=tree.village_b1)

    referral = handed["referral"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    assert referral.events.filter(kind=rl.EventKind.REVOKED, note="儿童迁出").exists()
    assert not grants.is_granted(user=police_officer, obj=referral)


def test_notifications_about_the_child_leave_the_inboxes_of_those_who_no_longer_see_it(
    tree, town_officer, new_office, police_officer, minor_a1, handed
):
    alert = Alert.objects.get(minor=minor_a1, rule="MEASURE_OVERDUE")
    assert Notification.objects.filter(alert=alert, user=town_officer).exists()
    assert Notification.objects.filter(alert=alert, user=police_officer).exists()

    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    assert not Notification.objects.filter(alert=alert, user__in=[town_officer, police_officer]).exists()
    assert Notification.objects.filter(alert=alert, user=new_office).exists()


def test_nothing_is_half_done_when_the_move_is_refused(tree, town_leader, minor_a1, handed):
    with pytest.raises(ActionNotAllowed):
        minor_move(actor=town_leader, minor=minor_a1, region=tree.village_b1)

    assert Alert.objects.get(minor=minor_a1, rule="MEASURE_OVERDUE").region == tree.village_a1
    assert VisitPlan.objects.get(minor=minor_a1).region_path == tree.village_a1.path


# --- who sees what after the move: pages and API -------------------------------------------------------


OLD_PERSONAS = ["child_director", "town_officer", "police_officer"]


def _old_persona(request, name):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("persona", OLD_PERSONAS)
def test_the_old_village_town_and_department_see_nothing_of_the_child_after_the_move(
    request, client, api_client_for, tree, town_officer, minor_a1, handed, persona
):
    user = _old_persona(request, persona)
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)
    case, measure, referral = handed["case"], handed["measure"], handed["referral"]

    client.force_login(user)
    # Staff of the old place get 404; the partner, who never held the registry, 403 on registry pages.
    registry_refusal = (403, 404) if persona == "police_officer" else (404,)
    for url in (reverse("minor_detail", args=[minor_a1.pk]), reverse("case_detail", args=[case.pk])):
        assert client.get(url).status_code in registry_refusal, url
    assert client.get(reverse("referral_detail", args=[referral.pk])).status_code == 404
    for url in (reverse("alert_list"), reverse("visit_worklist"), reverse("notification_list")):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert minor_a1.name not in response.content.decode(), url
    api = api_client_for(user)
    for url in (
        f"/api/v1/minors/{minor_a1.pk}/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/measures/{measure.pk}/",
        f"/api/v1/referrals/{referral.pk}/",
    ):
        assert api.get(url).status_code in (403, 404), url
    for url in ("/api/v1/alerts/", "/api/v1/measures/", "/api/v1/referrals/", "/api/v1/cases/", "/api/v1/minors/"):
        response = api.get(url)
        assert response.status_code in (200, 403), url
        assert minor_a1.name not in response.content.decode(), url


def test_the_police_officer_saw_the_child_before_the_move(api_client_for, police_officer, minor_a1, handed):
    """The control for the test above: the old department did see the referral and the measure."""
    api = api_client_for(police_officer)

    assert api.get(f"/api/v1/referrals/{handed['referral'].pk}/").status_code == 200
    assert api.get(f"/api/v1/measures/{handed['measure'].pk}/").status_code == 200


def test_the_new_towns_staff_see_it_all_after_the_move(
    client, api_client_for, tree, town_officer, new_office, new_director, minor_a1, handed
):
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    client.force_login(new_office)
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 200
    assert client.get(reverse("case_detail", args=[handed["case"].pk])).status_code == 200
    assert minor_a1.name in client.get(reverse("alert_list")).content.decode()
    api = api_client_for(new_director)
    assert minor_a1.name in api.get("/api/v1/alerts/").content.decode()
    assert api.get(f"/api/v1/measures/{handed['measure'].pk}/").status_code == 200


# --- to another county: a request ---------------------------------------------------------------------


def test_a_move_to_another_county_is_refused_without_a_request(town_officer, minor_a1, county_2):
    with pytest.raises(ValidationError) as caught:
        minor_move(actor=town_officer, minor=minor_a1, region=county_2["village"])

    assert caught.value.error_dict["region"][0].code == "needs_acceptance"


def test_until_accepted_a_move_request_changes_nothing(
    tree, town_officer, far_county_officer, minor_a1, county_2, handed
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"], note="随父")

    minor_a1.refresh_from_db()
    assert request.status == MoveRequestStatus.PENDING
    assert minor_a1.region == tree.village_a1
    assert MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.MOVE_REQUESTED).exists()
    assert not MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.MOVED).exists()
    assert Notification.objects.filter(user=far_county_officer).exists()


def test_the_receiving_county_accepts_and_the_whole_hand_over_runs(
    client, tree, town_officer, far_county_officer, far_office, minor_a1, county_2, handed
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])

    moves.move_request_accept(actor=far_county_officer, move_request=request)

    minor_a1.refresh_from_db()
    assert minor_a1.region == county_2["village"]
    kinds = list(MinorEvent.objects.filter(minor=minor_a1).values_list("kind", flat=True))
    assert MinorEvent.Kind.MOVE_DECIDED in kinds and MinorEvent.Kind.MOVED in kinds
    assert VisitPlan.objects.get(minor=minor_a1).region_path == county_2["village"].path
    client.force_login(town_officer)
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 404
    assert client.get(reverse("privacy_moves_detail", args=[request.pk])).status_code == 404
    client.force_login(far_office)
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 200


def test_a_measure_the_new_town_has_no_group_for_is_flagged_for_its_office(
    town_officer, far_county_officer, far_office, minor_a1, county_2, handed
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])
    moves.move_request_accept(actor=far_county_officer, move_request=request)

    measure = Measure.objects.get(pk=handed["measure"].pk)
    assert measure.group is None
    flag = Alert.objects.get(rule=moves.UNASSIGNED_RULE, minor=minor_a1, resolved_at__isnull=True)
    assert flag.region == county_2["village"]
    assert "迁入儿童的措施待分配" in flag.message
    assert Notification.objects.filter(user=far_office, alert=flag).exists()

    group = cw.working_groups_ensure(region=county_2["town"])[1]
    assert group.track == Track.EDUCATION_SUPPORT
    moves.moved_measure_assign(actor=far_office, measure=measure, group=group)

    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert Measure.objects.get(pk=measure.pk).group == group


def test_only_the_receiving_county_may_accept_or_decline(town_officer, county_officer, far_office, minor_a1, county_2):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])

    for actor in (county_officer, far_office, town_officer):
        with pytest.raises(ActionNotAllowed):
            moves.move_request_accept(actor=actor, move_request=request)
        with pytest.raises(ActionNotAllowed):
            moves.move_request_decline(actor=actor, move_request=request, reason="不接收")


def test_a_decline_needs_a_reason_and_leaves_the_child_where_it_is(
    tree, town_officer, far_county_officer, minor_a1, county_2
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])

    with pytest.raises(ValidationError):
        moves.move_request_decline(actor=far_county_officer, move_request=request, reason=" ")
    moves.move_request_decline(actor=far_county_officer, move_request=request, reason="地址不在本县")

    request.refresh_from_db()
    minor_a1.refresh_from_db()
    assert request.status == MoveRequestStatus.DECLINED and request.decision_note == "地址不在本县"
    assert minor_a1.region == tree.village_a1


def test_the_sending_town_may_cancel_and_the_receiving_county_may_not(
    town_officer, far_county_officer, minor_a1, county_2
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])

    with pytest.raises(ActionNotAllowed):
        moves.move_request_cancel(actor=far_county_officer, move_request=request)
    moves.move_request_cancel(actor=town_officer, move_request=request, reason="不搬了")

    request.refresh_from_db()
    assert request.status == MoveRequestStatus.CANCELLED
    with pytest.raises(ValidationError):
        moves.move_request_accept(actor=far_county_officer, move_request=request)


def test_a_move_within_the_county_waits_while_a_request_is_pending(tree, town_officer, minor_a1, county_2):
    moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])

    with pytest.raises(ValidationError) as caught:
        minor_move(actor=town_officer, minor=minor_a1, region=tree.village_a2)

    assert caught.value.error_dict["region"][0].code == "pending_request"


# --- pages and API of move requests -------------------------------------------------------------------


def test_the_move_form_offers_other_counties_and_says_they_need_acceptance(client, town_officer, minor_a1, county_2):
    client.force_login(town_officer)

    response = client.get(reverse("minor_move", args=[minor_a1.pk]))

    field = response.context["form"].fields["region"]
    assert county_2["village"] in set(field.queryset)
    assert "须迁入地接收" in field.label_from_instance(county_2["village"])
    assert "须经迁入地区县民政部门接收" in response.content.decode()


def test_the_move_form_to_another_county_files_a_request(client, tree, town_officer, minor_a1, county_2):
    client.force_login(town_officer)

    response = client.post(reverse("minor_move", args=[minor_a1.pk]), {"region": county_2["village"].pk})

    request = MoveRequest.objects.get(minor=minor_a1)
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy_moves_detail", args=[request.pk])
    minor_a1.refresh_from_db()
    assert minor_a1.region == tree.village_a1


def test_the_receiving_county_sees_the_pending_request_and_accepts_it_on_the_page(
    client, town_officer, far_county_officer, county_officer, minor_a1, county_2
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])
    client.force_login(far_county_officer)

    listing = client.get(reverse("privacy_moves_list")).content.decode()
    response = client.post(reverse("privacy_moves_detail", args=[request.pk]), {"decision": "accept"})

    assert minor_a1.name in listing
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MoveRequestStatus.ACCEPTED
    # The sending county's own civil-affairs post was never asked to decide it.
    client.force_login(county_officer)
    assert client.get(reverse("privacy_moves_detail", args=[request.pk])).status_code == 404


def test_an_outsider_gets_404_on_a_move_request(client, api_client_for, town_officer, far_office, minor_a1, county_2):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])
    client.force_login(far_office)

    assert client.get(reverse("privacy_moves_detail", args=[request.pk])).status_code == 404
    assert api_client_for(far_office).get(f"/api/v1/move-requests/{request.pk}/").status_code == 404
    assert minor_a1.name not in client.get(reverse("privacy_moves_list")).content.decode()


def test_api_move_to_another_county_answers_202_with_the_request(
    api_client_for, tree, town_officer, far_county_officer, minor_a1, county_2
):
    api = api_client_for(town_officer)

    response = api.post(f"/api/v1/minors/{minor_a1.pk}/move/", {"region": county_2["village"].pk}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "PENDING" and body["to_region"] == county_2["village"].pk
    minor_a1.refresh_from_db()
    assert minor_a1.region == tree.village_a1
    # The sender sees its request but may not decide it: 403 with the reason (tiers.errors.ActionNotAllowed).
    self_accepted = api.post(f"/api/v1/move-requests/{body['id']}/accept/", {}, format="json")
    assert self_accepted.status_code == 403
    assert self_accepted.json()["errors"][0]["detail"] == "您的岗位无权处理该迁移申请。"
    receiving = api_client_for(far_county_officer)
    assert [r["id"] for r in receiving.get("/api/v1/move-requests/").json()["results"]] == [body["id"]]
    declined = receiving.post(f"/api/v1/move-requests/{body['id']}/decline/", {"reason": ""}, format="json")
    assert declined.status_code == 400
    assert declined.json()["errors"][0]["attr"] == "reason"
    accepted = receiving.post(f"/api/v1/move-requests/{body['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "ACCEPTED"
    minor_a1.refresh_from_db()
    assert minor_a1.region == county_2["village"]


def test_the_record_page_shows_the_pending_request(client, town_officer, minor_a1, county_2):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])
    client.force_login(town_officer)

    content = client.get(reverse("minor_detail", args=[minor_a1.pk])).content.decode()

    assert reverse("privacy_moves_detail", args=[request.pk]) in content


def test_the_new_town_office_assigns_a_flagged_measure_on_its_page(
    client, town_officer, far_county_officer, far_office, minor_a1, county_2, handed
):
    request = moves.move_request_create(actor=town_officer, minor=minor_a1, region=county_2["village"])
    moves.move_request_accept(actor=far_county_officer, move_request=request)
    measure = handed["measure"]
    flag = Alert.objects.get(rule=moves.UNASSIGNED_RULE, minor=minor_a1)
    group = cw.working_groups_ensure(region=county_2["town"])[1]
    url = reverse("privacy_moves_measure_assign", args=[measure.pk])
    client.force_login(town_officer)
    assert client.get(url).status_code == 404
    client.force_login(far_office)

    assert client.get(url).status_code == 200
    response = client.post(url, {"group": group.pk})

    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).group == group
    flag.refresh_from_db()
    assert flag.resolved_at is not None

"""Sealing as a workflow (issue 10 §3; domain.md §13): the town office head seals a record with a reason (and
optionally a court's notice) and unseals it; from then on only the town office roles of its town and the
county civil-affairs post see the child. Partners (referrals, working-group pages, the measures API, overdue
alerts), village staff and figures-only logins do not; a working group shows the sealed child as a reference.
Everything is set up through the services a click calls; two towns, partner and leadership personas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.alerts.selectors import alert_list
from cases.casework import services as cw
from cases.casework.selectors import case_list
from cases.casework.services.alerts import casework_escalate
from cases.models import MinorEvent, Notification
from cases.privacy.sealing.services import minor_seal, minor_unseal
from cases.registry.selectors import minor_list
from referrals.referrals.services import lifecycle as rl
from tests.factories import make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.models import OrganisationKind
from tiers.roles import Role
from tiers.services import organisation_create, post_assign

REASON = "法院通知：犯罪记录封存"


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def office_head_b(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_b, username="office_head_b")


@pytest.fixture
def police(tree):
    return organisation_create(kind=OrganisationKind.POLICE_STATION, name="青山派出所", region=tree.town_a)


@pytest.fixture
def police_officer(tree, police):
    """Partner staff of town A's police station (no registry access)."""
    user = make_user(username="police_officer")
    post_assign(user=user, region=tree.town_a, role=Role.PARTNER_STAFF, organisation=police)
    return user


@pytest.fixture
def groups(tree, police, town_officer, police_officer):
    groups = {g.track: g for g in cw.working_groups_ensure(region=tree.town_a)}
    rescue = groups["RESCUE_PROTECTION"]
    cw.working_group_update(
        actor=town_officer,
        group=rescue,
        lead_organisation=rescue.lead_organisation,
        member_organisations=list(rescue.member_organisations.all()),
        members=[police_officer],
        duties=rescue.duties,
    )
    return groups


@pytest.fixture
def case(town_officer, minor_a1, groups):
    return cw.case_open(actor=town_officer, minor=minor_a1, note="涉案未成年人")


@pytest.fixture
def measure(town_officer, case, police_officer):
    return cw.measure_add(
        actor=town_officer,
        case=case,
        track="RESCUE_PROTECTION",
        title="协助做好社会观护",
        due_on=timezone.localdate() + timedelta(days=7),
        responsible_user=police_officer,
    )


@pytest.fixture
def referral(town_officer, case, police, police_officer):
    draft = rl.referral_create(
        actor=town_officer, case=case, organisation=police, reason="请协助观护", town_contact="民政办 13800000000"
    )
    return rl.referral_send(actor=town_officer, referral=draft)


def _seal(office_head, minor, **kwargs):
    return minor_seal(actor=office_head, minor=minor, reason=kwargs.pop("reason", REASON), **kwargs)


def _text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the services --------------------------------------------------------------------------------------------


def test_the_office_head_seals_a_record_with_a_reason_kept_in_its_history(office_head, minor_a1):
    _seal(office_head, minor_a1)
    minor_a1.refresh_from_db()
    assert minor_a1.is_sealed
    event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.SEALED)
    assert event.note == REASON and event.actor == office_head


def test_sealing_needs_a_reason_and_changes_nothing_without_one(office_head, minor_a1):
    with pytest.raises(ValidationError) as error:
        minor_seal(actor=office_head, minor=minor_a1, reason="  ")
    assert error.value.message_dict["reason"] == ["请填写原因。"]
    minor_a1.refresh_from_db()
    assert not minor_a1.is_sealed
    assert not MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.SEALED).exists()


def test_a_sealed_record_cannot_be_sealed_twice_nor_an_open_one_unsealed(office_head, minor_a1):
    with pytest.raises(ValidationError) as error:
        minor_unseal(actor=office_head, minor=minor_a1, reason="误操作")
    assert error.value.message_dict["reason"] == ["该档案未封存。"]
    _seal(office_head, minor_a1)
    with pytest.raises(ValidationError) as error:
        _seal(office_head, minor_a1)
    assert error.value.message_dict["reason"] == ["该档案已封存。"]


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "county_officer", "office_head_b"])
def test_only_the_town_office_head_of_the_childs_town_may_seal(request, persona, minor_a1):
    with pytest.raises(ActionNotAllowed):
        minor_seal(actor=request.getfixturevalue(persona), minor=minor_a1, reason=REASON)


def test_unsealing_restores_the_record_to_village_staff(office_head, child_director, minor_a1):
    _seal(office_head, minor_a1)
    assert minor_a1.pk not in set(minor_list(user=child_director).values_list("pk", flat=True))
    minor_unseal(actor=office_head, minor=minor_a1, reason="法院撤销封存")
    assert minor_a1.pk in set(minor_list(user=child_director).values_list("pk", flat=True))
    kinds = list(MinorEvent.objects.filter(minor=minor_a1).values_list("kind", flat=True))
    assert kinds[:2] == [MinorEvent.Kind.UNSEALED, MinorEvent.Kind.SEALED]


# --- who sees a sealed child -----------------------------------------------------------------------------------


def test_a_sealed_child_is_seen_by_the_town_office_and_the_county_only(
    client, office_head, town_officer, county_officer, child_director, town_leader, minor_a1, case
):
    _seal(office_head, minor_a1)
    for user in (office_head, town_officer, county_officer):
        assert minor_a1.pk in set(minor_list(user=user).values_list("pk", flat=True)), user
        assert case.pk in set(case_list(user=user).values_list("pk", flat=True)), user
    for user in (child_director, town_leader):
        assert minor_a1.pk not in set(minor_list(user=user).values_list("pk", flat=True)), user
        assert case.pk not in set(case_list(user=user).values_list("pk", flat=True)), user
        client.force_login(user)
        assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 404
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_a_partner_no_longer_sees_a_sealed_childs_referral(api_client_for, office_head, police_officer, referral):
    api = api_client_for(police_officer)
    assert referral.pk in {row["id"] for row in api.get("/api/v1/referrals/").json()["results"]}
    _seal(office_head, referral.minor)
    assert referral.pk not in {row["id"] for row in api.get("/api/v1/referrals/").json()["results"]}
    assert api.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_a_partner_in_the_group_sees_a_sealed_child_only_as_a_reference(
    client, api_client_for, office_head, police_officer, groups, case, measure
):
    group = groups["RESCUE_PROTECTION"]
    client.force_login(police_officer)
    assert "张三" in _text(client, reverse("group_detail", args=[group.pk]))
    _seal(office_head, case.minor)
    page = _text(client, reverse("group_detail", args=[group.pk]))
    assert "张三" not in page and "东岭村" not in page
    assert f"封存档案 #{case.pk}" in page
    rows = api_client_for(police_officer).get(f"/api/v1/working-groups/{group.pk}/measures/").json()
    assert [row["minor_name"] for row in rows] == [f"封存档案 #{case.pk}"]


def test_the_measures_api_leaves_a_sealed_childs_measures_out_for_partners(
    api_client_for, office_head, town_officer, police_officer, case, measure
):
    api = api_client_for(police_officer)
    assert measure.pk in {row["id"] for row in api.get("/api/v1/measures/").json()["results"]}
    _seal(office_head, case.minor)
    assert measure.pk not in {row["id"] for row in api.get("/api/v1/measures/").json()["results"]}
    assert api.get(f"/api/v1/measures/{measure.pk}/").status_code == 404
    # The town office still works it.
    staff = api_client_for(town_officer)
    assert measure.pk in {row["id"] for row in staff.get("/api/v1/measures/").json()["results"]}


def test_an_overdue_measure_of_a_sealed_child_names_no_one_and_tells_no_partner(
    clock, office_head, town_officer, police_officer, case, measure
):
    _seal(office_head, case.minor)
    clock((timezone.localdate() + timedelta(days=10)).isoformat())
    casework_escalate()
    assert not Notification.objects.filter(user=police_officer).exists()
    notices = list(Notification.objects.filter(user=town_officer, alert__rule="MEASURE_OVERDUE"))
    assert notices and all("张三" not in n.title and f"封存档案 #{case.pk}" in n.title for n in notices)


def test_alerts_about_a_child_sealed_since_leave_the_village_lists(
    clock, office_head, town_officer, child_director, police_officer, case, measure
):
    clock((timezone.localdate() + timedelta(days=10)).isoformat())
    casework_escalate()
    assert Notification.objects.filter(user=police_officer).exists()
    assert alert_list(user=child_director).filter(minor=case.minor).exists()
    _seal(office_head, case.minor)
    from cases.alerts.selectors import notification_list

    assert not notification_list(user=police_officer).exists()
    assert not alert_list(user=child_director).filter(minor=case.minor).exists()
    assert alert_list(user=town_officer).filter(minor=case.minor).exists()


# --- the API and the pages ---------------------------------------------------------------------------------------


def test_the_api_seals_and_unseals_with_a_reason(api_client_for, office_head, minor_a1):
    api = api_client_for(office_head)
    response = api.post(f"/api/v1/minors/{minor_a1.pk}/seal/", {"reason": REASON}, format="json")
    assert response.status_code == 200
    minor_a1.refresh_from_db()
    assert minor_a1.is_sealed
    history = api.get(f"/api/v1/minors/{minor_a1.pk}/history/").json()
    assert history[0]["kind"] == "SEALED"
    response = api.post(f"/api/v1/minors/{minor_a1.pk}/unseal/", {"reason": "解除"}, format="json")
    assert response.status_code == 200
    minor_a1.refresh_from_db()
    assert not minor_a1.is_sealed


def test_the_api_answers_field_errors_for_a_missing_reason_or_a_repeat(api_client_for, office_head, minor_a1):
    api = api_client_for(office_head)
    body = api.post(f"/api/v1/minors/{minor_a1.pk}/seal/", {"reason": ""}, format="json").json()
    assert body["type"] == "validation_error" and body["errors"][0]["attr"] == "reason"
    body = api.post(f"/api/v1/minors/{minor_a1.pk}/unseal/", {"reason": "x"}, format="json").json()
    assert body["errors"][0]["code"] == "not_sealed"


def test_the_api_refuses_a_post_without_seal_rights_and_hides_other_towns(
    api_client_for, town_officer, office_head_b, minor_a1
):
    assert (
        api_client_for(town_officer)
        .post(f"/api/v1/minors/{minor_a1.pk}/seal/", {"reason": REASON}, format="json")
        .status_code
        == 403
    )
    assert (
        api_client_for(office_head_b)
        .post(f"/api/v1/minors/{minor_a1.pk}/seal/", {"reason": REASON}, format="json")
        .status_code
        == 404
    )
    minor_a1.refresh_from_db()
    assert not minor_a1.is_sealed


def test_the_record_page_offers_sealing_to_the_office_head_only(client, office_head, town_officer, minor_a1):
    client.force_login(office_head)
    assert reverse("privacy_sealing_seal", args=[minor_a1.pk]) in _text(
        client, reverse("minor_detail", args=[minor_a1.pk])
    )
    client.force_login(town_officer)
    page = _text(client, reverse("minor_detail", args=[minor_a1.pk]))
    assert reverse("privacy_sealing_seal", args=[minor_a1.pk]) not in page
    assert client.get(reverse("privacy_sealing_seal", args=[minor_a1.pk])).status_code == 403


def test_the_seal_page_with_a_court_notice_then_the_document_for_sealed_readers_only(
    client, office_head, town_officer, child_director, minor_a1
):
    client.force_login(office_head)
    notice = SimpleUploadedFile("notice.pdf", b"%PDF-1.4 court notice", content_type="application/pdf")
    response = client.post(reverse("privacy_sealing_seal", args=[minor_a1.pk]), {"reason": REASON, "document": notice})
    assert response.status_code == 302
    event = MinorEvent.objects.get(minor=minor_a1, kind=MinorEvent.Kind.SEALED)
    assert event.document
    url = reverse("privacy_sealing_document", args=[event.pk])
    assert url in _text(client, reverse("minor_detail", args=[minor_a1.pk]))
    assert b"court notice" in b"".join(client.get(url).streaming_content)
    client.force_login(town_officer)
    assert client.get(url).status_code == 200
    client.force_login(child_director)
    assert client.get(url).status_code == 404


def test_the_seal_page_shows_a_missing_reason_in_chinese_and_saves_nothing(client, office_head, minor_a1):
    client.force_login(office_head)
    response = client.post(reverse("privacy_sealing_seal", args=[minor_a1.pk]), {"reason": ""})
    assert response.status_code == 200 and "请填写原因。" in response.content.decode()
    minor_a1.refresh_from_db()
    assert not minor_a1.is_sealed


def test_the_ledger_export_leaves_sealed_children_out_without_view_sealed(office_head, town_leader, minor_a1):
    from cases.registry.selectors import MinorFilters
    from reporting.exports.ledger import ledger_minor_list

    other = register_minor(actor=office_head, region=minor_a1.region, name="王五")
    _seal(office_head, minor_a1)
    assert list(ledger_minor_list(user=town_leader, filters=MinorFilters()).values_list("pk", flat=True)) == [other.pk]
    assert ledger_minor_list(user=office_head, filters=MinorFilters()).count() == 2

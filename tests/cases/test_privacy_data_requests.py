"""Correction and deletion requests (issue 10 §9; domain.md §13, 003 二(四)15): recorded by staff who may
change the record, decided by the town office head with a reason; a correction goes through the registry
service; a deletion anonymises the record while the figures remain."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import DataRequest, Guardian, Minor, MinorEvent
from cases.privacy.requests.services import data_request_decide, data_request_record
from reporting.figures import figures_compute
from reporting.quarters import Quarter
from screening.visits.services.visits import visit_log
from tests.factories import guardian_payload, make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.roles import Role


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def other_head(tree):
    """The office head of town B: an outsider to town A's children."""
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_b, username="other_head")


@pytest.fixture
def child(tree, town_officer):
    return register_minor(
        actor=town_officer,
        region=tree.village_a1,
        name="赵小燕",
        address="东岭村5组8号",
        guardians=[guardian_payload(name="赵大勇", relation="FATHER", phone="13912345678")],
    )


def _correction(actor, minor, corrections, requester=DataRequest.Requester.GUARDIAN):
    return data_request_record(
        actor=actor,
        minor=minor,
        kind="CORRECTION",
        requester=requester,
        requester_name="赵大勇",
        reason="住址登记错误",
        corrections=corrections,
    )


def _deletion(actor, minor):
    return data_request_record(
        actor=actor,
        minor=minor,
        kind="DELETION",
        requester=DataRequest.Requester.GUARDIAN,
        requester_name="赵大勇",
        reason="赵小燕已由家人照顾，不希望保留信息",
    )


def test_granted_correction_changes_the_field_with_history(town_officer, office_head, child):
    request = _correction(town_officer, child, {"address": "东岭村6组1号"})

    data_request_decide(actor=office_head, request=request, grant=True, reason="核实户口簿，住址确有错误")

    child.refresh_from_db()
    assert child.address == "东岭村6组1号"
    request.refresh_from_db()
    assert request.status == "GRANTED" and request.decided_by == office_head
    updated = MinorEvent.objects.get(minor=child, kind=MinorEvent.Kind.UPDATED)
    assert updated.changes == [{"field": "address", "from": "东岭村5组8号", "to": "东岭村6组1号"}]
    assert MinorEvent.objects.filter(minor=child, kind=MinorEvent.Kind.CORRECTED).exists()


def test_granted_correction_of_a_guardian_phone_goes_through_the_guardian_history(town_officer, office_head, child):
    guardian = Guardian.objects.get(minor=child)
    request = _correction(town_officer, child, {f"guardians.{guardian.pk}.phone": "13700001111"})

    data_request_decide(actor=office_head, request=request, grant=True, reason="号码已更换")

    guardian.refresh_from_db()
    assert guardian.phone == "13700001111"
    assert MinorEvent.objects.filter(minor=child, kind=MinorEvent.Kind.GUARDIAN_CHANGED).exists()


def test_refused_correction_keeps_the_record(town_officer, office_head, child):
    request = _correction(town_officer, child, {"address": "别处"})

    data_request_decide(actor=office_head, request=request, grant=False, reason="与走访核实情况不符")

    child.refresh_from_db()
    assert child.address == "东岭村5组8号"
    request.refresh_from_db()
    assert request.status == "REFUSED" and request.decision_reason == "与走访核实情况不符"


def test_a_correction_that_fails_validation_fails_the_decision_and_saves_nothing(town_officer, office_head, child):
    request = _correction(town_officer, child, {"id_number": "330521201001011234"})

    with pytest.raises(ValidationError) as caught:
        data_request_decide(actor=office_head, request=request, grant=True, reason="同意")

    assert "id_number" in caught.value.message_dict
    request.refresh_from_db()
    assert request.status == "PENDING"
    child.refresh_from_db()
    assert child.id_number != "330521201001011234"


def test_a_decision_needs_a_reason(town_officer, office_head, child):
    request = _correction(town_officer, child, {"address": "东岭村6组1号"})

    with pytest.raises(ValidationError) as caught:
        data_request_decide(actor=office_head, request=request, grant=False, reason=" ")

    assert "reason" in caught.value.message_dict


def test_a_correction_names_known_fields(town_officer, child):
    with pytest.raises(ValidationError) as caught:
        _correction(town_officer, child, {"risk_grade": "BLUE"})

    assert "corrections" in caught.value.message_dict


def test_a_town_office_who_is_not_the_head_cannot_decide(town_officer, child):
    request = _correction(town_officer, child, {"address": "东岭村6组1号"})

    with pytest.raises(ActionNotAllowed, match="只有民政办负责人可以决定更正删除申请。"):
        data_request_decide(actor=town_officer, request=request, grant=True, reason="同意")


def test_granted_deletion_removes_the_personal_data_from_pages_and_api(
    client, api_client_for, tree, town_officer, office_head, child
):
    visit_log(actor=town_officer, minor=child, concerns="赵小燕说父亲赵大勇常喝酒")
    id_number = child.id_number
    before = figures_compute(region=tree.village_a1, quarter=Quarter.current())["registry"]
    request = _deletion(town_officer, child)

    data_request_decide(actor=office_head, request=request, grant=True, reason="申请人为监护人，理由成立")

    child.refresh_from_db()
    assert child.name == f"已删除 #{child.pk}" and child.anonymised_at is not None
    assert child.id_number is None
    secrets = ["赵小燕", "赵大勇", id_number, "13912345678", "东岭村5组8号", "常喝酒"]
    client.force_login(office_head)
    api = api_client_for(office_head)
    pages = [
        client.get(reverse("minor_detail", args=[child.pk])),
        client.get(reverse("registry_list")),
        client.get(reverse("privacy_requests_list")),
        api.get(f"/api/v1/minors/{child.pk}/"),
        api.get(f"/api/v1/minors/{child.pk}/history/"),
        api.get("/api/v1/minors/"),
        api.get("/api/v1/data-requests/"),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (response.wsgi_request.path if hasattr(response, "wsgi_request") else "", secret)
    after = figures_compute(region=tree.village_a1, quarter=Quarter.current())["registry"]
    assert after["active"] == before["active"] == 1
    assert after["categories"] == before["categories"]


def test_an_outsider_gets_404_on_the_request(client, api_client_for, town_officer, other_head, child):
    request = _deletion(town_officer, child)
    api = api_client_for(other_head)

    assert api.get(f"/api/v1/data-requests/{request.pk}/").status_code == 404
    assert api.post(f"/api/v1/data-requests/{request.pk}/decide/", {"grant": True, "reason": "x"}).status_code == 404
    assert api.get("/api/v1/data-requests/").json()["results"] == []
    client.force_login(other_head)
    assert client.post(reverse("privacy_requests_decide", args=[request.pk]), {}).status_code == 404
    assert client.get(reverse("privacy_requests_create", args=[child.pk])).status_code == 404
    assert Minor.objects.get(pk=child.pk).anonymised_at is None


def test_api_records_and_decides_with_field_errors(api_client_for, town_officer, office_head, child):
    staff = api_client_for(town_officer)
    response = staff.post(
        "/api/v1/data-requests/",
        {"minor": child.pk, "kind": "CORRECTION", "requester": "MINOR", "requester_name": "赵小燕",
         "reason": "学校名称错", "corrections": {"school_name": "青山镇第二小学"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    pk = response.json()["id"]

    refused = staff.post(f"/api/v1/data-requests/{pk}/decide/", {"grant": True, "reason": "同意"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["detail"] == "只有民政办负责人可以决定更正删除申请。"
    head = api_client_for(office_head)
    missing = head.post(f"/api/v1/data-requests/{pk}/decide/", {"grant": True, "reason": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "reason"
    done = head.post(f"/api/v1/data-requests/{pk}/decide/", {"grant": True, "reason": "核实学籍"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "GRANTED"
    child.refresh_from_db()
    assert child.school_name == "青山镇第二小学"


def test_record_page_form_records_a_deletion_request(client, town_officer, child):
    client.force_login(town_officer)

    response = client.post(
        reverse("privacy_requests_create", args=[child.pk]),
        {"kind": "DELETION", "requester": "GUARDIAN", "requester_name": "赵大勇", "reason": "不再需要帮扶"},
    )

    assert response.status_code == 302
    assert DataRequest.objects.get(minor=child).kind == "DELETION"
    assert "记录更正/删除申请" in client.get(reverse("minor_detail", args=[child.pk])).content.decode()

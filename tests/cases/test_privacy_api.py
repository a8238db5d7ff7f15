"""API parity of the privacy pages (issue 10 §2, §7, §10): the access log, break-the-glass access (open, list,
end early) and the grants history, scoped like the pages, 404 outside reach, 403 for other roles, field
errors as JSON, and the reads logged by the middleware. Two counties."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AccessLog, EmergencyAccess, MinorEvent
from cases.privacy.accesslog.services import emergency_access_end, emergency_access_open
from tests.factories import make_user
from tiers.roles import Level, Role
from tiers.services import post_assign, region_create

REASON = "接公安机关通报，该儿童在本县走失，需立即核实监护人联系方式"
ACCESS_LOG = "/api/v1/access-log/"
EMERGENCY = "/api/v1/emergency-access/"
GRANTS = "/api/v1/audit/grants/"


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def other_head(tree):
    """The office head of town B (same county)."""
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_b, username="other_head")


@pytest.fixture
def other_county_officer(db):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    return make_user(Role.COUNTY_CIVIL_AFFAIRS, county, username="other_county_officer")


def field_errors(response, attr: str) -> list[dict]:
    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    return [error for error in body["errors"] if error["attr"] == attr]


def _read_record(api_client_for, user, minor):
    return api_client_for(user).get(f"/api/v1/minors/{minor.pk}/")


# --- GET /api/v1/access-log/ ----------------------------------------------------------------------------


def test_the_office_head_reads_who_saw_a_child_of_the_town_and_the_read_is_logged(
    api_client_for, office_head, town_officer, minor_a1, minor_b1, outsider
):
    _read_record(api_client_for, town_officer, minor_a1)
    _read_record(api_client_for, outsider, minor_b1)

    response = api_client_for(office_head).get(ACCESS_LOG, {"minor": minor_a1.pk})

    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert rows and {row["minor"] for row in rows} == {minor_a1.pk}
    assert any(row["user_username"] == "town_officer" and row["channel"] == "API" for row in rows)
    assert rows[0]["minor_name"] == "张三"
    # The log's own read is logged: the head's API row for the child.
    assert AccessLog.objects.filter(user=office_head, minor=minor_a1, channel=AccessLog.Channel.API).exists()
    # Town B's child is not in town A's log.
    everything = api_client_for(office_head).get(ACCESS_LOG).json()["results"]
    assert minor_b1.pk not in {row["minor"] for row in everything}


def test_the_access_log_filters_by_user_action_and_dates(api_client_for, office_head, town_officer, minor_a1):
    _read_record(api_client_for, town_officer, minor_a1)
    client = api_client_for(office_head)

    by_user = client.get(ACCESS_LOG, {"user": town_officer.pk, "action": "VIEW", "channel": "API"}).json()
    in_the_past = client.get(ACCESS_LOG, {"since": "2000-01-01", "until": "2000-01-02"}).json()

    assert by_user["count"] >= 1 and {row["user"] for row in by_user["results"]} == {town_officer.pk}
    assert in_the_past["count"] == 0


def test_a_child_or_user_outside_the_readers_town_answers_404(
    api_client_for, other_head, office_head, town_officer, minor_a1
):
    client = api_client_for(other_head)

    assert client.get(ACCESS_LOG, {"minor": minor_a1.pk}).status_code == 404
    assert client.get(ACCESS_LOG, {"user": town_officer.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "partner_user", "leadership_viewer"])
def test_others_may_not_read_the_access_log_api(request, api_client_for, persona):
    response = api_client_for(request.getfixturevalue(persona)).get(ACCESS_LOG)

    assert response.status_code == 403


def test_bad_access_log_filters_are_field_errors(api_client_for, office_head):
    client = api_client_for(office_head)

    reversed_dates = client.get(ACCESS_LOG, {"since": "2026-03-02", "until": "2026-03-01"})
    bad_action = client.get(ACCESS_LOG, {"action": "PEEK", "since": "yesterday"})

    assert field_errors(reversed_dates, "until")
    assert field_errors(bad_action, "action") and field_errors(bad_action, "since")


# --- /api/v1/emergency-access/ --------------------------------------------------------------------------


def test_a_county_user_of_another_county_opens_reads_lists_and_ends_a_grant(
    api_client_for, other_county_officer, office_head, minor_a1
):
    client = api_client_for(other_county_officer)
    assert _read_record(api_client_for, other_county_officer, minor_a1).status_code == 404

    opened = client.post(EMERGENCY, {"id_number": minor_a1.id_number, "reason": REASON}, format="json")

    assert opened.status_code == 201, opened.json()
    grant = opened.json()
    assert grant["minor"] == minor_a1.pk and grant["active"] is True
    assert client.get(f"/api/v1/minors/{minor_a1.pk}/").status_code == 200
    assert AccessLog.objects.filter(user=other_county_officer, minor=minor_a1, action="EMERGENCY").exists()
    listed = client.get(EMERGENCY).json()["results"]
    assert [row["id"] for row in listed] == [grant["id"]] and "name" not in listed[0]

    ended = client.post(f"{EMERGENCY}{grant['id']}/end/")

    assert ended.status_code == 200 and ended.json()["active"] is False
    assert EmergencyAccess.objects.get(pk=grant["id"]).ended_at is not None
    event = MinorEvent.objects.filter(minor=minor_a1, kind=MinorEvent.Kind.EMERGENCY_ACCESS).order_by("-id").first()
    assert event.note == "提前结束" and event.actor == other_county_officer
    assert client.get(f"/api/v1/minors/{minor_a1.pk}/").status_code == 404
    again = client.post(f"{EMERGENCY}{grant['id']}/end/")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "not_active"


def test_a_grant_opened_by_record_number_works_too(api_client_for, other_county_officer, minor_a1):
    response = api_client_for(other_county_officer).post(
        EMERGENCY, {"minor": minor_a1.pk, "reason": REASON}, format="json"
    )

    assert response.status_code == 201 and response.json()["minor"] == minor_a1.pk


def test_someone_elses_grant_cannot_be_ended_and_answers_404(
    api_client_for, other_county_officer, county_officer, minor_a1
):
    grant = emergency_access_open(actor=other_county_officer, minor=minor_a1, reason=REASON)

    response = api_client_for(county_officer).post(f"{EMERGENCY}{grant.pk}/end/")

    assert response.status_code == 404
    assert api_client_for(county_officer).get(EMERGENCY).json()["results"] == []
    grant.refresh_from_db()
    assert grant.ended_at is None


@pytest.mark.parametrize("persona", ["town_officer", "office_head", "partner_user", "leadership_viewer"])
def test_only_the_county_civil_affairs_post_may_break_the_glass_through_the_api(
    request, api_client_for, persona, minor_b1
):
    client = api_client_for(request.getfixturevalue(persona))

    assert client.get(EMERGENCY).status_code == 403
    assert client.post(EMERGENCY, {"minor": minor_b1.pk, "reason": REASON}, format="json").status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_emergency_access_errors_are_field_errors_and_nothing_is_granted(
    api_client_for, other_county_officer, county_officer, minor_a1
):
    client = api_client_for(other_county_officer)

    short = client.post(EMERGENCY, {"minor": minor_a1.pk, "reason": "紧急"}, format="json")
    neither = client.post(EMERGENCY, {"reason": REASON}, format="json")
    unknown = client.post(EMERGENCY, {"id_number": "110101201001011234", "reason": REASON}, format="json")
    in_reach = api_client_for(county_officer).post(EMERGENCY, {"minor": minor_a1.pk, "reason": REASON}, format="json")

    assert field_errors(short, "reason")[0]["code"] == "reason_too_short"
    assert field_errors(neither, "minor")
    assert field_errors(unknown, "id_number")[0]["code"] == "not_found"
    assert field_errors(in_reach, "minor")[0]["code"] == "in_reach"
    assert not EmergencyAccess.objects.exists()


def test_the_emergency_page_ends_a_grant_with_its_button(client, other_county_officer, minor_a1):
    grant = emergency_access_open(actor=other_county_officer, minor=minor_a1, reason=REASON)
    client.force_login(other_county_officer)
    assert f"emergency-end-{grant.pk}" in client.get(reverse("privacy_accesslog_emergency")).content.decode()

    response = client.post(reverse("privacy_accesslog_emergency_end", args=[grant.pk]))

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ended_at is not None
    assert client.get(reverse("minor_detail", args=[minor_a1.pk])).status_code == 404
    assert f"emergency-end-{grant.pk}" not in client.get(reverse("privacy_accesslog_emergency")).content.decode()


def test_the_end_service_refuses_another_user(county_officer, other_county_officer, minor_a1):
    from tiers.errors import ActionNotAllowed

    grant = emergency_access_open(actor=other_county_officer, minor=minor_a1, reason=REASON)

    with pytest.raises(ActionNotAllowed):
        emergency_access_end(actor=county_officer, grant=grant)


# --- GET /api/v1/audit/grants/ and the paged page ------------------------------------------------------


def test_the_office_head_reads_the_grants_of_the_town_and_not_of_another(api_client_for, office_head, tree):
    post_assign(user=make_user(username="director_a"), region=tree.village_a1, role=Role.CHILD_DIRECTOR)
    post_assign(user=make_user(username="director_b"), region=tree.village_b1, role=Role.CHILD_DIRECTOR)

    api = api_client_for(office_head)

    response = api.get(GRANTS)

    assert response.status_code == 200, response.json()
    assert response.json()["count"] >= 2  # the head's own post, director_a's post (and the API token)
    assert api.get(GRANTS, {"username": "director_a"}).json()["count"] == 1
    assert api.get(GRANTS, {"username": "director_b"}).json()["count"] == 0
    row = api.get(GRANTS, {"username": "director_a"}).json()["results"][0]
    assert row["action"] == "insert" and {c["field"] for c in row["changes"]} >= {"user", "region", "role"}


@pytest.mark.parametrize("persona", ["town_officer", "child_director", "partner_user", "leadership_viewer"])
def test_others_may_not_read_the_grants_api(request, api_client_for, persona):
    assert api_client_for(request.getfixturevalue(persona)).get(GRANTS).status_code == 403


def test_bad_grant_filters_are_field_errors(api_client_for, office_head):
    response = api_client_for(office_head).get(GRANTS, {"since": "2026-03-02", "until": "2026-03-01"})

    assert field_errors(response, "until")


def test_the_grants_history_is_paged_on_the_page_and_in_the_api(client, api_client_for, office_head, tree):
    for n in range(55):
        make_user(Role.CHILD_DIRECTOR, tree.village_a1, username=f"director_{n:02d}")
    api_client = api_client_for(office_head)  # its token is one more grant event
    client.force_login(office_head)

    first = client.get(reverse("grant_history"))
    second = client.get(reverse("grant_history"), {"page": 2})
    api = api_client.get(GRANTS, {"page_size": 50, "page": 2}).json()

    total = first.context["page"].paginator.count
    assert total >= 56  # 55 directors and the head's own post
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == total - 50
    seen_first = {row.event.pgh_id for row in first.context["rows"]}
    assert not seen_first & {row.event.pgh_id for row in second.context["rows"]}
    assert api["count"] == total and len(api["results"]) == total - 50

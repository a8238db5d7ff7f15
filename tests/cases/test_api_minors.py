"""The /api/v1/minors/ contract: scoped like the web pages, field errors as JSON, access logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AccessLog, Minor, MinorEvent
from tests.factories import register_minor, valid_id_number, years_ago

LIST = "/api/v1/minors/"


def detail(minor) -> str:
    return f"/api/v1/minors/{minor.pk}/"


def payload(region, **overrides):
    birth = overrides.pop("birth_date", years_ago(9, days=10))
    data = {
        "name": "陈小雨",
        "gender": "F",
        "birth_date": birth if isinstance(birth, str) else birth.isoformat(),
        "id_number": None if isinstance(birth, str) else valid_id_number(birth=birth, gender="F"),
        "region": region.pk,
        "hukou_type": "AGRICULTURAL",
        "education_status": "PRIMARY",
        "categories": ["LEFT_BEHIND"],
        "guardians": [
            {"relation": "PATERNAL_GRANDMOTHER", "name": "王秀英", "phone": "13800138000"},
            {"relation": "FATHER", "name": "陈建国", "works_away": True},
        ],
    }
    data.update(overrides)
    return data


def errors_for(response, attr: str) -> list[dict]:
    body = response.json()
    assert body["type"] == "validation_error", body
    return [error for error in body["errors"] if error["attr"] == attr]


# --- authentication ------------------------------------------------------------------------------


def test_a_password_exchanged_for_a_token_opens_the_api(client, town_officer):
    response = client.post("/api/v1/auth/token/", {"username": "town_officer", "password": "correct-horse-battery"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["posts"][0]["role"] == "TOWN_OFFICE"


def test_a_wrong_password_gets_a_coded_error_and_no_token(client, town_officer):
    response = client.post("/api/v1/auth/token/", {"username": "town_officer", "password": "wrong"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_credentials"


def test_requests_without_a_token_are_refused(client, minor_a1):
    assert client.get(LIST).status_code == 401


def test_a_revoked_token_stops_working(town_officer, minor_a1):
    from rest_framework.test import APIClient

    from tiers.services import token_issue, token_revoke

    token, key = token_issue(user=town_officer, name="partner system")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(LIST).status_code == 200
    token_revoke(token=token)
    assert api.get(LIST).status_code == 401


def test_an_expired_login_token_stops_working(town_officer, api_client_for):
    from tiers.models import ApiToken

    api = api_client_for(town_officer)
    ApiToken.objects.filter(user=town_officer).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(LIST).status_code == 401


def test_token_use_is_recorded(town_officer, api_client_for):
    from tiers.models import ApiToken

    api_client_for(town_officer).get(LIST)
    assert ApiToken.objects.get(user=town_officer).last_used_at is not None


# --- scope -----------------------------------------------------------------------------------------


def test_list_holds_only_records_in_the_callers_area(api_client_for, town_officer, minor_a1, minor_b1):
    ids = [row["id"] for row in api_client_for(town_officer).get(LIST).json()["results"]]
    assert ids == [minor_a1.pk]


@pytest.mark.parametrize("persona", ["outsider", "neighbour_director"])
def test_a_record_outside_the_callers_area_is_not_found(request, api_client_for, persona, minor_a1):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.get(detail(minor_a1)).status_code == 404
    assert api.patch(detail(minor_a1), {"address": "x"}, format="json").status_code == 404
    assert api.post(detail(minor_a1) + "close/", {"reason": "DUPLICATE"}, format="json").status_code == 404
    assert minor_a1.pk not in [row["id"] for row in api.get(LIST).json()["results"]]


def test_child_director_sees_their_village_including_its_grids(
    api_client_for, child_director, town_officer, tree, minor_a1
):
    in_grid = register_minor(actor=town_officer, region=tree.grid_a1)
    elsewhere = register_minor(actor=town_officer, region=tree.village_a2)
    ids = {row["id"] for row in api_client_for(child_director).get(LIST).json()["results"]}
    assert ids == {minor_a1.pk, in_grid.pk}
    assert elsewhere.pk not in ids


@pytest.mark.parametrize("persona", ["leadership_viewer", "partner_user"])
def test_personas_without_record_access_get_no_records(request, api_client_for, persona, minor_a1, tree):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.get(LIST).status_code == 403
    assert api.get(detail(minor_a1)).status_code == 403
    assert api.post(LIST, payload(tree.village_a1), format="json").status_code == 403
    assert Minor.objects.count() == 1


@pytest.mark.parametrize("persona", ["town_leader", "county_officer"])
def test_read_only_leaders_can_read_but_not_write(request, api_client_for, persona, minor_a1, tree):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.get(detail(minor_a1)).status_code == 200
    assert api.post(LIST, payload(tree.village_a1), format="json").status_code == 403
    assert api.patch(detail(minor_a1), {"address": "改"}, format="json").status_code == 403
    assert api.post(detail(minor_a1) + "close/", {"reason": "DUPLICATE"}, format="json").status_code == 403
    minor_a1.refresh_from_db()
    assert minor_a1.address != "改" and minor_a1.status == "ACTIVE"


# --- create ----------------------------------------------------------------------------------------


def test_registering_through_the_api_saves_guardians_and_categories(api_client_for, town_officer, tree):
    response = api_client_for(town_officer).post(LIST, payload(tree.village_a1), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["categories"] == ["LEFT_BEHIND"]
    assert [g["name"] for g in body["guardians"]] == ["王秀英", "陈建国"]
    assert body["guardians"][1]["works_away"] is True
    assert body["region_name"] == "东岭村"
    assert MinorEvent.objects.filter(minor_id=body["id"], kind="REGISTERED").exists()


@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"id_number": "330521201501010000"}, "id_number", "checksum"),
        ({"birth_date": "2015-01-02", "id_number": "330521201501010013"}, "id_number", "checksum"),
        (
            {
                "birth_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "id_number": None,
                "no_id_reason": "UNREGISTERED",
            },
            "birth_date",
            "future",
        ),
        ({"categories": []}, "categories", "empty"),
        ({"categories": ["NOT_A_CODE"]}, "categories.0", "does_not_exist"),
        ({"gender": "X"}, "gender", "invalid_choice"),
        ({"birth_date": "2015-02-30", "no_id_reason": "UNREGISTERED"}, "birth_date", "invalid"),
    ],
)
def test_invalid_input_returns_field_errors_and_saves_nothing(
    api_client_for, town_officer, tree, overrides, attr, code
):
    response = api_client_for(town_officer).post(LIST, payload(tree.village_a1, **overrides), format="json")
    assert response.status_code == 400
    assert code in [error["code"] for error in errors_for(response, attr)], response.json()
    assert Minor.objects.count() == 0


def test_birth_date_that_disagrees_with_the_id_number_is_named(api_client_for, town_officer, tree):
    birth = years_ago(9)
    other = valid_id_number(birth=birth - timedelta(days=3), gender="F")
    response = api_client_for(town_officer).post(
        LIST, payload(tree.village_a1, birth_date=birth, id_number=other), format="json"
    )
    assert response.status_code == 400
    error = errors_for(response, "id_number")[0]
    assert error["code"] == "birth_date_mismatch"
    assert "不一致" in error["detail"]


def test_a_bad_guardian_saves_nothing(api_client_for, town_officer, tree):
    data = payload(tree.village_a1, guardians=[{"relation": "MOTHER", "name": "刘芳", "phone": "123"}])
    response = api_client_for(town_officer).post(LIST, data, format="json")
    assert response.status_code == 400
    assert errors_for(response, "guardians")
    assert Minor.objects.count() == 0


def test_a_region_outside_reach_is_rejected_as_unknown(api_client_for, child_director, tree):
    response = api_client_for(child_director).post(LIST, payload(tree.village_b1), format="json")
    assert response.status_code == 400
    assert errors_for(response, "region")[0]["code"] == "does_not_exist"


def test_duplicate_id_number_from_another_area_reveals_nothing(api_client_for, outsider, minor_a1, tree):
    data = payload(tree.village_b1, birth_date=minor_a1.birth_date, id_number=minor_a1.id_number)
    response = api_client_for(outsider).post(LIST, data, format="json")
    assert response.status_code == 400
    error = errors_for(response, "id_number")[0]
    assert error["code"] == "duplicate_id_number"
    assert minor_a1.name not in error["detail"] and "东岭村" not in error["detail"]


def test_possible_duplicate_must_be_confirmed(api_client_for, town_officer, minor_a1, tree):
    api = api_client_for(town_officer)
    data = payload(
        tree.village_a2, name=minor_a1.name, birth_date=minor_a1.birth_date, id_number=None, no_id_reason="UNREGISTERED"
    )
    first = api.post(LIST, data, format="json")
    assert first.status_code == 400
    assert errors_for(first, "confirm_possible_duplicate")[0]["code"] == "possible_duplicate"
    second = api.post(LIST, {**data, "confirm_possible_duplicate": True}, format="json")
    assert second.status_code == 201


# --- update and actions ------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_and_keeps_guardians(api_client_for, town_officer, minor_a1):
    response = api_client_for(town_officer).patch(detail(minor_a1), {"address": "新村路1号"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["address"] == "新村路1号"
    assert len(response.json()["guardians"]) == 1
    assert response.json()["categories"] == ["LEFT_BEHIND"]


def test_region_cannot_be_changed_by_update_only_by_move(api_client_for, town_officer, minor_a1, tree):
    api = api_client_for(town_officer)
    api.patch(detail(minor_a1), {"region": tree.village_a2.pk}, format="json")
    minor_a1.refresh_from_db()
    assert minor_a1.region == tree.village_a1
    moved = api.post(detail(minor_a1) + "move/", {"region": tree.village_a2.pk, "note": "搬迁"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["region_name"] == "西岭村"


def test_history_lists_the_changes(api_client_for, town_officer, minor_a1):
    api = api_client_for(town_officer)
    api.patch(detail(minor_a1), {"school_name": "白水小学"}, format="json")
    kinds = [event["kind"] for event in api.get(detail(minor_a1) + "history/").json()]
    assert kinds[0] == "UPDATED" and "REGISTERED" in kinds


# --- filters, paging, access log ------------------------------------------------------------------------


def test_filters_by_subtree_category_status_and_pinyin(api_client_for, town_officer, tree, minor_a1):
    other = register_minor(actor=town_officer, region=tree.village_a2, name="王五", categories=("ORPHAN",))
    api = api_client_for(town_officer)

    def ids(query):
        return {row["id"] for row in api.get(LIST + query).json()["results"]}

    assert ids(f"?region={tree.village_a2.pk}") == {other.pk}
    assert ids(f"?region={tree.town_a.pk}") == {minor_a1.pk, other.pk}
    assert ids("?category=ORPHAN") == {other.pk}
    assert ids("?search=zs") == {minor_a1.pk}
    assert ids("?search=wangwu") == {other.pk}
    assert ids(f"?search={minor_a1.id_number[:17]}") == {minor_a1.pk}
    assert ids("?status=CLOSED") == set()


def test_list_uses_a_fixed_number_of_queries_whatever_the_page_size(
    api_client_for, town_officer, tree, django_assert_max_num_queries
):
    for index in range(12):
        register_minor(actor=town_officer, region=tree.village_a1 if index % 2 else tree.grid_a1)
    api = api_client_for(town_officer)
    api.get("/api/v1/me/")  # the token's first use is recorded once; keep it out of the count
    with django_assert_max_num_queries(12) as small:
        assert len(api.get(LIST + "?page_size=2").json()["results"]) == 2
    with django_assert_max_num_queries(12) as large:
        assert len(api.get(LIST + "?page_size=12").json()["results"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_each_record_read_is_in_the_access_log(api_client_for, town_officer, minor_a1):
    api = api_client_for(town_officer)
    api.get(detail(minor_a1), HTTP_USER_AGENT="partner-system/1.0")
    row = AccessLog.objects.get(minor=minor_a1, channel="API", detail={})
    assert row.user == town_officer and row.action == "VIEW"
    assert row.ip_address == "127.0.0.1" and row.user_agent == "partner-system/1.0"
    api.get(LIST)
    assert AccessLog.objects.filter(minor=minor_a1, channel="API", action="LIST", path=LIST).count() == 1


# --- regions, categories, schema ---------------------------------------------------------------------


def test_regions_are_scoped_to_the_callers_subtree(api_client_for, child_director, tree):
    body = api_client_for(child_director).get("/api/v1/regions/").json()
    assert {row["code"] for row in body["results"]} == {tree.village_a1.code, tree.grid_a1.code}
    assert api_client_for(child_director).get(f"/api/v1/regions/{tree.village_b1.pk}/").status_code == 404


def test_categories_are_listed_with_codes(api_client_for, child_director):
    codes = [row["code"] for row in api_client_for(child_director).get("/api/v1/categories/").json()]
    assert "LEFT_BEHIND" in codes and "DE_FACTO_UNSUPPORTED" in codes


def test_schema_and_docs_are_served_without_internet(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/minors/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "https://" not in html


def test_a_move_out_of_the_movers_area_answers_without_the_record(api_client_for, tree, child_director, minor_a1):
    """A child director moves a child to another village of the town: the move is done, and the answer
    (204) no longer shows the record that now belongs to the other village's staff."""
    response = api_client_for(child_director).post(
        detail(minor_a1) + "move/", {"region": tree.village_a2.pk, "note": "搬迁"}, format="json"
    )

    assert response.status_code == 204
    assert response.content == b""
    minor_a1.refresh_from_db()
    assert minor_a1.region == tree.village_a2

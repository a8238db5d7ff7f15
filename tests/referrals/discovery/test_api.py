"""The patrol and sentinel-point API (issue 12 §4): scoped like the registry, writes through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from referrals.discovery import services
from referrals.discovery.models import PatrolKind, SentinelKind
from referrals.intake.models import Report, ReportChannel


@pytest.fixture
def group(tree, town_officer, child_director):
    return services.patrol_group_create(
        actor=town_officer, town=tree.town_a, name="青山镇巡查一组", members=[town_officer, child_director]
    )


@pytest.fixture
def point(tree, town_officer, child_director):
    return services.sentinel_point_create(
        actor=town_officer,
        region=tree.village_a1,
        kind=SentinelKind.SCHOOL,
        name="东岭小学",
        administrator=child_director,
    )


def test_office_creates_a_group_through_the_api(api_client_for, tree, town_officer, child_director):
    response = api_client_for(town_officer).post(
        "/api/v1/patrol-groups/",
        {"town": tree.town_a.code, "name": "二组", "members": [child_director.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [m["id"] for m in response.json()["members"]] == [child_director.pk]


def test_outsider_gets_404_on_a_group_and_403_creating_in_another_town(api_client_for, tree, group, outsider):
    client = api_client_for(outsider)
    assert client.get(f"/api/v1/patrol-groups/{group.pk}/").status_code == 404
    assert client.get("/api/v1/patrol-groups/").json()["count"] == 0
    response = client.post("/api/v1/patrol-groups/", {"town": tree.town_a.code, "name": "越界"}, format="json")
    assert response.status_code == 403


def test_patrol_with_a_finding_lands_in_the_queue_and_shows_the_report(api_client_for, tree, group, child_director):
    response = api_client_for(child_director).post(
        "/api/v1/patrols/",
        {
            "group": group.pk,
            "kind": PatrolKind.STREET_PATROL,
            "patrolled_at": timezone.now().isoformat(),
            "place": "镇汽车站",
            "findings": "发现一名流浪儿童",
            "finding": {"summary": "疑似流浪儿童", "child_name": "小明", "village": tree.village_a1.code},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["report_count"] == 1
    assert body["reports"][0]["child_name"] == "小明"
    report = Report.objects.get(pk=body["reports"][0]["id"])
    assert report.channel == ReportChannel.PATROL and report.town == tree.town_a


def test_patrol_in_a_group_the_caller_cannot_see_is_a_field_error(api_client_for, group, outsider):
    response = api_client_for(outsider).post(
        "/api/v1/patrols/",
        {"group": group.pk, "kind": "KEY_VISIT", "patrolled_at": timezone.now().isoformat(), "place": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "group"


def test_outsider_gets_404_on_a_patrol(api_client_for, group, town_officer, outsider):
    log = services.patrol_log_record(
        actor=town_officer, group=group, kind=PatrolKind.KEY_VISIT, patrolled_at=timezone.now(), place="东岭村"
    )
    assert api_client_for(outsider).get(f"/api/v1/patrols/{log.pk}/").status_code == 404
    assert api_client_for(town_officer).get(f"/api/v1/patrols/{log.pk}/").status_code == 200


def test_administrator_files_a_report_with_channel_sentinel(api_client_for, point, child_director):
    response = api_client_for(child_director).post(
        f"/api/v1/sentinel-points/{point.pk}/reports/",
        {"summary": "学生连续一周未到校", "discovered_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.channel == ReportChannel.SENTINEL
    detail = api_client_for(child_director).get(f"/api/v1/sentinel-points/{point.pk}/").json()
    assert detail["last_report_at"] is not None
    assert [r["id"] for r in detail["reports"]] == [report.pk]


def test_outsider_gets_404_on_a_point(api_client_for, point, outsider):
    client = api_client_for(outsider)
    assert client.get(f"/api/v1/sentinel-points/{point.pk}/").status_code == 404
    response = client.post(
        f"/api/v1/sentinel-points/{point.pk}/reports/", {"summary": "x", "discovered_at": "2026-01-01T00:00:00Z"}
    )
    assert response.status_code == 404


def test_bad_sentinel_point_input_gives_field_errors(api_client_for, tree, town_officer, outsider):
    response = api_client_for(town_officer).post(
        "/api/v1/sentinel-points/",
        {"region": tree.village_a1.code, "kind": "FAMILY", "name": "王家", "administrator": outsider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "administrator"


def test_office_stops_a_point(api_client_for, point, town_officer):
    response = api_client_for(town_officer).patch(
        f"/api/v1/sentinel-points/{point.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False


def test_patrol_and_point_lists_take_a_fixed_number_of_queries(
    api_client_for, tree, group, point, town_officer, django_assert_max_num_queries
):
    for number in range(5):
        services.patrol_log_record(
            actor=town_officer,
            group=group,
            kind=PatrolKind.KEY_VISIT,
            patrolled_at=timezone.now(),
            place=f"东岭村{number}组",
            finding=services.Finding(summary="留守儿童无人照料"),
        )
    client = api_client_for(town_officer)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/patrols/").json()
    assert body["count"] == 5
    assert all(row["report_count"] == 1 for row in body["results"])
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/sentinel-points/").json()["count"] == 1

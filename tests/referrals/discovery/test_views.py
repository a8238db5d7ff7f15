"""The patrol and sentinel-point pages (issue 12 §4): the town office's lists and forms; outsiders get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.discovery import services
from referrals.discovery.models import PatrolGroup, PatrolLog, SentinelKind, SentinelPoint
from referrals.intake.models import ReportChannel


@pytest.fixture
def group(tree, town_officer, child_director):
    return services.patrol_group_create(
        actor=town_officer, town=tree.town_a, name="青山镇巡查一组", members=[town_officer, child_director]
    )


def test_office_sets_up_a_group_on_the_page(client, tree, town_officer, child_director):
    client.force_login(town_officer)
    response = client.post(
        reverse("patrol_group_new"), {"town": tree.town_a.pk, "name": "二组", "members": [child_director.pk]}
    )
    group = PatrolGroup.objects.get(name="二组")
    assert response.status_code == 302
    assert list(group.members.all()) == [child_director]
    assert "二组" in client.get(reverse("patrol_list")).content.decode()


def test_office_logs_a_patrol_with_a_finding_on_the_page(client, tree, group, town_officer):
    client.force_login(town_officer)
    response = client.post(
        reverse("patrol_log_new"),
        {
            "group": group.pk,
            "kind": "STREET_PATROL",
            "patrolled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "village": tree.village_a1.pk,
            "place": "集贸市场",
            "distress": "on",
            "finding_summary": "发现一名独自乞讨的女孩",
            "child_name": "小芳",
        },
    )
    assert response.status_code == 302, response.content.decode()
    log = PatrolLog.objects.get(place="集贸市场")
    assert log.sources.get().report.channel == ReportChannel.PATROL
    page = client.get(reverse("patrol_log_detail", args=[log.pk])).content.decode()
    assert "小芳" in page


def test_a_finding_without_its_summary_is_refused_and_nothing_is_saved(client, group, town_officer):
    client.force_login(town_officer)
    response = client.post(
        reverse("patrol_log_new"),
        {
            "group": group.pk,
            "kind": "KEY_VISIT",
            "patrolled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "place": "东岭村",
            "distress": "on",
        },
    )
    assert response.status_code == 200
    assert "请填写发现的困境未成年人情况" in response.content.decode()
    assert not PatrolLog.objects.exists()


def test_outsider_gets_404_on_the_group_and_point_pages(client, tree, group, town_officer, child_director, outsider):
    point = services.sentinel_point_create(
        actor=town_officer,
        region=tree.town_a,
        kind=SentinelKind.COMMUNITY,
        name="社区哨点",
        administrator=child_director,
    )
    client.force_login(outsider)
    assert client.get(reverse("patrol_group_detail", args=[group.pk])).status_code == 404
    assert client.get(reverse("sentinel_point_detail", args=[point.pk])).status_code == 404
    assert "社区哨点" not in client.get(reverse("sentinel_point_list")).content.decode()


def test_administrator_files_from_the_point_page(client, tree, town_officer, child_director):
    client.force_login(town_officer)
    response = client.post(
        reverse("sentinel_point_new"),
        {"region": tree.village_a1.pk, "kind": "SCHOOL", "name": "东岭小学", "administrator": child_director.pk},
    )
    assert response.status_code == 302
    point = SentinelPoint.objects.get(name="东岭小学")
    client.force_login(child_director)
    response = client.post(
        reverse("sentinel_point_detail", args=[point.pk]),
        {"summary": "学生家长外出，孩子无人照料", "discovered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    assert point.sources.get().report.channel == ReportChannel.SENTINEL


def test_the_report_page_names_the_patrol_it_came_from(client, tree, group, town_officer):
    log = services.patrol_log_record(
        actor=town_officer,
        group=group,
        kind="STREET_PATROL",
        patrolled_at=timezone.now(),
        place="镇汽车站",
        finding=services.Finding(summary="疑似流浪儿童"),
    )
    report = log.sources.get().report
    client.force_login(town_officer)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert reverse("patrol_log_detail", args=[log.pk]) in page


def test_a_member_reports_another_child_found_on_a_logged_patrol(client, group, child_director):
    log = services.patrol_log_record(
        actor=child_director, group=group, kind="FOLLOW_UP", patrolled_at=timezone.now(), place="东岭村"
    )
    client.force_login(child_director)
    response = client.post(reverse("patrol_log_detail", args=[log.pk]), {"summary": "又发现一名辍学儿童"})
    assert response.status_code == 302
    assert log.sources.get().report.channel == ReportChannel.PATROL


def test_a_director_of_another_village_outside_the_group_cannot_post_a_finding(
    client, group, town_officer, neighbour_director
):
    log = services.patrol_log_record(
        actor=town_officer, group=group, kind="FOLLOW_UP", patrolled_at=timezone.now(), place="东岭村"
    )
    client.force_login(neighbour_director)
    assert client.post(reverse("patrol_log_detail", args=[log.pk]), {"summary": "x"}).status_code == 404
    assert not log.sources.exists()


def test_office_changes_the_administrator_on_the_point_page(
    client, tree, town_officer, child_director, neighbour_director
):
    point = services.sentinel_point_create(
        actor=town_officer, region=tree.town_a, kind=SentinelKind.FAMILY, name="王家", administrator=child_director
    )
    client.force_login(town_officer)
    response = client.post(
        reverse("sentinel_point_administrator", args=[point.pk]), {"administrator": neighbour_director.pk}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.administrator == neighbour_director

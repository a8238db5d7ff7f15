"""Patrols and sentinel points through their services (issue 12 §4): two towns, an outsider from town B."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from cases.alerts.rules import AlertRule
from cases.models import Alert, Notification
from referrals.discovery import selectors, services
from referrals.discovery.models import PatrolKind, ReportSource, SentinelKind
from referrals.intake.models import ReportChannel
from referrals.intake.selectors import report_queue
from tests.factories import make_user
from tiers.errors import ActionNotAllowed
from tiers.roles import Role


@pytest.fixture
def group(tree, town_officer, child_director):
    return services.patrol_group_create(
        actor=town_officer, town=tree.town_a, name="青山镇巡查一组", members=[town_officer, child_director]
    )


@pytest.fixture
def school_point(tree, town_officer, child_director):
    return services.sentinel_point_create(
        actor=town_officer,
        region=tree.village_a1,
        kind=SentinelKind.SCHOOL,
        name="东岭小学",
        administrator=child_director,
    )


def test_outsider_office_cannot_set_up_a_group_in_another_town(tree, outsider, town_officer):
    with pytest.raises(ActionNotAllowed):
        services.patrol_group_create(actor=outsider, town=tree.town_a, name="越界巡查组", members=[town_officer])


def test_member_must_hold_a_post_in_the_town(tree, town_officer, outsider):
    with pytest.raises(ValidationError) as error:
        services.patrol_group_create(actor=town_officer, town=tree.town_a, name="一组", members=[outsider])
    assert error.value.message_dict["members"]


def test_group_and_its_logs_are_404_for_an_outsider(group, town_officer, outsider):
    log = services.patrol_log_record(
        actor=town_officer, group=group, kind=PatrolKind.STREET_PATROL, patrolled_at=timezone.now(), place="镇车站"
    )
    with pytest.raises(Http404):
        selectors.patrol_group_get(user=outsider, pk=group.pk)
    with pytest.raises(Http404):
        selectors.patrol_log_get(user=outsider, pk=log.pk)
    assert selectors.patrol_log_get(user=town_officer, pk=log.pk) == log


def test_a_member_from_a_village_sees_the_group_they_belong_to(group, child_director, neighbour_director):
    assert selectors.patrol_group_get(user=child_director, pk=group.pk) == group
    with pytest.raises(Http404):
        selectors.patrol_group_get(user=neighbour_director, pk=group.pk)


def test_non_member_cannot_log_a_patrol(group, neighbour_director):
    with pytest.raises(ActionNotAllowed):
        services.patrol_log_record(
            actor=neighbour_director,
            group=group,
            kind=PatrolKind.KEY_VISIT,
            patrolled_at=timezone.now(),
            place="西岭村",
        )


def test_patrol_finding_lands_in_the_towns_queue_with_channel_patrol(
    tree, group, child_director, town_officer, outsider
):
    log = services.patrol_log_record(
        actor=child_director,
        group=group,
        kind=PatrolKind.STREET_PATROL,
        patrolled_at=timezone.now() - timedelta(hours=1),
        place="镇汽车站",
        village=tree.village_a1,
        findings="车站附近发现一名独自流浪的男孩",
        finding=services.Finding(summary="疑似流浪儿童，约10岁", child_name="小明", child_description="独自一人"),
    )
    source = ReportSource.objects.get(patrol_log=log)
    report = source.report
    assert report.channel == ReportChannel.PATROL
    assert report.town == tree.town_a
    assert report.owner == child_director
    assert report in report_queue(user=town_officer)
    assert report not in report_queue(user=outsider)
    assert [r.child_name for r in selectors.visible_reports(user=town_officer, patrol_log=log)] == ["小明"]


def test_finding_child_data_hidden_from_a_member_who_may_not_see_the_report(tree, town_officer, group):
    """A village member of the group sees the log but not a report of another village's child."""
    director = make_user(Role.CHILD_DIRECTOR, tree.village_a2, username="west_director")
    services.patrol_group_set_members(actor=town_officer, group=group, members=[town_officer, director])
    log = services.patrol_log_record(
        actor=town_officer,
        group=group,
        kind=PatrolKind.KEY_VISIT,
        patrolled_at=timezone.now(),
        place="东岭村3组",
        village=tree.village_a1,
        finding=services.Finding(summary="留守儿童无人照料", child_name="小红"),
    )
    assert selectors.patrol_log_get(user=director, pk=log.pk) == log
    assert selectors.visible_reports(user=director, patrol_log=log) == []
    assert selectors.source_report_count(patrol_log=log) == 1


def test_sentinel_report_arrives_with_channel_sentinel_and_the_point_named(tree, school_point, child_director):
    report = services.sentinel_report_file(
        actor=child_director, point=school_point, summary="学生连续一周未到校", discovered_at=timezone.now()
    )
    assert report.channel == ReportChannel.SENTINEL
    assert report.village == tree.village_a1
    assert "东岭小学" in report.reporter_name
    assert report.source.sentinel_point == school_point


def test_outsider_cannot_file_for_a_point_nor_see_it(school_point, outsider):
    with pytest.raises(ActionNotAllowed):
        services.sentinel_report_file(actor=outsider, point=school_point, summary="x", discovered_at=timezone.now())
    with pytest.raises(Http404):
        selectors.sentinel_point_get(user=outsider, pk=school_point.pk)


def test_administrator_must_hold_a_post_in_the_town(tree, town_officer, outsider):
    with pytest.raises(ValidationError) as error:
        services.sentinel_point_create(
            actor=town_officer, region=tree.town_a, kind=SentinelKind.COMMUNITY, name="社区哨点", administrator=outsider
        )
    assert error.value.message_dict["administrator"]


def test_silent_point_flagged_once_and_resolved_when_it_reports(clock, tree, town_officer, child_director):
    clock("2026-01-05")
    point = services.sentinel_point_create(
        actor=town_officer, region=tree.village_a1, kind=SentinelKind.FAMILY, name="张家", administrator=child_director
    )
    clock("2026-03-01")
    assert services.sentinel_points_flag_silent()["created"] == 0
    clock("2026-04-10")
    assert services.sentinel_points_flag_silent()["created"] == 1
    assert services.sentinel_points_flag_silent()["created"] == 0
    alert = Alert.objects.get(rule=AlertRule.SENTINEL_SILENT)
    assert alert.resolved_at is None
    notified = set(Notification.objects.filter(alert=alert).values_list("user__username", flat=True))
    assert {"town_officer", "child_director"} <= notified
    services.sentinel_report_file(actor=child_director, point=point, summary="一切正常", discovered_at=timezone.now())
    assert services.sentinel_points_flag_silent()["resolved"] == 1
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert not Alert.objects.filter(rule=AlertRule.SENTINEL_SILENT, resolved_at__isnull=True).exists()


def test_a_stopped_point_is_not_flagged(clock, tree, town_officer, child_director):
    clock("2026-01-05")
    point = services.sentinel_point_create(
        actor=town_officer,
        region=tree.town_a,
        kind=SentinelKind.POLITICAL_LEGAL_UNIT,
        name="司法所",
        administrator=child_director,
    )
    services.sentinel_point_update(actor=town_officer, point=point, is_active=False)
    clock("2026-06-01")
    assert services.sentinel_points_flag_silent()["created"] == 0

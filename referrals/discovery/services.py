"""Patrols and sentinel points (issue 12 §4; domain.md §7.1 discovery channels, §13 monitoring sentinel
points; 001 篇四 (三)3). The rules are in referrals.discovery.rules.

- The town office sets up its patrol groups (巡查组) with members holding posts in the town, and its
  sentinel points (监测哨点) with their monitoring administrator (健康监测管理员).
- A patrol (重点走访, 街面巡查, 跟踪随访) is logged by a member of its group or the office: when, where,
  who, findings. A finding of a minor in distress (a vagrant child …) is received into the town's intake
  queue with channel PATROL (referrals.intake.services.report_receive: the recorder is its first receiver)
  and linked to the log (ReportSource).
- A sentinel point's report is filed by its administrator (or the office on its behalf) into the intake
  queue with channel SENTINEL, the point named as reporter and linked (ReportSource).
- A point silent longer than rules.sentinel_silent_days() raises one SENTINEL_SILENT alert; its next
  report resolves it (sentinel_points_flag_silent, a daily job).

Every write runs in one transaction and writes a DiscoveryEvent (STYLE.md 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync
from referrals.discovery import rules
from referrals.discovery.models import (
    DiscoveryEvent,
    PatrolGroup,
    PatrolKind,
    PatrolLog,
    ReportSource,
    SentinelKind,
    SentinelPoint,
)
from referrals.intake.models import Report, ReportChannel
from referrals.intake.services import report_receive
from tiers.errors import ActionNotAllowed
from tiers.models import Region, StaffPost
from tiers.roles import Level
from tiers.selectors import user_posts

DENIED = gettext_lazy("只有本乡镇（街道）民政办可以维护巡查组和监测哨点。")
LOG_DENIED = gettext_lazy("只有巡查组成员或民政办可以记录巡查。")
FILE_DENIED = gettext_lazy("只有该哨点的健康监测管理员或民政办可以报送。")
SILENT_RULE = AlertRule.SENTINEL_SILENT


class EventKind:
    GROUP_CREATED = "GROUP_CREATED"
    GROUP_MEMBERS = "GROUP_MEMBERS"
    PATROL_LOGGED = "PATROL_LOGGED"
    PATROL_FINDING = "PATROL_FINDING"
    POINT_CREATED = "POINT_CREATED"
    POINT_CHANGED = "POINT_CHANGED"
    POINT_REPORTED = "POINT_REPORTED"


@dataclass(frozen=True)
class Finding:
    """A minor in distress found on a patrol: what goes into the intake queue."""

    summary: str
    child_name: str = ""
    child_description: str = ""
    village: Region | None = None
    violence_alleged: bool = False


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def is_town_office(*, user, town: Region) -> bool:
    """The office of the town (its staff or head) keeps the town's groups and points."""
    return any(
        post.role in rules.OFFICE_ROLES and post.region.is_active and town.is_within(post.region)
        for post in user_posts(user)
    )


def _require_office(actor, town: Region) -> None:
    if not is_town_office(user=actor, town=town):
        raise ActionNotAllowed(DENIED)


def _event(*, kind: str, actor, note: str = "", **subjects) -> None:
    DiscoveryEvent.objects.create(kind=kind, actor=actor, note=note, **subjects)


def holds_post_in(*, user, town: Region) -> bool:
    """A user holding a post in the town (its office, leader, a village's child director, a grid head …)."""
    return (
        user.is_active
        and StaffPost.objects.filter(town.subtree(), user=user, region__is_active=True)
        .exclude(role__in=rules.NON_MEMBER_ROLES)
        .exists()
    )


def _check_members(*, town: Region, members: Iterable, field: str = "members") -> list:
    members = list({user.pk: user for user in members}.values())
    outsiders = [user for user in members if not holds_post_in(user=user, town=town)]
    if outsiders:
        raise _error(
            field,
            _("%(names)s 不在本乡镇（街道）任职，不能加入。")
            % {"names": "、".join(user.get_full_name() or user.username for user in outsiders)},
            "not_in_town",
        )
    return members


def _check_town(town: Region) -> None:
    if town.level != Level.TOWN or not town.is_active:
        raise _error("town", _("请选择乡镇（街道）。"), "invalid_town")


def _check_village(village: Region | None, town: Region, field: str = "village") -> None:
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != town.pk):
        raise _error(field, _("请选择本乡镇（街道）的村（社区）。"), "invalid_village")


@transaction.atomic
def patrol_group_create(*, actor, town: Region, name: str, members: Iterable = ()) -> PatrolGroup:
    """The town office sets up a patrol group (巡查组; domain.md §7.1) with members holding posts in the town."""
    _check_town(town)
    _require_office(actor, town)
    name = name.strip()
    if not name:
        raise _error("name", _("请填写巡查组名称。"), "required")
    if PatrolGroup.objects.filter(town=town, name=name).exists():
        raise _error("name", _("本乡镇（街道）已有同名巡查组。"), "duplicate")
    members = _check_members(town=town, members=members)
    group = PatrolGroup.objects.create(town=town, name=name[:100], created_by=actor)
    group.members.set(members)
    _event(kind=EventKind.GROUP_CREATED, actor=actor, patrol_group=group, note=_member_names(members))
    return group


def _member_names(members) -> str:
    return "、".join(user.get_full_name() or user.username for user in members)


@transaction.atomic
def patrol_group_set_members(*, actor, group: PatrolGroup, members: Iterable) -> PatrolGroup:
    """The office changes who is in the group; the event keeps the list."""
    group = PatrolGroup.objects.select_for_update().select_related("town").get(pk=group.pk)
    _require_office(actor, group.town)
    members = _check_members(town=group.town, members=members)
    group.members.set(members)
    _event(kind=EventKind.GROUP_MEMBERS, actor=actor, patrol_group=group, note=_member_names(members))
    return group


def may_log_patrol(*, user, group: PatrolGroup) -> bool:
    return is_town_office(user=user, town=group.town) or group.members.filter(pk=user.pk).exists()


@transaction.atomic
def patrol_log_record(
    *,
    actor,
    group: PatrolGroup,
    kind: str,
    patrolled_at: datetime,
    place: str,
    participants: Iterable = (),
    findings: str = "",
    village: Region | None = None,
    finding: Finding | None = None,
) -> PatrolLog:
    """Log a patrol (重点走访 / 街面巡查 / 跟踪随访; 001 篇四 (三)3): when, where, who (members of the group),
    what was found. A `finding` of a minor in distress goes into the town's intake queue (patrol_finding_report)."""
    group = PatrolGroup.objects.select_related("town").get(pk=group.pk)
    if not may_log_patrol(user=actor, group=group):
        raise ActionNotAllowed(LOG_DENIED)
    if not group.is_active:
        raise _error("group", _("该巡查组已停用。"), "inactive")
    if kind not in PatrolKind.values:
        raise _error("kind", _("请选择巡查类型。"), "invalid_kind")
    if patrolled_at > timezone.now():
        raise _error("patrolled_at", _("巡查时间不能晚于现在。"), "in_future")
    place = place.strip()
    if not place:
        raise _error("place", _("请填写巡查地点。"), "required")
    _check_village(village, group.town)
    participants = list({user.pk: user for user in participants}.values()) or [actor]
    member_ids = set(group.members.values_list("pk", flat=True))
    strangers = [user for user in participants if user.pk not in member_ids and user.pk != actor.pk]
    if strangers:
        raise _error(
            "participants", _("%(names)s 不是本巡查组成员。") % {"names": _member_names(strangers)}, "not_member"
        )
    log = PatrolLog.objects.create(
        group=group,
        kind=kind,
        patrolled_at=patrolled_at,
        village=village,
        place=place[:200],
        findings=findings.strip(),
        recorded_by=actor,
    )
    log.participants.set(participants)
    _event(kind=EventKind.PATROL_LOGGED, actor=actor, patrol_group=group, patrol_log=log, note=log.place)
    if finding is not None:
        patrol_finding_report(actor=actor, log=log, finding=finding)
    return log


@transaction.atomic
def patrol_finding_report(*, actor, log: PatrolLog, finding: Finding) -> Report:
    """A minor in distress found on a patrol (e.g. a vagrant child, domain.md §7.1 "巡查发现") is received
    into the town's intake queue with channel PATROL, discovered at the patrol's time, and linked to the log.
    The recorder is its first receiver (首问责任制, §7.4)."""
    log = PatrolLog.objects.select_related("group__town", "village").get(pk=log.pk)
    if not may_log_patrol(user=actor, group=log.group):
        raise ActionNotAllowed(LOG_DENIED)
    village = finding.village or log.village
    _check_village(village, log.group.town)
    report = report_receive(
        actor=actor,
        town=log.group.town,
        channel=ReportChannel.PATROL,
        summary=finding.summary,
        discovered_at=log.patrolled_at,
        village=village,
        reporter_name=f"{log.group.name}（{log.get_kind_display()}）",
        child_name=finding.child_name,
        child_description=finding.child_description,
        violence_alleged=finding.violence_alleged,
    )
    ReportSource.objects.create(report=report, patrol_log=log)
    _event(kind=EventKind.PATROL_FINDING, actor=actor, patrol_group=log.group, patrol_log=log, report=report)
    return report


def _check_administrator(administrator, town: Region) -> None:
    if administrator is None:
        raise _error("administrator", _("请选择健康监测管理员。"), "required")
    if not holds_post_in(user=administrator, town=town):
        raise _error("administrator", _("健康监测管理员须在本乡镇（街道）任职。"), "not_in_town")


def _point_town(region: Region) -> Region:
    if region.level not in (Level.TOWN, Level.VILLAGE) or not region.is_active:
        raise _error("region", _("请选择乡镇（街道）或村（社区）。"), "invalid_region")
    return region.town()


@transaction.atomic
def sentinel_point_create(*, actor, region: Region, kind: str, name: str, administrator) -> SentinelPoint:
    """The town office sets up a sentinel point (监测哨点: school, family, community, social organisation,
    political-legal unit; domain.md §13) in the town or one of its villages, with its monitoring
    administrator (健康监测管理员) as first reporter."""
    town = _point_town(region)
    _require_office(actor, town)
    if kind not in SentinelKind.values:
        raise _error("kind", _("请选择哨点类型。"), "invalid_kind")
    name = name.strip()
    if not name:
        raise _error("name", _("请填写哨点名称。"), "required")
    if SentinelPoint.objects.filter(region=region, name=name).exists():
        raise _error("name", _("该地已有同名监测哨点。"), "duplicate")
    _check_administrator(administrator, town)
    point = SentinelPoint.objects.create(
        region=region, kind=kind, name=name[:100], administrator=administrator, created_by=actor
    )
    _event(kind=EventKind.POINT_CREATED, actor=actor, sentinel_point=point, note=_member_names([administrator]))
    return point


@transaction.atomic
def sentinel_point_update(*, actor, point: SentinelPoint, administrator=None, is_active: bool | None = None):
    """The office changes a point's administrator or stops it (a stopped point is never flagged)."""
    point = SentinelPoint.objects.select_for_update().select_related("region").get(pk=point.pk)
    town = point.region.town()
    _require_office(actor, town)
    notes, fields = [], []
    if administrator is not None and administrator.pk != point.administrator_id:
        _check_administrator(administrator, town)
        point.administrator = administrator
        fields.append("administrator")
        notes.append(_member_names([administrator]))
    if is_active is not None and is_active != point.is_active:
        point.is_active = is_active
        fields.append("is_active")
        notes.append(_("启用") if is_active else _("停用"))
    if fields:
        point.save(update_fields=fields)
        _event(kind=EventKind.POINT_CHANGED, actor=actor, sentinel_point=point, note="；".join(notes))
    return point


def may_file(*, user, point: SentinelPoint) -> bool:
    return point.administrator_id == user.pk or is_town_office(user=user, town=point.region.town())


@transaction.atomic
def sentinel_report_file(
    *,
    actor,
    point: SentinelPoint,
    summary: str,
    discovered_at: datetime,
    child_name: str = "",
    child_description: str = "",
    violence_alleged: bool = False,
    reporter_phone: str = "",
) -> Report:
    """A sentinel point's report (domain.md §13) is received into its town's intake queue with channel
    SENTINEL and the point named as reporter; its administrator (or the office) is the first receiver."""
    point = SentinelPoint.objects.select_related("region", "administrator").get(pk=point.pk)
    if not may_file(user=actor, point=point):
        raise ActionNotAllowed(FILE_DENIED)
    if not point.is_active:
        raise _error("point", _("该监测哨点已停用。"), "inactive")
    town = point.region.town()
    report = report_receive(
        actor=actor,
        town=town,
        channel=ReportChannel.SENTINEL,
        summary=summary,
        discovered_at=discovered_at,
        village=point.region if point.region.level == Level.VILLAGE else None,
        reporter_name=f"{point.name}（{point.administrator.get_full_name() or point.administrator.username}）",
        reporter_phone=reporter_phone,
        child_name=child_name,
        child_description=child_description,
        violence_alleged=violence_alleged,
    )
    ReportSource.objects.create(report=report, sentinel_point=point)
    _event(kind=EventKind.POINT_REPORTED, actor=actor, sentinel_point=point, report=report)
    return report


def sentinel_points_flag_silent(*, now: datetime | None = None) -> dict[str, int]:
    """Active sentinel points without a report for rules.sentinel_silent_days() → one SENTINEL_SILENT alert
    per point and silence (period = the moment the silence began), to the town office and the point's
    administrator; resolved once the point reports again or is stopped (issue 12 §4; domain.md §13)."""
    now = now or timezone.now()
    points = (
        SentinelPoint.objects.filter(is_active=True)
        .select_related("region")
        .annotate(last_report_at=Max("sources__report__received_at"))
    )
    candidates = []
    for point in points:
        if not rules.sentinel_is_silent(last_report_at=point.last_report_at, created_at=point.created_at, now=now):
            continue
        since = rules.sentinel_silent_since(last_report_at=point.last_report_at, created_at=point.created_at)
        candidates.append(
            AlertCandidate(
                subject_key=f"sentinel:{point.pk}",
                period_key=since.isoformat(timespec="seconds"),
                region_id=point.region_id,
                region_path=point.region.path,
                message=_("监测哨点「%(name)s」（%(region)s）自%(since)s起已超过%(days)s天未报告。")
                % {
                    "name": point.name,
                    "region": point.region.name,
                    "since": timezone.localtime(since).strftime("%Y-%m-%d"),
                    "days": rules.sentinel_silent_days(),
                },
                url=f"/sentinel-points/{point.pk}/",
                extra_user_ids=frozenset({point.administrator_id}),
            )
        )
    return alerts_sync(rule=SILENT_RULE, candidates=candidates)

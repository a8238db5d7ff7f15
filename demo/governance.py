"""Demo governance records (issue 6 §5), recorded through governance.services by each unit's
own office: for the district (county_civil) and each demo town ({slug}_office), leadership-group
meetings this year and one liaison meeting in every quarter of this year that has ended. 石门镇 has held
only one leadership-group meeting so far, so the compliance panel shows a 未达标 flag. Each leadership
meeting leaves follow-up items: one done, one still open (青溪镇's is due two weeks after
the meeting, so it shows as overdue).

Dates lie between 1 January and today, so the services' "not in the future" rule holds on any day.
Idempotent: a demo unit that already has a meeting is skipped. seed_demo runs this builder after the quarters
are frozen (demo/reporting.py); the follow-up items' escalation job runs at once when meetings were recorded,
so the overdue item is on the alert list without waiting for 07:30.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import district as demo
from governance.models import ActionItem, Meeting, MeetingKind
from governance.services import action_item_update, meeting_items_escalate, meeting_record
from reporting.quarters import Quarter
from tiers.models import Region

User = get_user_model()
NONCOMPLIANT_TOWN = "shimen"  # holds one leadership meeting only
OVERDUE_TOWN = "qingxi"  # keeps an open follow-up item past its deadline


def _units() -> list[tuple[str, str, str]]:
    """(region code, office login, unit name) for the district and each demo town."""
    units = [(demo.COUNTY_CODE, "county_civil", demo.COUNTY_NAME)]
    units += [(town.code, f"{town.slug}_office", town.name) for town in demo.DISTRICT]
    return units


def _between(start: date, end: date, share: float) -> date:
    return start + timedelta(days=int((end - start).days * share))


def seed_governance_demo() -> str:
    today = timezone.localdate()
    year_start = date(today.year, 1, 1)
    recorded = 0
    skipped = 0
    for code, login, name in _units():
        region = Region.objects.get(code=code)
        if Meeting.objects.filter(region=region).exists():
            skipped += 1
            continue
        actor = User.objects.get(username=login)
        slug = login.removesuffix("_office")
        shares = [0.2] if slug == NONCOMPLIANT_TOWN else [0.15, 0.7]
        for number, share in enumerate(shares, start=1):
            held_on = _between(year_start, today, share)
            overdue = slug == OVERDUE_TOWN and number == 1
            meeting = meeting_record(
                actor=actor,
                region=region,
                kind=MeetingKind.LEADERSHIP_GROUP,
                held_on=held_on,
                title=f"{name}未成年人保护工作领导小组{today.year}年第{number}次会议",
                chair=f"{name}主要负责同志",
                attendees="领导小组组长、副组长，民政办、派出所、司法所、教育管理中心、卫生院、妇联负责同志，各村（社区）儿童主任",
                minutes=(
                    "传达上级关于未成年人保护工作的部署要求；通报本季度困境未成年人排查、分级和走访情况；"
                    "分析重点个案进展和存在的问题。"
                ),
                decisions="一、完成困境未成年人动态排查和台账更新；二、落实红色、橙色等级儿童的走访频次。",
                action_items=[
                    {
                        "description": "完成辖区困境未成年人动态排查，更新台账",
                        "responsible": "民政办",
                        "due_on": held_on + timedelta(days=30),
                    },
                    {
                        "description": "组织儿童主任业务培训一次",
                        "responsible": "民政办、儿童督导员",
                        "due_on": held_on + timedelta(days=14 if overdue else 90),
                    },
                ],
            )
            recorded += 1
            first = meeting.action_items.order_by("pk").first()
            done_on = min(held_on + timedelta(days=20), today)
            action_item_update(
                actor=actor, item=first, status=ActionItem.Status.DONE, done_on=done_on, note="已完成排查和台账更新"
            )
        for quarter in [Quarter(today.year, number) for number in range(1, 5)]:
            if quarter.last_day >= today:
                continue
            meeting_record(
                actor=actor,
                region=region,
                kind=MeetingKind.LIAISON,
                held_on=quarter.last_day - timedelta(days=10),
                title=f"{name}未成年人保护工作{quarter.label}联席会议",
                chair=f"{name}民政办负责同志",
                attendees="民政办、派出所、司法所、教育管理中心、卫生院、妇联、团委联络员",
                minutes="各成员单位通报本季度工作情况，汇总分析困境未成年人数据，协调转介和帮扶中的问题。",
                decisions="",
                action_items=[],
            )
            recorded += 1
    if recorded:
        meeting_items_escalate()
    return f"{recorded} governance meetings recorded, {skipped} units already had meetings"

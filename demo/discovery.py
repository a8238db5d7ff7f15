"""Demo patrols and sentinel points (issue 12 §4) in 青溪镇, recorded through referrals.discovery.services by
the town office and two child directors: one patrol group with two patrols (a street patrol that found a
child alone at the bus station — its report goes into the town's intake queue with channel PATROL — and a
key visit without findings), and two sentinel points (the central school, whose administrator has filed one
report, and the 青溪社区 community point).

Idempotent: a town that already has a patrol group or a sentinel point is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import district as demo
from referrals.discovery import services as discovery
from referrals.discovery.models import PatrolGroup, PatrolKind, SentinelKind, SentinelPoint
from tiers.models import Region

User = get_user_model()
TOWN_SLUG = "qingxi"


def seed_discovery() -> str:
    town = next(town for town in demo.DISTRICT if town.slug == TOWN_SLUG)
    region = Region.objects.get(code=town.code)
    if PatrolGroup.objects.filter(town=region).exists() or SentinelPoint.objects.filter(region.subtree()).exists():
        return ""
    office = User.objects.get(username=f"{town.slug}_office")
    community, village = town.villages[0], town.villages[1]
    community_director = User.objects.get(username=f"{community.slug}_director")
    village_director = User.objects.get(username=f"{village.slug}_director")
    community_region = Region.objects.get(code=community.code)
    village_region = Region.objects.get(code=village.code)
    now = timezone.now()

    group = discovery.patrol_group_create(
        actor=office,
        town=region,
        name="青溪镇未成年人保护巡查组",
        members=[office, community_director, village_director],
    )
    discovery.patrol_log_record(
        actor=community_director,
        group=group,
        kind=PatrolKind.STREET_PATROL,
        patrolled_at=now - timedelta(days=3, hours=2),
        place="青溪汽车站及周边",
        village=community_region,
        participants=[community_director, office],
        findings="汽车站候车室发现一名独自滞留的男孩，自称与家人走散，已由派出所民警陪同。",
        finding=discovery.Finding(
            summary="汽车站发现独自滞留的男孩，疑似流浪，需核实身份并联系监护人。",
            child_description="男孩，约11岁，衣着单薄",
            village=community_region,
        ),
    )
    discovery.patrol_log_record(
        actor=village_director,
        group=group,
        kind=PatrolKind.KEY_VISIT,
        patrolled_at=now - timedelta(days=10),
        place="柏树村3组、5组留守儿童家庭",
        village=village_region,
        participants=[village_director],
        findings="走访留守儿童家庭6户，监护人均在家，未发现新的风险。",
    )

    school = discovery.sentinel_point_create(
        actor=office,
        region=region,
        kind=SentinelKind.SCHOOL,
        name="青溪中心小学监测哨点",
        administrator=village_director,
    )
    discovery.sentinel_point_create(
        actor=office,
        region=community_region,
        kind=SentinelKind.COMMUNITY,
        name="青溪社区监测哨点",
        administrator=community_director,
    )
    discovery.sentinel_report_file(
        actor=village_director,
        point=school,
        summary="四年级一名学生连续五天未到校，班主任电话联系不上监护人。",
        discovered_at=now - timedelta(days=1),
        child_description="四年级学生",
    )
    return "青溪镇：1个巡查组、2条巡查记录（1条转入报告受理）、2个监测哨点（1条哨点报告）"

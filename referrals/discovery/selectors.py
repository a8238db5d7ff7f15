"""Reads of patrols and sentinel points (STYLE.md rule 2), scoped like the registry: a user sees the groups,
logs and points of the subtrees of their records posts (tiers.selectors.scope_q on the town's or the point's
path), and the groups they belong to and the points they administer; anything else answers 404.

A patrol finding's or a point's report shows the child's data only to those who may see the report in the
intake queue (referrals.intake.selectors.report_queue, which also keeps reports on sealed records apart).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from referrals.discovery.models import PatrolGroup, PatrolLog, ReportSource, SentinelPoint
from referrals.discovery.rules import NON_MEMBER_ROLES, OFFICE_ROLES
from referrals.intake.models import Report
from referrals.intake.selectors import report_queue
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import scope_q, user_posts


def _group_q(user, prefix: str = "") -> Q:
    member_of = PatrolGroup.members.through.objects.filter(user_id=user.pk).values("patrolgroup_id")
    return scope_q(user, Capability.VIEW_RECORDS, field=f"{prefix}town__path") | Q(**{f"{prefix}pk__in": member_of})


def patrol_group_list(*, user) -> QuerySet[PatrolGroup]:
    return (
        PatrolGroup.objects.filter(_group_q(user))
        .select_related("town")
        .prefetch_related("members")
        .order_by("town__path", "name", "id")
    )


def patrol_group_get(*, user, pk: int) -> PatrolGroup:
    group = patrol_group_list(user=user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def patrol_log_list(*, user, group: PatrolGroup | None = None, kind: str = "") -> QuerySet[PatrolLog]:
    member_of = PatrolGroup.members.through.objects.filter(user_id=user.pk).values("patrolgroup_id")
    queryset = PatrolLog.objects.filter(
        scope_q(user, Capability.VIEW_RECORDS, field="group__town__path") | Q(group_id__in=member_of)
    )
    if group is not None:
        queryset = queryset.filter(group=group)
    if kind:
        queryset = queryset.filter(kind=kind)
    # Explicit order: a count annotated on this queryset would drop Meta.ordering.
    return (
        queryset.select_related("group__town", "village", "recorded_by")
        .prefetch_related("participants")
        .order_by("-patrolled_at", "-id")
    )


def patrol_log_get(*, user, pk: int) -> PatrolLog:
    log = patrol_log_list(user=user).filter(pk=pk).first()
    if log is None:
        raise Http404
    return log


def sentinel_point_list(*, user, kind: str = "") -> QuerySet[SentinelPoint]:
    queryset = SentinelPoint.objects.filter(
        scope_q(user, Capability.VIEW_RECORDS, field="region__path") | Q(administrator_id=user.pk)
    ).annotate(last_report_at=Max("sources__report__received_at"))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("region", "administrator").order_by("region__path", "name", "id")


def sentinel_point_get(*, user, pk: int) -> SentinelPoint:
    point = sentinel_point_list(user=user).filter(pk=pk).first()
    if point is None:
        raise Http404
    return point


def visible_reports(*, user, patrol_log: PatrolLog | None = None, point: SentinelPoint | None = None) -> list[Report]:
    """The reports a log or point brought into the queue that this user may see in the queue (with the child's
    data); the others are only counted (source_report_count)."""
    sources = (
        ReportSource.objects.filter(patrol_log=patrol_log)
        if patrol_log
        else ReportSource.objects.filter(sentinel_point=point)
    )
    return list(report_queue(user=user).filter(pk__in=sources.values("report_id")).order_by("-received_at", "-id"))


def source_report_count(*, patrol_log: PatrolLog | None = None, point: SentinelPoint | None = None) -> int:
    if patrol_log is not None:
        return ReportSource.objects.filter(patrol_log=patrol_log).count()
    return ReportSource.objects.filter(sentinel_point=point).count()


def office_towns(*, user) -> QuerySet[Region]:
    """The towns whose groups and points this user keeps (the office of the town)."""
    paths = {post.region.path for post in user_posts(user) if post.role in OFFICE_ROLES and post.region.is_active}
    query = Q(pk__in=[])
    for path in paths:
        query |= Region.subtree_q(path, "path")
    return Region.objects.filter(query, level=Level.TOWN, is_active=True).order_by("path")


def town_people(*, town: Region):
    """Users who may be members or administrators: those holding a post in the town."""
    from tiers.models import StaffPost

    user_ids = (
        StaffPost.objects.filter(town.subtree(), region__is_active=True)
        .exclude(role__in=NON_MEMBER_ROLES)
        .values("user_id")
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")

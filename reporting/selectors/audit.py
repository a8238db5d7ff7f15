"""Who granted what to whom, when (issue 10 §7; domain.md §13): posts and partner membership, working-group
membership, one-to-one helpers and API tokens in the reader's area, from the trigger-written history
(tiers.audit). Read by the town office head and the county civil-affairs post (READ_ACCESS_LOG).

A helper's child appears as its reference number only: this page is about grants, not about children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tiers.audit import HistoryRow, history_rows
from tiers.roles import Capability
from tiers.selectors import user_reach

GRANT_HISTORY_LIMIT = 200


@dataclass(frozen=True)
class GrantFilters:
    since: date | None = None
    until: date | None = None
    username: str = ""


def _events(label: str):
    return apps.get_model(*label.split(".")).objects.order_by("-pgh_created_at", "-pgh_id")


def _window(queryset, filters: GrantFilters, *, person_field: str):
    tz = timezone.get_current_timezone()
    if filters.since:
        queryset = queryset.filter(pgh_created_at__gte=datetime.combine(filters.since, time.min, tz))
    if filters.until:
        queryset = queryset.filter(pgh_created_at__lte=datetime.combine(filters.until, time.max, tz))
    if filters.username:
        person = get_user_model().objects.filter(username=filters.username).first()
        if person is None:
            return queryset.none()
        queryset = queryset.filter(Q(**{person_field: person.pk}) | Q(pgh_context__user=person.pk))
    return queryset


def grant_history(*, user, filters: GrantFilters | None = None, limit: int = GRANT_HISTORY_LIMIT) -> list[HistoryRow]:
    """Grant events in the user's READ_ACCESS_LOG reach, newest first (at most `limit`)."""
    filters = filters or GrantFilters()
    reach = user_reach(user, Capability.READ_ACCESS_LOG)
    if not reach:
        return []
    rows: list[HistoryRow] = []
    posts = _window(
        _events("tiers.StaffPostEvent")
        .filter(reach.q("region__path"))
        .select_related("user", "region", "organisation"),
        filters,
        person_field="user_id",
    )
    rows += history_rows(
        posts[:limit],
        fields=["user", "region", "role", "organisation", "title"],
        label=lambda e: _("岗位：%(user)s") % {"user": e.user.get_full_name() or e.user.username},
    )
    for label, field in (
        ("cases.WorkingGroupMemberEvent", "user"),
        ("cases.WorkingGroupOrganisationEvent", "organisation"),
    ):
        members = _window(
            _events(label).filter(reach.q("workinggroup__region__path")).select_related(field, "workinggroup__region"),
            filters,
            person_field="user_id" if field == "user" else "pgh_context__user",
        )
        rows += history_rows(
            members[:limit],
            fields=[field, "workinggroup"],
            obj_field="workinggroup_id",
            label=lambda e: _("工作小组成员：%(group)s") % {"group": e.workinggroup},
        )
    helpers = _window(
        _events("screening.PairedHelperEvent").filter(reach.q("minor__region__path")),
        filters,
        person_field="user_id",
    )
    rows += history_rows(
        helpers[:limit],
        fields=["name", "user", "organisation", "since", "until"],
        label=lambda e: _("一对一帮扶人（档案编号 %(id)s）") % {"id": e.minor_id},
    )
    holders = get_user_model().objects.filter(reach.q("posts__region__path")).values("pk")
    tokens = _window(
        _events("tiers.ApiTokenEvent").filter(user_id__in=holders).select_related("user"),
        filters,
        person_field="user_id",
    )
    rows += history_rows(
        tokens[:limit],
        fields=["user", "name", "key_prefix", "expires_at", "revoked_at"],
        label=lambda e: _("API 令牌：%(user)s") % {"user": e.user.get_full_name() or e.user.username},
    )
    return sorted(rows, key=lambda row: row.at, reverse=True)[:limit]

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
GRANT_HISTORY_PAGE_SIZE = 50


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


class GrantHistory:
    """The grant events of a reader's area, newest first, as a sequence a Paginator can page: `count()` adds
    up the sources' counts; a slice takes the first `stop` events of each source (each is ordered newest
    first), merges them and cuts. Ties are broken by source and event id, so pages never overlap."""

    def __init__(self, sources: list[tuple]):
        self.sources = sources  # [(events queryset, build(events) -> list[HistoryRow]), …]

    def count(self) -> int:
        return sum(events.count() for events, _build in self.sources)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        keyed = []
        for order, (events, build) in enumerate(self.sources):
            keyed += [((row.at, order, row.event.pgh_id), row) for row in build(list(events[:stop]))]
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        return [row for _key, row in keyed[start:stop]]


def _name(user) -> str:
    return user.get_full_name() or user.username


def grant_history_events(*, user, filters: GrantFilters | None = None) -> GrantHistory:
    """Grant events in the user's READ_ACCESS_LOG reach, newest first, pageable (domain.md §13 audit logs)."""
    filters = filters or GrantFilters()
    reach = user_reach(user, Capability.READ_ACCESS_LOG)
    if not reach:
        return GrantHistory([])
    sources: list[tuple] = []
    posts = _window(
        _events("tiers.StaffPostEvent")
        .filter(reach.q("region__path"))
        .select_related("user", "region", "organisation"),
        filters,
        person_field="user_id",
    )
    sources.append(
        (
            posts,
            lambda events: history_rows(
                events,
                fields=["user", "region", "role", "organisation", "title"],
                label=lambda e: _("岗位：%(user)s") % {"user": _name(e.user)},
            ),
        )
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
        sources.append(
            (
                members,
                lambda events, field=field: history_rows(
                    events,
                    fields=[field, "workinggroup"],
                    obj_field="workinggroup_id",
                    label=lambda e: _("工作小组成员：%(group)s") % {"group": e.workinggroup},
                ),
            )
        )
    helpers = _window(
        _events("screening.PairedHelperEvent").filter(reach.q("minor__region__path")),
        filters,
        person_field="user_id",
    )
    sources.append(
        (
            helpers,
            lambda events: history_rows(
                events,
                fields=["name", "user", "organisation", "since", "until"],
                label=lambda e: _("一对一帮扶人（档案编号 %(id)s）") % {"id": e.minor_id},
            ),
        )
    )
    holders = get_user_model().objects.filter(reach.q("posts__region__path")).values("pk")
    tokens = _window(
        _events("tiers.ApiTokenEvent").filter(user_id__in=holders).select_related("user"),
        filters,
        person_field="user_id",
    )
    sources.append(
        (
            tokens,
            lambda events: history_rows(
                events,
                fields=["user", "name", "key_prefix", "expires_at", "revoked_at"],
                label=lambda e: _("API 令牌：%(user)s") % {"user": _name(e.user)},
            ),
        )
    )
    return GrantHistory(sources)


def grant_history(*, user, filters: GrantFilters | None = None, limit: int = GRANT_HISTORY_LIMIT) -> list[HistoryRow]:
    """The newest `limit` grant events in the user's READ_ACCESS_LOG reach (see grant_history_events)."""
    return grant_history_events(user=user, filters=filters)[:limit]

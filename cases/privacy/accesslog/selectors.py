"""Reading the access log (issue 10 §2; domain.md §13 "audit logs"): who read which child's record.

The head of a town office and the county civil-affairs post (READ_ACCESS_LOG) read the rows of the
children in their reach, and nothing else: a row is in scope when its minor is (`minor_scope_q` with
READ_ACCESS_LOG), whoever the reader was. Rows without a minor (none are written today) are left out.
The log's own pages load the Minor of every row they show, so the access log logs its own reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import AccessLog, Minor
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability
from tiers.selectors import user_reach


@dataclass(frozen=True)
class AccessLogFilters:
    minor: Minor | None = None
    user: object | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # inclusive
    action: str = ""
    channel: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log_scope(*, reader) -> QuerySet[AccessLog]:
    """Every access-log row the reader may read: those of the children in their READ_ACCESS_LOG reach."""
    return AccessLog.objects.filter(minor_scope_q(reader, Capability.READ_ACCESS_LOG, prefix="minor__"))


def access_log_entries(*, reader, filters: AccessLogFilters | None = None) -> QuerySet[AccessLog]:
    """The rows in the reader's scope, filtered, newest first, each with its reader and its child
    (loading the child is what logs this read of the log)."""
    filters = filters or AccessLogFilters()
    rows = access_log_scope(reader=reader)
    if filters.minor is not None:
        rows = rows.filter(minor=filters.minor)
    if filters.user is not None:
        rows = rows.filter(user=filters.user)
    if filters.date_from is not None:
        rows = rows.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        rows = rows.filter(at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows.select_related("user", "minor", "minor__region").order_by("-at", "-id")


def access_log_minor_get(*, reader, pk: int) -> Minor:
    """The child whose log the reader asks for: one in their READ_ACCESS_LOG reach, else 404."""
    minor = (
        Minor.objects.filter(minor_scope_q(reader, Capability.READ_ACCESS_LOG), pk=pk).select_related("region").first()
    )
    if minor is None:
        raise Http404
    return minor


def access_log_user_get(*, reader, pk: int):
    """The user whose reads the reader asks for: one holding a post in the reader's READ_ACCESS_LOG
    reach, or anyone who read a child in that reach; else 404 (a stranger's existence is not shown)."""
    reach = user_reach(reader, Capability.READ_ACCESS_LOG)
    if not reach:
        raise Http404
    read_in_scope = access_log_scope(reader=reader).filter(user=OuterRef("pk"))
    user = (
        get_user_model()
        .objects.filter(Q(pk=pk), reach.q("posts__region__path") | Q(Exists(read_in_scope)))
        .distinct()
        .first()
    )
    if user is None:
        raise Http404
    return user


def emergency_access_lookup(*, user, reference: str) -> Minor | None:
    """The record a break-the-glass user names, anywhere in the deployment: by ID number or by record
    number (the number in the record page's address). Only for BREAK_GLASS holders; nothing is shown
    until the grant is open, so the load is not a read (the record page that follows is logged)."""
    from cases.accesslog.recorder import access_suspended
    from tiers.selectors import user_can

    if not user_can(user, Capability.BREAK_GLASS):
        return None
    reference = reference.strip().upper()
    if not reference:
        return None
    with access_suspended():
        minor = Minor.objects.filter(id_number=reference).select_related("region").first()
        if minor is None and reference.isdigit() and len(reference) <= 12:
            minor = Minor.objects.filter(pk=int(reference)).select_related("region").first()
    return minor


def emergency_access_list(*, user) -> QuerySet:
    """The user's own emergency grants, newest first (the page shows record numbers, not names)."""
    from cases.models import EmergencyAccess

    return EmergencyAccess.objects.filter(user=user).order_by("-granted_at", "-id")


def emergency_access_get(*, user, pk: int):
    """One of the user's own emergency grants; anyone else's (or none) answers 404."""
    from cases.models import EmergencyAccess

    grant = EmergencyAccess.objects.filter(user=user, pk=pk).first()
    if grant is None:
        raise Http404
    return grant

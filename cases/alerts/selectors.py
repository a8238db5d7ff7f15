"""Reads of alerts and notifications. Each takes the user: alerts about children in their reach (a child
they may not see now, a sealed record for instance, is absent), and their own notifications."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from cases.alerts.models import Alert, Notification
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability
from tiers.selectors import scope_q, user_can


def alert_list(*, user, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts about children in the user's reach."""
    # An alert about a child is shown only to someone who may see the child now (sealed records, issue 10 §3).
    about_child = Q(minor__isnull=True) | minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    alerts = Alert.objects.filter(scope_q(user, Capability.VIEW_RECORDS), about_child).select_related("minor", "region")
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return alerts.order_by("-created_at", "-id")


def notifications_shown_q(user) -> Q:
    """The notices `user` may still read: those about no child, and those whose child (Notification.minor)
    the user may see now (issue 10 §3, §4; domain.md §13). One condition on the notification's child, no query
    of its own: for holders of VIEW_RECORDS the registry's filter (minor_scope_q: a child sealed since, moved
    out of their reach, or whose emergency access ended is gone); partner staff, told of a child through a
    measure or a referral they work on, lose a notice once the record is sealed (a move withdraws theirs,
    cases.privacy.moves.services); a figures-only login reads none about a child."""
    from cases.privacy.sealing.selectors import figures_only, sealed_visible_q

    no_child = Q(minor__isnull=True)
    if user_can(user, Capability.VIEW_RECORDS):
        return no_child | minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    if figures_only(user):
        return no_child
    return no_child | sealed_visible_q(user, "minor__")


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications that they may still read (notifications_shown_q), unread first, newest
    first; the unread count on every page counts the same rows."""
    return (
        Notification.objects.filter(notifications_shown_q(user), user=user)
        # The alert names its child: loading it notes the read for the access log (Alert.from_db).
        .select_related("alert")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    )

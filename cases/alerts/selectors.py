"""Reads of alerts and notifications. Each takes the user: alerts about children in their reach (a child
they may not see now, a sealed record for instance, is absent), and their own notifications."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from cases.alerts.models import Alert, Notification
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability
from tiers.selectors import scope_q


def alert_list(*, user, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts about children in the user's reach."""
    # An alert about a child is shown only to someone who may see the child now (sealed records, issue 10 §3).
    about_child = Q(minor__isnull=True) | minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__")
    alerts = Alert.objects.filter(scope_q(user, Capability.VIEW_RECORDS), about_child).select_related("minor", "region")
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return alerts.order_by("-created_at", "-id")


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, unread first, newest first."""

    from cases.models import Notification
    from cases.privacy.sealing.selectors import notifications_hidden_q

    # A notice about a child sealed since (an alert's, or one whose link points at the child's record, case,
    # referral or report) is no longer shown to someone outside VIEW_SEALED (issue 10 §3).
    about_sealed = notifications_hidden_q(user)
    return (
        Notification.objects.filter(user=user)
        .exclude(about_sealed)
        # The alert names its child: loading it notes the read for the access log (Alert.from_db).
        .select_related("alert")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    )

"""Reads for alerts about children (their pages are moving to cases/alerts/). The other reads of screening
live with their topic: screening.grading.selectors, screening.visits.selectors, screening.policy.selectors."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.models import Alert
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

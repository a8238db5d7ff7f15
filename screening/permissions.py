"""Who may do what on the grading and visit pages, beyond seeing the child (cases.registry.selectors.minor_get
answers 404 outside reach). Each answer comes from the user's posts, loaded once per request."""

from __future__ import annotations

from cases.models import Alert, Minor
from cases.services.alerts import alert_may_acknowledge
from tiers.roles import Capability
from tiers.selectors import user_reach


def may_grade(*, user, minor: Minor) -> bool:
    """Assess, grade and record emergency responses: the town office and child supervisors."""
    return user_reach(user, Capability.GRADE).covers(minor.region.path)


def may_acknowledge(*, user, alert: Alert) -> bool:
    """See cases.services.alerts.alert_may_acknowledge: the rule lives with the service."""
    return alert_may_acknowledge(user=user, alert=alert)

"""Who may do what on the grading and visit pages, beyond seeing the child (cases.selectors.minor_get
answers 404 outside reach). Each answer comes from the user's posts, loaded once per request."""

from __future__ import annotations

from cases.models import Alert, Minor
from tiers.roles import Capability
from tiers.selectors import user_posts, user_reach


def may_grade(*, user, minor: Minor) -> bool:
    """Assess, grade and record emergency responses: the town office and child supervisors."""
    return user_reach(user, Capability.GRADE).covers(minor.region.path)


def may_acknowledge(*, user, alert: Alert) -> bool:
    """An alert is acknowledged by someone it was addressed to: a post with one of its recipient roles
    at the alert's place or above (domain.md §1.3: the tier told is the tier that answers)."""
    roles = {role for role in alert.recipient_roles if isinstance(role, str)}
    return any(
        post.role in roles and post.region.is_active and alert.region.path.startswith(post.region.path)
        for post in user_posts(user)
    )

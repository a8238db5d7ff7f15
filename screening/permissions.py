"""Who may do what on the grading and visit pages, beyond seeing the child (cases.registry.selectors.minor_get
answers 404 outside reach). Each answer comes from the user's posts, loaded once per request."""

from __future__ import annotations

from cases.models import Minor
from tiers.roles import Capability
from tiers.selectors import user_reach


def may_grade(*, user, minor: Minor) -> bool:
    """Assess, grade and record emergency responses: the town office and child supervisors."""
    return user_reach(user, Capability.GRADE).covers(minor.region.path)

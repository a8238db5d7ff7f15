"""Break-the-glass grants in force (issue 10 §10): which records a user may read for now, outside reach."""

from __future__ import annotations

from django.utils import timezone

_CACHE_ATTR = "_minorprot_emergency_ids"


def emergency_minor_ids(user) -> frozenset[int]:
    """Ids of the minors whose records `user` opened in an emergency and may still read (cached on the
    user object for the request, like its posts)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from tiers.roles import Capability
        from tiers.selectors import user_can

        if not user_can(user, Capability.BREAK_GLASS):
            setattr(user, _CACHE_ATTR, frozenset())
            return frozenset()
        from cases.accesslog.recorder import access_suspended
        from cases.models import EmergencyAccess

        with access_suspended():
            cached = frozenset(
                EmergencyAccess.objects.filter(
                    user=user, expires_at__gt=timezone.now(), ended_at__isnull=True
                ).values_list("minor_id", flat=True)
            )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_emergency(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)

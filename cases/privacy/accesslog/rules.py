"""The numbers of break-the-glass access (issue 10 §10; domain.md §13). How long a grant lasts is the
setting MINORPROT_EMERGENCY_ACCESS_HOURS (default 4)."""

from __future__ import annotations

from django.conf import settings

# A reason short enough to be a formality ("紧急") is refused: the town office head reads it.
EMERGENCY_REASON_MIN_LENGTH = 10
DEFAULT_EMERGENCY_ACCESS_HOURS = 4


def emergency_access_hours() -> int:
    return int(getattr(settings, "MINORPROT_EMERGENCY_ACCESS_HOURS", DEFAULT_EMERGENCY_ACCESS_HOURS))

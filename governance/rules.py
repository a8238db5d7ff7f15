"""The rules of governance records, in one place (issue 11 §2); services and selectors import them."""

from __future__ import annotations

from django.conf import settings

from tiers.roles import Level

# Meetings are held by a town's or a county's leadership group and liaison meeting, not by a village or a
# grid (domain.md §4 mechanism 1: the town and the district each set up a leadership group; §1.3 T-9).
GOVERNANCE_LEVELS = (Level.TOWN, Level.COUNTY)

# The follow-up item fields a correction of the meeting may change (the status has its own service).
ACTION_ITEM_FIELDS = ("description", "responsible", "due_on")


def leadership_meetings_required() -> int:
    """Leadership-group meetings a unit holds per calendar year: "≥ 2 times a year" (domain.md §4
    mechanism 1, §10.1), configurable with MINORPROT_LEADERSHIP_MEETINGS_PER_YEAR."""
    return getattr(settings, "MINORPROT_LEADERSHIP_MEETINGS_PER_YEAR", 2)

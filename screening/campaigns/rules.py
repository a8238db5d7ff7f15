"""The rules of screening campaigns (摸底排查; issue 12 §3, domain.md §4 row 2). Callers import them."""

from __future__ import annotations

from cases.models import ClosedReason
from screening.campaigns.models import ItemOutcome
from tiers.roles import Level

# Who may open a campaign, and for what area: a town or a county (issue 12 §3: "the town office or the
# county opens a campaign for its area").
CAMPAIGN_LEVELS = (Level.TOWN, Level.COUNTY)

# Outcomes that close the record through the registry, with the matching reason (domain.md §10.3 for the
# age; §1.3 T-5 for leaving the area).
CLOSING_OUTCOMES: dict[str, str] = {
    ItemOutcome.LEFT_AREA: ClosedReason.MOVED_AWAY,
    ItemOutcome.AGED_OUT: ClosedReason.AGED_OUT,
    ItemOutcome.DECEASED: ClosedReason.DECEASED,
}

# Outcomes after which the user goes on to the registry's page to make the change there.
REGISTRY_PAGE_OUTCOMES: dict[str, str] = {
    ItemOutcome.CHANGED: "minor_edit",
    ItemOutcome.MOVED: "minor_move",
}

# "Changed this period" (domain.md §4 row 2): every confirmed child whose situation is not unchanged.
CHANGED_OUTCOMES = tuple(o for o in ItemOutcome.values if o != ItemOutcome.UNCHANGED)

# A village is behind once the deadline has passed with children still to confirm (the alert
# CAMPAIGN_VILLAGE_BEHIND, cases/alerts/rules.py). [PROPOSAL] no grace days.
BEHIND_GRACE_DAYS = 0

# Reminder (CAMPAIGN_DEADLINE_NEAR): this many days before the deadline, villages with children still to
# confirm are reminded, once per campaign. [PROPOSAL]
REMIND_DAYS_BEFORE = 3

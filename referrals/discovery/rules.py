"""The rules of patrols and sentinel points in one place (issue 12 §4).

- Who keeps them: the town's office (民政办, its staff and head) sets up patrol groups and sentinel points
  and records patrols for the town (domain.md §7.1 discovery channels run by the town).
- Patrol group members are users holding a post in the town (its office, leader, village child directors,
  grid heads); a patrol's participants are members of its group.
- A sentinel point's monitoring administrator (健康监测管理员, domain.md §13) holds a post in the point's
  town, so the intake queue knows them as a first receiver (referrals.intake.services.report_may_receive).
- A sentinel point silent for MINORPROT_SENTINEL_SILENT_DAYS days (domain.md §13 "sentinel points report
  regularly"; [PROPOSAL] default 90 days) is flagged (AlertRule.SENTINEL_SILENT); the setting is read here only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from tiers.roles import Role

OFFICE_ROLES = (Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD)
# Posts that cannot be members or administrators: partners report through their own channel (PARTNER_API),
# figures-only logins see no records.
NON_MEMBER_ROLES = (Role.PARTNER_STAFF, Role.LEADERSHIP_VIEWER)


def sentinel_silent_days() -> int:
    return settings.MINORPROT_SENTINEL_SILENT_DAYS


def sentinel_silent_since(*, last_report_at: datetime | None, created_at: datetime) -> datetime:
    """The moment the point's silence is counted from: its last report, or its creation."""
    return last_report_at or created_at


def sentinel_is_silent(*, last_report_at: datetime | None, created_at: datetime, now: datetime) -> bool:
    since = sentinel_silent_since(last_report_at=last_report_at, created_at=created_at)
    return since + timedelta(days=sentinel_silent_days()) <= now

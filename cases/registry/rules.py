"""The registry's rules in one place (issue 11 §2): who counts as a minor. The registration and restore
services, the age jobs (screening.rules.aged_out_age) and the eligibility hints read it from here."""

from __future__ import annotations

from django.conf import settings


# --- age thresholds (domain.md §10.3) ------------------------------------------------------------------------
# A minor is under 18: at that age a record cannot be registered or restored, and the age job closes it as
# aged out. [PROPOSAL] configurable: the setting MINOR_AGE_LIMIT (MINORPROT_MINOR_AGE_LIMIT), read here only.
def minor_age_limit() -> int:
    return settings.MINOR_AGE_LIMIT

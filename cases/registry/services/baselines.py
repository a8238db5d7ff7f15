"""A village's count of all minors (底数, domain.md §2.2 rule; §12)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import BaselinePopulation
from cases.registry.services.common import _today
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


@transaction.atomic
def baseline_record(*, actor, region: Region, as_of: date, minor_count: int, note: str = "") -> BaselinePopulation:
    """Record a village's count of all minors (底数) on a date; a second figure for the same date
    replaces the first (domain.md §2.2 rule: ordinary minors are registered only in aggregate)."""
    if region.level != Level.VILLAGE:
        raise ValidationError({"region": [ValidationError(_("底数按村（社区）填报。"), code="invalid_level")]})
    if not user_reach(actor, Capability.RECORD_BASELINE).covers(region.path):
        raise ActionNotAllowed
    if as_of > _today():
        raise ValidationError({"as_of": [ValidationError(_("统计日期不能晚于今天。"), code="future")]})
    if minor_count is None or minor_count < 0:
        raise ValidationError({"minor_count": [ValidationError(_("请填写不小于0的人数。"), code="invalid")]})
    baseline, _created = BaselinePopulation.objects.update_or_create(
        region=region,
        as_of=as_of,
        defaults={
            "minor_count": minor_count,
            "note": note.strip(),
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    return baseline

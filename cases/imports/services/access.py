"""Who may import into a town (issue 12 §1): a town office with the IMPORT_LEDGER capability, or the system."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.imports.services.errors import ImportPermissionDenied
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def _require_import(actor, town: Region) -> None:
    from cases.registry.services import _is_system

    if town.level != Level.TOWN:
        raise ValidationError({"town": [ValidationError(_("请选择乡镇（街道）。"), code="invalid_level")]})
    if not (_is_system(actor) or user_reach(actor, Capability.IMPORT_LEDGER).covers(town.path)):
        raise ImportPermissionDenied

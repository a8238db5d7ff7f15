"""What every casework service shares: its field errors, the reach check and the case's event row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseEvent
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.selectors import user_reach

DENIED_CASE = gettext_lazy("您的岗位无权办理该个案。")


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def require(actor, region: Region, capability: str, message=DENIED_CASE) -> None:
    """ActionNotAllowed (403, with `message`) unless the actor holds `capability` over `region`."""
    if not user_reach(actor, capability).covers(region.path):
        raise ActionNotAllowed(message)


def case_event(*, case: Case, kind: str, actor, changes: list[dict] | None = None, note: str = "") -> CaseEvent:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, changes=changes or [], note=note)

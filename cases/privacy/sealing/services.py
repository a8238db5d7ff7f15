"""Sealing a minor's record and lifting the seal (issue 10 §3; domain.md §13: seal minors' criminal records,
protect victims' reputation and privacy).

A sealed record stays in the registry and in the figures, but is seen only by holders of VIEW_SEALED in its
subtree (the town office roles of its town, the county civil-affairs post): never by partners, village staff,
leadership or exports to anyone else. `cases.registry.selectors.minor_scope_q` applies that to every read; this module
only sets and clears the flag, with the reason (and an optional document, e.g. a court's notice) kept as a
MinorEvent in the record's history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Minor, MinorEvent
from tiers.errors import ActionNotAllowed
from tiers.roles import Capability
from tiers.selectors import user_reach

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def minor_may_seal(*, user, minor: Minor) -> bool:
    """Whether `user` may seal or unseal `minor`'s record: SEAL_RECORDS (the town office head) over its place."""
    return user_reach(user, Capability.SEAL_RECORDS).covers(minor.region.path)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("请填写原因。"), code="required")]})
    return reason


def _check_document(document) -> None:
    if document is None:
        return
    name = (getattr(document, "name", "") or "").lower()
    if not name.endswith(DOCUMENT_EXTENSIONS):
        raise ValidationError(
            {"document": [ValidationError(_("依据文件须为 PDF、JPG 或 PNG 格式。"), code="invalid_type")]}
        )
    if (getattr(document, "size", 0) or 0) > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": [ValidationError(_("依据文件不能超过 10 MB。"), code="too_large")]})


def _lock(*, actor, minor: Minor) -> Minor:
    locked = Minor.objects.select_for_update().select_related("region").get(pk=minor.pk)
    if not minor_may_seal(user=actor, minor=locked):
        raise ActionNotAllowed
    return locked


@transaction.atomic
def minor_seal(*, actor, minor: Minor, reason: str, document=None) -> Minor:
    """Seal the record (domain.md §13 犯罪记录封存; issue 10 §3). From the commit on, only VIEW_SEALED holders of
    its subtree see the child; partners, village staff and figures-only logins do not, and exports to others
    leave it out. The reason is required; a document (court's notice) is optional and kept with the event."""
    locked = _lock(actor=actor, minor=minor)
    reason = _clean_reason(reason)
    if locked.is_sealed:
        raise ValidationError({"reason": [ValidationError(_("该档案已封存。"), code="already_sealed")]})
    _check_document(document)
    locked.is_sealed = True
    locked.updated_at = timezone.now()
    locked.save(update_fields=["is_sealed", "updated_at"])
    event = MinorEvent(
        minor=locked,
        kind=MinorEvent.Kind.SEALED,
        actor=actor,
        changes=[{"field": "is_sealed", "from": False, "to": True}],
        note=reason,
    )
    if document is not None:
        event.document.save(document.name.rsplit("/", 1)[-1], document, save=False)
    event.save()
    return locked


@transaction.atomic
def minor_unseal(*, actor, minor: Minor, reason: str) -> Minor:
    """Lift the seal (issue 10 §3): the record is seen again by everyone whose reach covers it. Reason required."""
    locked = _lock(actor=actor, minor=minor)
    reason = _clean_reason(reason)
    if not locked.is_sealed:
        raise ValidationError({"reason": [ValidationError(_("该档案未封存。"), code="not_sealed")]})
    locked.is_sealed = False
    locked.updated_at = timezone.now()
    locked.save(update_fields=["is_sealed", "updated_at"])
    MinorEvent.objects.create(
        minor=locked,
        kind=MinorEvent.Kind.UNSEALED,
        actor=actor,
        changes=[{"field": "is_sealed", "from": True, "to": False}],
        note=reason,
    )
    return locked

"""Reads for the ledger import: the towns a user may import into and the batches a town can read back
(issue 12 §1). A batch of a town outside the user's reach is absent (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases.imports.models import ImportBatch, LedgerSynonym
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import scope_q, user_reach


def import_towns(*, user) -> QuerySet[Region]:
    """Towns the user may import a ledger into: the town office's own, any town of the county's."""
    return Region.objects.filter(
        scope_q(user, Capability.IMPORT_LEDGER, field="path"), level=Level.TOWN, is_active=True
    )


def import_town_get(*, user, pk: int) -> Region:
    town = import_towns(user=user).filter(pk=pk).first()
    if town is None:
        raise Http404
    return town


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    reach = user_reach(user, Capability.IMPORT_LEDGER)
    return (
        ImportBatch.objects.filter(reach.q("town__path"))
        .select_related("town", "created_by")
        .order_by("-created_at", "-id")
    )


def import_batch_get(*, user, pk: int) -> ImportBatch:
    batch = import_batch_list(user=user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def town_synonyms(*, user, town: Region) -> QuerySet[LedgerSynonym]:
    """The words a town has mapped itself, newest first."""
    if not user_reach(user, Capability.IMPORT_LEDGER).covers(town.path):
        raise Http404
    return LedgerSynonym.objects.filter(town=town).order_by("-created_at")

"""Reads of ledger exports: a user sees only the exports they asked for. Another user's export does
not exist for them (404), whatever their posts: the file holds the requester's reach, not theirs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reporting.models import LedgerExport


def ledger_export_list(*, user) -> QuerySet[LedgerExport]:
    """The user's own exports, newest first."""
    return LedgerExport.objects.filter(requested_by=user).order_by("-requested_at", "-id")


def ledger_export_get(*, user, pk: int) -> LedgerExport:
    return get_object_or_404(ledger_export_list(user=user), pk=pk)

"""Reads of correction and deletion requests (issue 10 §9; domain.md §13). A request is seen only by
users who may see its child (`minor_scope_q`); anything else is absent, so views answer 404."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from cases.models import DataRequest, MinorEvent
from cases.models.privacy import DataRequestStatus
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability
from tiers.selectors import user_reach

from .services import PLACEHOLDER

# History entries whose changes carry no personal data: shown as they are on an anonymised record.
_CODED_FIELDS = {
    "region",
    "category",
    "status",
    "closed_reason",
    "gender",
    "hukou_type",
    "hukou_in_district",
    "education_status",
    "orphan_care_setting",
    "relation",
    "lives_with_minor",
    "is_imprisoned",
    "in_drug_rehab",
    "is_seriously_ill",
    "is_disabled",
    "is_deceased",
    "is_missing",
    "works_away",
    "other_situation",
    "is_sealed",
    "data_request",
    "data_request_status",
}


def data_request_list(*, user, status: str = "", minor=None) -> QuerySet[DataRequest]:
    queryset = DataRequest.objects.filter(minor_scope_q(user, prefix="minor__"))
    if status:
        queryset = queryset.filter(status=status)
    if minor is not None:
        queryset = queryset.filter(minor=minor)
    return queryset.select_related("minor", "minor__region", "received_by", "decided_by").order_by(
        "-received_at", "-id"
    )


def data_request_pending_for_decision(*, user) -> QuerySet[DataRequest]:
    """The pending requests the user may decide (the town office head's list)."""
    reach = user_reach(user, Capability.DECIDE_DATA_REQUESTS)
    return data_request_list(user=user, status=DataRequestStatus.PENDING).filter(reach.q("minor__region__path"))


def data_request_get(*, user, pk: int) -> DataRequest:
    request = data_request_list(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def data_request_may_decide(*, user, request: DataRequest) -> bool:
    return user_reach(user, Capability.DECIDE_DATA_REQUESTS).covers(request.minor.region.path)


def history_redacted(events: Iterable[MinorEvent], *, anonymised_at) -> list[MinorEvent]:
    """An anonymised record's history as shown: the append-only rows are not changed, but their notes and
    every changed value that could name or locate the child are replaced by the placeholder in memory.
    Entries written after the deletion are shown as they are."""
    shown = []
    for event in events:
        if event.at < anonymised_at:
            event.note = PLACEHOLDER if event.note else ""
            event.changes = [
                change
                if change.get("field") in _CODED_FIELDS
                else {
                    **change,
                    "from": PLACEHOLDER if change.get("from") not in (None, "") else change.get("from"),
                    "to": PLACEHOLDER if change.get("to") not in (None, "") else change.get("to"),
                }
                for change in (event.changes or [])
            ]
        shown.append(event)
    return shown

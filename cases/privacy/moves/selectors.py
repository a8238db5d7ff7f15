"""Reads of cross-county move requests (issue 10 §5; STYLE.md rules 2–3).

- The receiving county's civil-affairs post (ACCEPT_MOVES over the destination) sees the requests it is
  asked to decide, and the ones it accepted (the child is then its own).
- The sending side sees its requests while it still sees the child (pending, declined, cancelled); once a
  request is accepted the child is no longer theirs and the request vanishes from their lists.
Anything else is absent and answers 404.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from cases.models.privacy import MoveRequest, MoveRequestStatus
from cases.registry.selectors import minor_scope_q
from tiers.roles import Capability
from tiers.selectors import scope_q


def _requests() -> QuerySet[MoveRequest]:
    return MoveRequest.objects.select_related(
        "minor__region", "from_region", "to_region", "requested_by", "decided_by"
    ).order_by("-requested_at", "-id")


def move_requests_incoming(*, user) -> QuerySet[MoveRequest]:
    """Requests to a village of a county where the user accepts moves: pending and accepted ones."""
    return _requests().filter(
        scope_q(user, Capability.ACCEPT_MOVES, field="to_region__path"),
        status__in=[MoveRequestStatus.PENDING, MoveRequestStatus.ACCEPTED],
    )


def move_requests_outgoing(*, user) -> QuerySet[MoveRequest]:
    """Requests for children the user may see where they live now (the sending side)."""
    return _requests().filter(
        minor_scope_q(user, Capability.VIEW_RECORDS, prefix="minor__"),
        minor__region=F("from_region"),
    )


def move_request_list(*, user) -> QuerySet[MoveRequest]:
    incoming = move_requests_incoming(user=user).values("pk")
    outgoing = move_requests_outgoing(user=user).values("pk")
    return _requests().filter(Q(pk__in=incoming) | Q(pk__in=outgoing))


def move_request_get(*, user, pk: int) -> MoveRequest:
    request = move_request_list(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def move_request_pending_for(*, minor) -> MoveRequest | None:
    """The pending request of a minor already obtained through cases.registry.selectors.minor_get."""
    return _requests().filter(minor=minor, status=MoveRequestStatus.PENDING).first()


def groups_for_measure(*, measure) -> QuerySet:
    """The working groups of the measure's track whose area holds the child (its town's, the county's)."""
    from cases.casework.selectors import paths_at_and_above
    from cases.models import WorkingGroup

    return (
        WorkingGroup.objects.filter(
            track=measure.track, region__path__in=paths_at_and_above(measure.case.minor.region.path)
        )
        .select_related("region")
        .order_by("-region__depth")
    )

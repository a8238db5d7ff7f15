"""API of cross-county move requests (issue 10 §5; domain.md §1.3 T-5):
`GET /api/v1/move-requests/` (incoming and outgoing), `GET /api/v1/move-requests/{id}/`,
`POST /api/v1/move-requests/{id}/accept/`, `…/decline/` `{"reason": …}`, `…/cancel/`.
A request is created by `POST /api/v1/minors/{id}/move/` to a village of another county (202).
Scoped like the pages (cases.privacy.moves.selectors): a request the caller may not see answers 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models.privacy import MoveRequest

from . import selectors, services
from .serializers import MoveAcceptSerializer, MoveCancelSerializer, MoveDeclineSerializer, MoveRequestSerializer


class MoveRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Move requests the caller decides (receiving county) or sent (while the child is still theirs)."""

    serializer_class = MoveRequestSerializer
    queryset = MoveRequest.objects.none()
    filterset_class = None

    def get_queryset(self):
        requests = selectors.move_request_list(user=self.request.user)
        status_filter = self.request.query_params.get("status", "")
        return requests.filter(status=status_filter) if status_filter else requests

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise Http404 from None
        return selectors.move_request_get(user=self.request.user, pk=pk)

    def _run(self, service, serializer_class, **rename):
        move_request = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, move_request=move_request, **serializer.validated_data)
        move_request.refresh_from_db()
        return Response(MoveRequestSerializer(move_request).data)

    @extend_schema(request=MoveAcceptSerializer, responses={200: MoveRequestSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The receiving county accepts: the record, case, alerts and visit plan are handed over now."""
        return self._run(services.move_request_accept, MoveAcceptSerializer)

    @extend_schema(request=MoveDeclineSerializer, responses={200: MoveRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The receiving county declines, with a reason; nothing moves."""
        return self._run(services.move_request_decline, MoveDeclineSerializer)

    @extend_schema(request=MoveCancelSerializer, responses={200: MoveRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The sending side withdraws its pending request."""
        return self._run(services.move_request_cancel, MoveCancelSerializer)


def register_routes(router) -> None:
    """Register this topic's API views on the v1 router."""
    router.register("move-requests", MoveRequestViewSet, basename="move-request")

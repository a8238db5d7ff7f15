"""API of the correction and deletion requests (issue 10 §9; domain.md §13):
`GET/POST /api/v1/data-requests/`, `GET /api/v1/data-requests/{id}/`, `POST /api/v1/data-requests/{id}/decide/`.

Scoped like the pages: a request whose child the caller may not see is absent (404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.models import DataRequest
from cases.registry.selectors import minor_base_queryset
from tiers.roles import Capability
from tiers.selectors import user_can

from . import selectors, services
from .serializers import DataRequestDecisionSerializer, DataRequestSerializer


class DataRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Correction and deletion requests of the children the caller may see."""

    serializer_class = DataRequestSerializer
    queryset = DataRequest.objects.none()
    filterset_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not user_can(request.user, Capability.VIEW_RECORDS):
            raise PermissionDenied(_("您的岗位无权查看未成年人档案。"))

    def get_queryset(self):
        status_filter = self.request.query_params.get("status", "")
        return selectors.data_request_list(user=self.request.user, status=status_filter)

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            from django.http import Http404

            raise Http404 from None
        return selectors.data_request_get(user=self.request.user, pk=pk)

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("minors", minor_base_queryset(user=self.request.user))
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validated = serializer.validated_data
        item = services.data_request_record(
            actor=request.user,
            minor=validated["minor"],
            kind=validated["kind"],
            requester=validated["requester"],
            requester_name=validated["requester_name"],
            reason=validated["reason"],
            corrections=validated.get("corrections") or None,
        )
        return Response(self.get_serializer(selectors.data_request_get(user=request.user, pk=item.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip

    @extend_schema(request=DataRequestDecisionSerializer, responses={200: DataRequestSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Grant or refuse the request, with a reason (the town office head)."""
        item = self.get_object()
        serializer = DataRequestDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.data_request_decide(actor=request.user, request=item, **serializer.validated_data)
        return Response(self.get_serializer(selectors.data_request_get(user=request.user, pk=item.pk)).data)


def register_routes(router) -> None:
    """Register this topic's API views on the v1 router."""
    router.register("data-requests", DataRequestViewSet, basename="data-request")

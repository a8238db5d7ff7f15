"""API of placements (domain.md §8.2–8.3)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin, require_case_work
from cases.casework.selectors import (
    case_get,
    placement_list,
)
from cases.casework.serializers.placements import PlacementEndSerializer, PlacementSerializer
from cases.models import (
    Placement,
)

# --- placements ----------------------------------------------------------------------------------------------------


class PlacementFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    current = django_filters.BooleanFilter(field_name="end_on", lookup_expr="isnull", label=_("当前安置"))

    class Meta:
        model = Placement
        fields = ["case", "current"]


class PlacementViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Placements (domain.md §8.2). A new placement ends the current one; see also
    GET /cases/{id}/placement-route/ for where a placement goes (§8.3)."""

    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    queryset = Placement.objects.none()

    def get_queryset(self):
        return placement_list(user=self.request.user)

    def fetch(self, pk: int) -> Placement:
        placement = placement_list(user=self.request.user).filter(pk=pk).first()
        if placement is None:
            raise Http404
        return placement

    def create(self, request, *args, **kwargs):
        require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        placement = cw.placement_record(
            actor=request.user,
            case=case,
            type=data["type"],
            start_on=data["start_on"],
            institution=data.get("institution"),
            institution_name=data.get("institution_name", ""),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(self.fetch(placement.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlacementEndSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the placement on a date."""
        placement = self.get_object()
        serializer = PlacementEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.placement_end(actor=request.user, placement=placement, **serializer.validated_data)
        return Response(self.get_serializer(self.fetch(placement.pk)).data)

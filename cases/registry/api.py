"""REST API v1 for the registry: /api/v1/minors/ and /api/v1/categories/.

Scoped exactly like the web pages: the queryset comes from cases.registry.selectors, so a record outside the
caller's reach is absent from lists and answers 404. Every record returned is in the access log.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.models import Category, Gender, Minor, MinorStatus, RiskGrade
from cases.privacy.moves.serializers import MoveRequestSerializer
from cases.privacy.sealing.serializers import MinorSealSerializer, MinorUnsealSerializer
from cases.privacy.sealing.services import minor_seal, minor_unseal
from cases.registry.selectors import category_list, minor_get, minor_history, minor_list, search_q
from cases.registry.serializers import (
    CategorySerializer,
    MinorCloseSerializer,
    MinorEventSerializer,
    MinorMoveSerializer,
    MinorReopenSerializer,
    MinorSerializer,
)
from cases.registry.services import (
    CategoryChoice,
    minor_close,
    minor_move,
    minor_register,
    minor_reopen,
    minor_update,
)
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import user_can


class MinorFilter(django_filters.FilterSet):
    region = django_filters.NumberFilter(method="filter_region", label=_("区划ID（含下级）"))
    category = django_filters.CharFilter(field_name="category_links__category__code", label=_("类别代码"))
    status = django_filters.ChoiceFilter(choices=MinorStatus.choices)
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    risk_grade = django_filters.ChoiceFilter(choices=RiskGrade.choices)
    search = django_filters.CharFilter(method="filter_search", label=_("姓名、拼音首字母或身份证号"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Minor
        fields = ["region", "category", "status", "gender", "risk_grade", "search", "updated_since"]

    def filter_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        if region is None:
            return queryset.none()
        return queryset.filter(region__path__startswith=region.path)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))


def _category_choices(validated: dict[str, Any]) -> list[CategoryChoice]:
    notes = validated.get("category_notes") or {}
    return [CategoryChoice(category.code, notes.get(category.code, "")) for category in validated["categories"]]


def _minor_data(validated: dict[str, Any]) -> dict[str, Any]:
    skip = {"region", "categories", "category_notes", "guardians", "confirm_possible_duplicate"}
    return {key: value for key, value in validated.items() if key not in skip}


def _guardians_as_input(minor: Minor) -> list[dict[str, Any]]:
    from cases.registry.services import GUARDIAN_FIELDS

    return [{"id": g.pk, **{field: getattr(g, field) for field in GUARDIAN_FIELDS}} for g in minor.guardians.all()]


class MinorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """At-risk minors in the caller's part of the administrative tree."""

    serializer_class = MinorSerializer
    filterset_class = MinorFilter
    queryset = Minor.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not user_can(request.user, Capability.VIEW_RECORDS):
            raise PermissionDenied(_("您的岗位无权查看未成年人档案。"))

    def get_queryset(self):
        return minor_list(user=self.request.user).distinct()

    def get_object(self):
        minor = minor_get(user=self.request.user, pk=self._pk())
        self.check_object_permissions(self.request, minor)
        return minor

    def _pk(self) -> int:
        try:
            return int(self.kwargs["pk"])
        except (TypeError, ValueError):
            from django.http import Http404

            raise Http404 from None

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        minor = self.get_object()
        return Response(self.get_serializer(minor).data)

    def create(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.CHANGE_RECORDS):
            raise PermissionDenied(_("您的岗位无权登记未成年人。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validated = serializer.validated_data
        minor = minor_register(
            actor=request.user,
            region=validated["region"],
            data=_minor_data(validated),
            guardians=validated.get("guardians", []),
            categories=_category_choices(validated),
            confirm_possible_duplicate=validated.get("confirm_possible_duplicate", False),
        )
        minor = minor_get(user=request.user, pk=minor.pk)
        return Response(self.get_serializer(minor).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        minor = self.get_object()
        serializer = self.get_serializer(minor, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        validated = serializer.validated_data
        from cases.registry.services import MINOR_FIELDS

        data = {field: getattr(minor, field) for field in MINOR_FIELDS}
        data.update(_minor_data(validated))
        if "categories" in validated:
            categories = _category_choices(validated)
        else:
            notes = validated.get("category_notes")
            categories = [
                CategoryChoice(link.category.code, (notes or {}).get(link.category.code, link.note))
                for link in minor.category_links.all()
            ]
        guardians = validated["guardians"] if "guardians" in validated else _guardians_as_input(minor)
        minor_update(
            actor=request.user,
            minor=minor,
            data=data,
            guardians=guardians,
            categories=categories,
            confirm_possible_duplicate=validated.get("confirm_possible_duplicate", False),
        )
        return Response(self.get_serializer(minor_get(user=request.user, pk=minor.pk)).data)

    def _run(self, service, serializer_class, **extra):
        minor = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, minor=minor, **serializer.validated_data, **extra)
        # Read back through the caller's scope: after a move out of their area the record is no longer
        # theirs to see, and the answer says only that it was done (204), not what it now holds.
        updated = (
            self.get_queryset()
            .filter(pk=minor.pk)
            .select_related("region")
            .prefetch_related("category_links__category", "guardians")
            .first()
        )
        if updated is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(updated).data)

    @extend_schema(request=MinorMoveSerializer, responses={200: MinorSerializer, 202: MoveRequestSerializer, 204: None})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the minor to another village or grid; the new village's staff take over the record, case,
        alerts and visit plan at once (200). To a village of another county this asks that county to accept
        (202 with the move request; nothing moves until it is accepted; issue 10 §5)."""
        from cases.privacy.moves.services import is_cross_county, move_request_create

        serializer = MinorMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = serializer.validated_data["region"]
        minor = self.get_object()
        if not is_cross_county(minor=minor, region=region):
            return self._run(minor_move, MinorMoveSerializer)
        move_request = move_request_create(
            actor=request.user, minor=minor, region=region, note=serializer.validated_data["note"]
        )
        return Response(MoveRequestSerializer(move_request).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=MinorCloseSerializer, responses={200: MinorSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the record with a reason (aged out, moved away, deceased, no longer at risk, duplicate)."""
        return self._run(minor_close, MinorCloseSerializer)

    @extend_schema(request=MinorReopenSerializer, responses={200: MinorSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Return a closed record to the active ledger."""
        return self._run(minor_reopen, MinorReopenSerializer)

    @extend_schema(request=MinorSealSerializer, responses={200: MinorSerializer})
    @action(detail=True, methods=["post"])
    def seal(self, request, pk=None):
        """Seal the record (town office head; reason required, optional document): only the town office roles
        of its town and the county civil-affairs post see it from now on (issue 10 §3)."""
        return self._run(minor_seal, MinorSealSerializer)

    @extend_schema(request=MinorUnsealSerializer, responses={200: MinorSerializer})
    @action(detail=True, methods=["post"])
    def unseal(self, request, pk=None):
        """Lift the seal (town office head; reason required)."""
        return self._run(minor_unseal, MinorUnsealSerializer)

    @extend_schema(responses={200: MinorEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change to the record, newest first."""
        minor = self.get_object()
        return Response(MinorEventSerializer(minor_history(user=request.user, minor=minor), many=True).data)


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The category list (domain.md §2.2)."""

    serializer_class = CategorySerializer
    queryset = Category.objects.none()
    pagination_class = None
    filterset_class = None

    def get_queryset(self):
        return category_list()


def register_routes(router) -> None:
    router.register("minors", MinorViewSet, basename="minor")
    router.register("categories", CategoryViewSet, basename="category")

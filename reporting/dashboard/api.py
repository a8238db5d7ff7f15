"""REST API v1, read-only: the quarterly figures of a region (issue 6 §1–2), for district systems and
leadership tools that build their own views. The same numbers as the dashboard — live for the current
quarter, frozen for past ones — and, like the dashboard, aggregates only: no child appears in them.

`GET /api/v1/figures/<division code>/?quarter=2026Q3&trend=8` answers the figures of that region's
subtree; a region outside the caller's VIEW_AGGREGATES reach answers 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from reporting.dashboard.selectors import DASHBOARD_LEVELS, figures_for, trend_for
from reporting.quarters import Quarter
from reporting.small_cells import small_cells_suppressed
from tiers.roles import Capability
from tiers.selectors import region_list


class FiguresQuerySerializer(serializers.Serializer):
    quarter = serializers.CharField(required=False, help_text="e.g. 2026Q3; the current quarter when omitted.")
    trend = serializers.IntegerField(
        required=False, min_value=0, max_value=20, default=0, help_text="Also return this many quarters' headlines."
    )

    def validate_quarter(self, value: str) -> Quarter:
        try:
            quarter = Quarter.parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc
        if quarter > Quarter.current():
            raise serializers.ValidationError(f"{quarter} has not started.", code="future")
        return quarter


class FiguresViewSet(viewsets.ViewSet):
    """Quarterly figures (统计数) of a county, town or village and everything under it."""

    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z\-]+"

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: OpenApiTypes.OBJECT},
        summary="Quarterly figures of a region's subtree (aggregates only)",
    )
    def retrieve(self, request, code: str | None = None):
        region = region_list(user=request.user, capability=Capability.VIEW_AGGREGATES).filter(code=code).first()
        if region is None or region.level not in DASHBOARD_LEVELS:
            raise Http404
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quarter = query.validated_data.get("quarter") or Quarter.current()
        body = dict(small_cells_suppressed(figures_for(region=region, quarter=quarter), user=request.user))
        if query.validated_data["trend"]:
            body["trend"] = trend_for(region=region, quarter=quarter, count=query.validated_data["trend"], figures=body)
        return Response(body)


def register_routes(router) -> None:
    router.register("figures", FiguresViewSet, basename="figures")

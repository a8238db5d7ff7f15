"""REST API v1 for assessments and the checklist (domain.md §3.1, §3.2), scoped like the registry (STYLE.md
rules 2–3). A minor outside the caller's area answers 404, in a body field as in a URL; a service's refusal
(ActionNotAllowed, ValidationError) is mapped to HTTP once, by minorprot.api.exception_handler."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from cases.accesslog.services import AccessLoggedRowsMixin
from cases.registry.selectors import minor_get, minor_scope_q
from screening.grading.selectors import indicator_list
from screening.grading.serializers import AssessmentSerializer, IndicatorSerializer
from screening.grading.services import assessment_record
from screening.models import Assessment, AssessmentKind, Indicator
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_posts


class AssessmentFilter(django_filters.FilterSet):
    minor = django_filters.NumberFilter(field_name="minor_id")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)

    class Meta:
        model = Assessment
        fields = ["minor", "kind"]


class AssessmentViewSet(AccessLoggedRowsMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Assessments (domain.md §3.2). A risk-level assessment grades the child (§3.1)."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    queryset = Assessment.objects.none()

    def get_queryset(self):
        return (
            Assessment.objects.filter(minor_scope_q(self.request.user, Capability.VIEW_RECORDS, prefix="minor__"))
            .select_related("assessor")
            .prefetch_related("indicators")
            .order_by("-assessed_on", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minor = minor_get(user=request.user, pk=data["minor_id"])
        assessment = assessment_record(
            actor=request.user,
            minor=minor,
            kind=data["kind"],
            indicator_codes=data.get("indicators", []),
            summary=data.get("summary", ""),
            final_grade=data.get("final_grade") or None,
            override_reason=data.get("override_reason", ""),
            assessed_on=data.get("assessed_on"),
        )
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The risk-level checklist (domain.md §3.1) with each indicator's minimum grade, as in force in one
    county (§14.7): `?county=<division code>`, else the county of the caller's first post, else the
    deployment defaults."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.none()
    pagination_class = None
    filterset_class = None

    def _county(self) -> Region | None:
        code = self.request.query_params.get("county")
        if code:
            return Region.objects.filter(code=code, level=Level.COUNTY).first()
        posts = user_posts(self.request.user)
        return posts[0].region if posts else None

    @extend_schema(parameters=[OpenApiParameter("county", str, description="County division code")])
    def list(self, request, *args, **kwargs):
        indicators = indicator_list(region=self._county())
        return Response(self.get_serializer(indicators, many=True).data)


def register_routes(router) -> None:
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("indicators", IndicatorViewSet, basename="indicator")

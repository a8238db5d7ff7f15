"""REST API v1 for assessments, visits and alerts, scoped like the registry (STYLE.md rules 2–3).
A minor outside the caller's area answers 404, in a body field as in a URL."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cases.accesslog.services import AccessLoggedRowsMixin
from cases.models import Alert
from cases.registry.selectors import minor_get, minor_scope_q
from cases.registry.services import RegistryPermissionDenied
from cases.services.alerts import alert_acknowledge
from screening.models import Assessment, AssessmentKind, Indicator, Visit, VisitKind
from screening.selectors import alert_list, indicator_list
from screening.serializers import AlertSerializer, AssessmentSerializer, IndicatorSerializer, VisitSerializer
from screening.services.grading import assessment_record
from screening.services.visits import VISIT_TEXT_FIELDS, visit_log
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_posts


def _service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(exc))


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
        try:
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
        except RegistryPermissionDenied:
            raise PermissionDenied(_("您的岗位无权进行该评估。")) from None
        except DjangoValidationError as exc:
            raise _service_error(exc) from None
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


class VisitFilter(django_filters.FilterSet):
    minor = django_filters.NumberFilter(field_name="minor_id")
    since = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="gte")
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices)

    class Meta:
        model = Visit
        fields = ["minor", "since", "kind"]


class VisitViewSet(AccessLoggedRowsMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Visits (走访). Create with JSON, or multipart to attach up to six photos (`photos`)."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    queryset = Visit.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            Visit.objects.filter(minor_scope_q(self.request.user, Capability.VIEW_RECORDS, prefix="minor__"))
            .select_related("visitor")
            .prefetch_related("photos")
            .order_by("-visited_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minor = minor_get(user=request.user, pk=data["minor_id"])
        try:
            visit = visit_log(
                actor=request.user,
                minor=minor,
                visited_at=data.get("visited_at"),
                kind=data["kind"],
                seen_in_person=data.get("seen_in_person", True),
                new_risk_found=data.get("new_risk_found", False),
                photos=data.get("photos", []),
                **{field: data.get(field, "") for field in VISIT_TEXT_FIELDS},
            )
        except RegistryPermissionDenied:
            raise PermissionDenied(_("您的岗位无权记录该走访。")) from None
        except DjangoValidationError as exc:
            raise _service_error(exc) from None
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


class AlertFilter(django_filters.FilterSet):
    rule = django_filters.CharFilter()
    severity = django_filters.ChoiceFilter(choices=Alert.Severity.choices)
    is_open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="open")

    class Meta:
        model = Alert
        fields = ["rule", "severity", "is_open"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts about children in the caller's area; acknowledge to say someone is on it."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    queryset = Alert.objects.none()

    def get_queryset(self):
        return alert_list(user=self.request.user, open_only=False)

    @extend_schema(request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        try:
            alert = alert_acknowledge(actor=request.user, alert=alert)
        except RegistryPermissionDenied:
            raise PermissionDenied(_("只有收到该预警的岗位可以确认。")) from None
        except DjangoValidationError as exc:
            raise _service_error(exc) from None
        return Response(self.get_serializer(alert).data)


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
    router.register("visits", VisitViewSet, basename="visit")
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("indicators", IndicatorViewSet, basename="indicator")

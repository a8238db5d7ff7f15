"""REST API v1 for alerts (they move to cases/alerts/ with their models), and the routes of screening's
topics: screening.grading.api (assessments, indicators) and screening.visits.api (visits)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.models import Alert
from cases.registry.services import RegistryPermissionDenied
from cases.services.alerts import alert_acknowledge
from screening.grading.api import register_routes as register_grading_routes
from screening.selectors import alert_list
from screening.serializers import AlertSerializer
from screening.visits.api import register_routes as register_visit_routes


def _service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(exc))


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


def register_routes(router) -> None:
    register_grading_routes(router)
    register_visit_routes(router)
    router.register("alerts", AlertViewSet, basename="alert")

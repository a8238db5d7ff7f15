"""REST API v1 for alerts (/api/v1/alerts/: about children in the caller's area; acknowledge) and the caller's
own notifications (/api/v1/notifications/; mark read). Service errors are mapped once, by
minorprot.api.exception_handler."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.alerts.models import Alert, Notification
from cases.alerts.selectors import alert_list, notification_list
from cases.alerts.serializers import AlertSerializer, NotificationReadSerializer, NotificationSerializer
from cases.alerts.services import alert_acknowledge, notifications_mark_read


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
        alert = alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(self.get_serializer(alert).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (alerts and assignments), unread first."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    filterset_class = None

    def get_queryset(self):
        return notification_list(user=self.request.user)

    @extend_schema(request=NotificationReadSerializer, responses={200: NotificationReadSerializer})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": count})


def register_routes(router) -> None:
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("notifications", NotificationViewSet, basename="notification")

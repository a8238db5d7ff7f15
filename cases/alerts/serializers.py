"""API representations of alerts and notifications (read-only; acknowledging and marking read are actions)."""

from __future__ import annotations

from rest_framework import serializers

from cases.alerts.models import Alert, Notification


class AlertSerializer(serializers.ModelSerializer):
    minor = serializers.PrimaryKeyRelatedField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "severity",
            "message",
            "minor",
            "region",
            "region_name",
            "period_key",
            "recipient_roles",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            "is_open",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "alert", "created_at", "read_at"]
        read_only_fields = fields


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Omit to mark every unread notification read."
    )

from __future__ import annotations

from rest_framework import serializers

from cases.models import Alert


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

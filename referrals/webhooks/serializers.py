"""API representations of webhook endpoints (issue 5 §5): the signing secret is shown once, at registration."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from referrals.webhooks.models import WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Registered: the secret is shown this once",
            response_only=True,
            value={
                "id": 3,
                "url": "https://partner.example.gov.cn/minorprot/hook",
                "created_at": "2026-11-20T09:00:00+08:00",
                "secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            },
        )
    ]
)
class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="HMAC-SHA256 key; shown only in this response.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = ["id", "created_at", "secret"]

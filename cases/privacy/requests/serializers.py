"""API shapes of the correction and deletion requests (issue 10 §9)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import DataRequest, Minor
from cases.models.privacy import DataRequestKind


class DataRequestSerializer(serializers.ModelSerializer):
    minor = serializers.PrimaryKeyRelatedField(queryset=Minor.objects.none(), label=_("未成年人"))
    minor_name = serializers.CharField(source="minor.name", read_only=True)
    received_by = serializers.CharField(source="received_by.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "minor",
            "minor_name",
            "kind",
            "requester",
            "requester_name",
            "corrections",
            "reason",
            "status",
            "received_by",
            "received_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = ["status", "received_by", "received_at", "decided_by", "decided_at", "decision_reason"]
        extra_kwargs = {"kind": {"choices": DataRequestKind.choices}}

    def __init__(self, *args, minors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if minors is not None:
            self.fields["minor"].queryset = minors


class DataRequestDecisionSerializer(serializers.Serializer):
    grant = serializers.BooleanField(label=_("同意"))
    reason = serializers.CharField(label=_("决定理由"), allow_blank=True)
    confirm_possible_duplicate = serializers.BooleanField(required=False, default=False)

from __future__ import annotations

from rest_framework import serializers

from cases.models.privacy import MoveRequest


class MoveRequestSerializer(serializers.ModelSerializer):
    minor_name = serializers.CharField(source="minor.name", read_only=True)
    from_region_name = serializers.CharField(source="from_region.name", read_only=True)
    to_region_name = serializers.CharField(source="to_region.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = MoveRequest
        fields = [
            "id",
            "minor",
            "minor_name",
            "from_region",
            "from_region_name",
            "to_region",
            "to_region_name",
            "note",
            "status",
            "status_display",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj: MoveRequest) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by_id else None


class MoveAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MoveDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class MoveCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")

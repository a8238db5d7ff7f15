"""API serializers of the governance records (read-only; meetings are recorded on the web pages)."""

from __future__ import annotations

from rest_framework import serializers

from governance.models import ActionItem, Meeting, MeetingKind


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "description", "responsible", "due_on", "status", "done_on", "note"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "region_code",
            "region_name",
            "kind",
            "held_on",
            "title",
            "chair",
            "attendees",
            "minutes",
            "decisions",
            "recorded_at",
            "updated_at",
            "action_items",
        ]
        read_only_fields = fields


class MeetingListQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Calendar year held.")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    region = serializers.CharField(
        required=False, max_length=20, help_text="Division code: meetings of that unit and the units under it."
    )

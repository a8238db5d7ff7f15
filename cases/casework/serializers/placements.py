"""API representations of a child's placements (domain.md §8.2, routed by §8.3)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.casework.serializers.base import OrganisationInReachField
from cases.models import Placement, PlacementType


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Foster family",
            request_only=True,
            value={"case": 7, "type": "FAMILY_FOSTER", "start_on": "2026-05-20", "institution_name": "柏树村寄养家庭"},
        )
    ]
)
class PlacementSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", help_text="The case's id; a case outside your area answers 404.")
    minor_name = serializers.CharField(source="case.minor.name", read_only=True)
    type = serializers.ChoiceField(choices=PlacementType.choices)
    institution = OrganisationInReachField(required=False, allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id",
            "case",
            "minor_name",
            "type",
            "institution",
            "institution_name",
            "start_on",
            "end_on",
            "is_current",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "end_on", "recorded_at"]
        extra_kwargs = {"start_on": {"required": True}}

    def get_is_current(self, placement: Placement) -> bool:
        return placement.end_on is None


class PlacementEndSerializer(serializers.Serializer):
    end_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")

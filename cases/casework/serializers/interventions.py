"""API representations of guardianship interventions, the ladder of domain.md §8.1."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.models import GuardianshipIntervention, InterventionLevel


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Level 2: police reprimand (recorded as taken)",
            request_only=True,
            value={"case": 7, "level": 2, "actor": "青溪派出所", "guardian": 31, "taken_on": "2026-05-12"},
        ),
        OpenApiExample(
            "Level 3: protection order (waits for the town leader's approval)",
            request_only=True,
            value={"case": 7, "level": 3, "action": "申请人身安全保护令", "actor": "镇民政办、派出所"},
        ),
    ]
)
class InterventionSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", help_text="The case's id; a case outside your area answers 404.")
    minor_name = serializers.CharField(source="case.minor.name", read_only=True)
    level = serializers.ChoiceField(choices=InterventionLevel.choices, help_text="0 guidance … 4 judicial (§8.1).")
    action = serializers.CharField(required=False, allow_blank=True, default="", help_text="Defaults to the level's.")
    actor = serializers.CharField(allow_blank=True, help_text="The unit or person who acts.")
    guardian = serializers.IntegerField(
        source="guardian_id", required=False, allow_null=True, help_text="One of the minor's guardians."
    )
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.get_username", read_only=True, default=None)

    class Meta:
        model = GuardianshipIntervention
        fields = [
            "id",
            "case",
            "minor_name",
            "level",
            "action",
            "actor",
            "guardian",
            "guardian_name",
            "taken_on",
            "status",
            "outcome",
            "recorded_by",
            "recorded_at",
            "approved_by",
            "approved_at",
            "follows",
        ]
        read_only_fields = ["id", "guardian_name", "status", "recorded_at", "approved_at", "follows"]
        extra_kwargs = {"taken_on": {"required": False}, "outcome": {"required": False}}


class InterventionTakenSerializer(serializers.Serializer):
    taken_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The guardian did not reform",
            request_only=True,
            value={"succeeded": False, "outcome": "监护人拒不改正，仍多次殴打孩子"},
        )
    ]
)
class InterventionOutcomeSerializer(serializers.Serializer):
    succeeded = serializers.BooleanField()
    outcome = serializers.CharField(allow_blank=True)


class InterventionOutcomeResultSerializer(serializers.Serializer):
    intervention = InterventionSerializer()
    proposed_next = InterventionSerializer(
        allow_null=True, help_text="The next level of the ladder, proposed because this one failed (null otherwise)."
    )

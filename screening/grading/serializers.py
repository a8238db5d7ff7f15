"""API shapes of the checklist and of assessments (domain.md §3.1, §3.2)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.models import RiskGrade
from screening.models import Assessment, AssessmentKind, Indicator


class IndicatorSerializer(serializers.ModelSerializer):
    county_setting = serializers.SerializerMethodField(help_text="True when the county set its own minimum grade.")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "min_grade",
            "county_setting",
            "prefill_categories",
            "prefill_guardian_flags",
        ]
        read_only_fields = fields

    def get_county_setting(self, indicator) -> bool:
        return getattr(indicator, "override", None) is not None


class IndicatorCodesField(serializers.ListField):
    """Reads as the assessment's indicator codes; writes as a list of codes."""

    def get_attribute(self, instance):
        return [indicator.code for indicator in instance.indicators.all()]

    def to_representation(self, data):
        return list(data)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Risk-level assessment",
            request_only=True,
            value={
                "minor": 12,
                "kind": "RISK_LEVEL",
                "indicators": ["LEFT_BEHIND", "POVERTY"],
                "summary": "祖母照料，经济困难",
            },
        ),
        OpenApiExample(
            "Override with a reason",
            request_only=True,
            value={
                "minor": 12,
                "kind": "RISK_LEVEL",
                "indicators": ["LEFT_BEHIND"],
                "final_grade": "ORANGE",
                "override_reason": "祖母近期住院，无人照料",
            },
        ),
    ]
)
class AssessmentSerializer(serializers.ModelSerializer):
    minor = serializers.IntegerField(
        source="minor_id", help_text="The minor's id; a minor outside your area answers 404."
    )
    indicators = IndicatorCodesField(
        child=serializers.CharField(), required=False, default=list, help_text="Indicator codes (RISK_LEVEL only)."
    )
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    final_grade = serializers.ChoiceField(choices=RiskGrade.choices, required=False, allow_blank=True)
    assessor = serializers.CharField(source="assessor.get_username", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "minor",
            "kind",
            "assessed_on",
            "assessor",
            "summary",
            "indicators",
            "computed_grade",
            "final_grade",
            "override_reason",
            "created_at",
        ]
        read_only_fields = ["id", "computed_grade", "created_at", "assessor"]
        extra_kwargs = {"assessed_on": {"required": False}}

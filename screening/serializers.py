from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.models import Alert, RiskGrade
from screening.models import Assessment, AssessmentKind, Indicator, Visit, VisitKind
from screening.services.visits import VISIT_TEXT_FIELDS


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


class VisitSerializer(serializers.ModelSerializer):
    minor = serializers.IntegerField(
        source="minor_id", help_text="The minor's id; a minor outside your area answers 404."
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.HOME)
    visitor = serializers.CharField(source="visitor.get_username", read_only=True)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, write_only=True, max_length=6)
    photo_urls = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "minor",
            "visited_at",
            "kind",
            "seen_in_person",
            *VISIT_TEXT_FIELDS,
            "new_risk_found",
            "due_on",
            "on_time",
            "grade",
            "visitor",
            "photos",
            "photo_urls",
            "created_at",
        ]
        read_only_fields = ["id", "due_on", "on_time", "grade", "visitor", "created_at"]
        extra_kwargs = {"visited_at": {"required": False}}

    def get_photo_urls(self, visit: Visit) -> list[str]:
        """Photos are served only through the access-checked, logged page (never a public media URL)."""
        from django.urls import reverse

        request = self.context.get("request")
        paths = [reverse("visit_photo", args=[photo.pk]) for photo in visit.photos.all()]
        return [request.build_absolute_uri(path) for path in paths] if request else paths


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

"""API representations of benefit programmes, enrolments, decisions and the eligibility hints (domain.md §9)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.casework.serializers.base import DecisionSerializer
from cases.models import BenefitEnrolment, BenefitProgramme, Track


class BenefitProgrammeSerializer(serializers.ModelSerializer):
    track = serializers.ChoiceField(choices=Track.choices, read_only=True)

    class Meta:
        model = BenefitProgramme
        fields = [
            "code",
            "name",
            "name_en",
            "track",
            "min_age",
            "max_age",
            "requires_categories",
            "has_amount",
            "source",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Apply for the minimum living allowance",
            request_only=True,
            value={"minor": 12, "programme": "DIBAO", "case": 7, "applied_on": "2026-05-06"},
        ),
        OpenApiExample(
            "Apply although the record suggests otherwise",
            request_only=True,
            value={
                "minor": 12,
                "programme": "VOCATIONAL_16PLUS",
                "accept_hints": True,
                "note": "差两个月满16周岁，先行报名秋季班",
            },
        ),
    ]
)
class BenefitEnrolmentSerializer(serializers.ModelSerializer):
    minor = serializers.IntegerField(source="minor_id", help_text="The minor's id; outside your area: 404.")
    minor_name = serializers.CharField(source="minor.name", read_only=True)
    case = serializers.IntegerField(source="case_id", required=False, allow_null=True)
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=BenefitProgramme.objects.filter(is_active=True)
    )
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)
    accept_hints = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Apply although the eligibility hints say otherwise; needs a note.",
    )

    class Meta:
        model = BenefitEnrolment
        fields = [
            "id",
            "minor",
            "minor_name",
            "case",
            "programme",
            "programme_name",
            "status",
            "applied_on",
            "start_on",
            "end_on",
            "monthly_amount",
            "note",
            "recorded_by",
            "updated_at",
            "accept_hints",
        ]
        read_only_fields = ["id", "status", "start_on", "end_on", "monthly_amount", "updated_at"]
        extra_kwargs = {"applied_on": {"required": False}, "note": {"required": False}}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Approve from a date", request_only=True, value={"approve": True, "start_on": "2026-06-01"}),
        OpenApiExample("Refuse", request_only=True, value={"approve": False, "note": "家庭收入超过低保标准"}),
    ]
)
class BenefitDecisionSerializer(DecisionSerializer):
    start_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")


class BenefitEndSerializer(serializers.Serializer):
    end_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BenefitEligibilityQuerySerializer(serializers.Serializer):
    minor = serializers.IntegerField()
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=BenefitProgramme.objects.filter(is_active=True)
    )


class BenefitEligibilitySerializer(serializers.Serializer):
    minor = serializers.IntegerField()
    programme = serializers.CharField()
    hints = serializers.ListField(
        child=serializers.CharField(), help_text="Why the record suggests the child may not qualify; empty if none."
    )
    monthly_amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="The rate in force today in the child's region."
    )
    rate_valid_from = serializers.DateField(allow_null=True)

"""API representations of the registry. Serializers parse and present; the rules live in the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.models import (
    Category,
    ClosedReason,
    Guardian,
    Minor,
    MinorEvent,
)
from cases.registry.identity import age_on
from tiers.models import Region
from tiers.selectors import region_choices_for_registration


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "name_en",
            "definition",
            "requires_note",
            "in_four_special_groups",
            "in_key_attention",
        ]
        read_only_fields = fields


class GuardianSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        help_text="Omit to add a guardian; give an existing id to change it. Guardians left out of an update are removed.",
    )

    class Meta:
        model = Guardian
        fields = [
            "id",
            "relation",
            "name",
            "phone",
            "id_number",
            "lives_with_minor",
            "is_imprisoned",
            "in_drug_rehab",
            "is_seriously_ill",
            "is_disabled",
            "is_deceased",
            "is_missing",
            "works_away",
            "other_situation",
            "situation_note",
        ]


class CategoryCodesField(serializers.ListField):
    """Reads as the minor's category codes; writes as a list of active category codes."""

    def get_attribute(self, instance):
        return [link.category.code for link in instance.category_links.all()]

    def to_representation(self, data):
        return list(data)


class CategoryNotesField(serializers.DictField):
    def get_attribute(self, instance):
        return {link.category.code: link.note for link in instance.category_links.all() if link.note}

    def to_representation(self, value):
        return dict(value)


class RegionOfMinorField(serializers.PrimaryKeyRelatedField):
    """A village or grid in which the caller may register minors; anything else "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Region.objects.none()
        return region_choices_for_registration(user=request.user)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Register a left-behind child",
            request_only=True,
            value={
                "name": "陈小雨",
                "gender": "F",
                "birth_date": "2016-03-08",
                "id_number": "500114201603080025",
                "region": 5,
                "hukou_type": "AGRICULTURAL",
                "hukou_place": "示范区青山镇",
                "address": "东岭村3组12号",
                "education_status": "PRIMARY",
                "school_name": "青山镇中心小学",
                "categories": ["LEFT_BEHIND"],
                "guardians": [
                    {"relation": "PATERNAL_GRANDMOTHER", "name": "王秀英", "phone": "13800138000"},
                    {"relation": "FATHER", "name": "陈建国", "works_away": True},
                ],
            },
        )
    ]
)
class MinorSerializer(serializers.ModelSerializer):
    region = RegionOfMinorField(help_text="Village or grid id (create only; use the move action afterwards).")
    region_name = serializers.CharField(source="region.name", read_only=True)
    age = serializers.SerializerMethodField()
    categories = CategoryCodesField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True)),
        allow_empty=False,
        help_text="Category codes of domain.md §2.2, e.g. LEFT_BEHIND, ORPHAN.",
    )
    category_notes = CategoryNotesField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text="Optional notes keyed by category code; OTHER_SPECIAL_HARDSHIP requires one.",
    )
    guardians = GuardianSerializer(many=True, required=False)
    id_number = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20)
    confirm_possible_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Set true to save although a minor with the same name and birth date exists.",
    )

    class Meta:
        model = Minor
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "age",
            "id_number",
            "no_id_reason",
            "no_id_note",
            "hukou_type",
            "hukou_place",
            "hukou_in_district",
            "region",
            "region_name",
            "address",
            "education_status",
            "school_name",
            "orphan_care_setting",
            "categories",
            "category_notes",
            "status",
            "risk_grade",
            "risk_grade_since",
            "closed_reason",
            "closed_at",
            "guardians",
            "created_at",
            "updated_at",
            "confirm_possible_duplicate",
        ]
        read_only_fields = [
            "status",
            "risk_grade",
            "risk_grade_since",
            "closed_reason",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def get_age(self, minor: Minor) -> int:
        from django.utils import timezone

        return age_on(minor.birth_date, timezone.localdate())

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["region"].read_only = True
        return fields


class MinorMoveSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(is_active=True, level__in=["VILLAGE", "GRID"]),
        help_text="The new village or grid.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MinorCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosedReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MinorReopenSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("原因"))


class MinorEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True)

    class Meta:
        model = MinorEvent
        fields = ["id", "kind", "actor", "at", "changes", "note"]
        read_only_fields = fields

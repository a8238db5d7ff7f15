"""API representations of the plan's measures, the departments and the working groups (domain.md §4
mechanism 4, §5, §6.2)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.casework.serializers.base import GroupInReachField, OrganisationInReachField, UserInReachField, display_name
from cases.models import Measure, MeasureStatus, Track, WorkingGroup
from tiers.models import Organisation

# --- organisations and working groups -------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    flags = serializers.CharField(read_only=True, help_text="R monitor and report, F accept referrals, A assist.")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "region",
            "region_name",
            "can_report",
            "can_accept_referrals",
            "can_assist",
            "flags",
            "phone",
        ]
        read_only_fields = fields


class WorkingGroupSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    lead_organisation_name = serializers.CharField(source="lead_organisation.name", read_only=True, default=None)
    member_organisation_names = serializers.SerializerMethodField()
    member_names = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "region",
            "region_name",
            "track",
            "lead_organisation",
            "lead_organisation_name",
            "member_organisations",
            "member_organisation_names",
            "members",
            "member_names",
            "duties",
        ]
        read_only_fields = fields

    def get_member_organisation_names(self, group: WorkingGroup) -> list[str]:
        return [o.name for o in group.member_organisations.all()]

    def get_member_names(self, group: WorkingGroup) -> list[str]:
        return [display_name(u) for u in group.members.all()]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Name the lead and member departments and member staff",
            request_only=True,
            value={
                "lead_organisation": 3,
                "member_organisations": [4, 9],
                "members": [21, 35],
                "duties": "低保、临时救助",
            },
        )
    ]
)
class WorkingGroupUpdateSerializer(serializers.Serializer):
    lead_organisation = OrganisationInReachField(allow_null=True, required=False)
    member_organisations = OrganisationInReachField(many=True, required=False)
    members = UserInReachField(many=True, required=False, help_text="User ids of member staff.")
    duties = serializers.CharField(required=False, allow_blank=True)


# --- measures ----------------------------------------------------------------------------------------------


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Add a measure to the plan",
            request_only=True,
            value={
                "case": 7,
                "track": "EDUCATION_SUPPORT",
                "title": "劝返复学，落实两免一补",
                "due_on": "2026-09-01",
                "responsible_name": "镇教管中心 王老师",
            },
        )
    ]
)
class MeasureSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", help_text="The case's id; a case outside your area answers 404.")
    minor_name = serializers.CharField(source="case.minor.name", read_only=True)
    track = serializers.ChoiceField(choices=Track.choices)
    group = GroupInReachField(
        required=False,
        allow_null=True,
        help_text="Defaults to the town's working group for the track.",
    )
    group_name = serializers.CharField(source="group.__str__", read_only=True, default=None)
    responsible_user = UserInReachField(required=False, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "case",
            "minor_name",
            "track",
            "group",
            "group_name",
            "title",
            "responsible_user",
            "responsible_name",
            "due_on",
            "status",
            "is_overdue",
            "cancel_reason",
            "outcome",
            "created_at",
            "created_by",
            "completed_at",
        ]
        read_only_fields = ["id", "status", "cancel_reason", "outcome", "created_at", "created_by", "completed_at"]
        extra_kwargs = {"title": {"allow_blank": True}}

    def get_is_overdue(self, measure: Measure) -> bool:
        return measure.is_open and measure.due_on < timezone.localdate()


@extend_schema_serializer(
    examples=[
        OpenApiExample("Done", request_only=True, value={"status": "DONE", "outcome": "已于9月1日返校就读"}),
        OpenApiExample(
            "Cancelled",
            request_only=True,
            value={"status": "CANCELLED", "cancel_reason": "随父母迁往外省，已告知迁入地"},
        ),
    ]
)
class MeasureProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    cancel_reason = serializers.CharField(required=False, allow_blank=True, default="")

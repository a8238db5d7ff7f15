"""Serializers of `/api/v1/patrol-groups/`, `/api/v1/patrols/` and `/api/v1/sentinel-points/` (issue 12 §4).
Shape only: the rules live in referrals.discovery.services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from referrals.discovery.models import PatrolGroup, PatrolKind, PatrolLog, SentinelKind, SentinelPoint
from referrals.intake.models import Report
from referrals.intake.serializers import RegionRefField
from tiers.roles import Level


def _person(user) -> dict:
    return {"id": user.pk, "name": user.get_full_name() or user.username}


class PersonField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=get_user_model().objects.filter(is_active=True), **kwargs)


class PatrolGroupSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.code", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = PatrolGroup
        fields = ["id", "town", "town_name", "name", "members", "is_active", "created_at"]

    def get_members(self, group) -> list[dict]:
        return [_person(user) for user in group.members.all()]


class PatrolGroupCreateSerializer(serializers.Serializer):
    town = RegionRefField(level=Level.TOWN, help_text="Town: 12-digit division code or region id.")
    name = serializers.CharField(max_length=100)
    members = PersonField(many=True, required=False, default=list, help_text="User ids holding posts in the town.")


class PatrolGroupMembersSerializer(serializers.Serializer):
    members = PersonField(many=True)


class FindingSerializer(serializers.Serializer):
    """A minor in distress found on the patrol: received into the town's intake queue (channel PATROL)."""

    summary = serializers.CharField()
    child_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    child_description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    village = RegionRefField(level=Level.VILLAGE, required=False, allow_null=True, default=None)
    violence_alleged = serializers.BooleanField(default=False)


class FindingReportSerializer(serializers.ModelSerializer):
    """A report a patrol or a point brought in, shown only to those who may see it in the intake queue."""

    class Meta:
        model = Report
        fields = ["id", "status", "received_at", "child_name", "child_description", "summary", "minor"]


class PatrolLogSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    village = serializers.CharField(source="village.code", read_only=True, default=None)
    participants = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()
    report_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PatrolLog
        fields = [
            "id",
            "group",
            "group_name",
            "kind",
            "kind_display",
            "patrolled_at",
            "village",
            "place",
            "participants",
            "findings",
            "recorded_by",
            "recorded_at",
            "report_count",
        ]

    def get_participants(self, log) -> list[dict]:
        return [_person(user) for user in log.participants.all()]

    def get_recorded_by(self, log) -> dict:
        return _person(log.recorded_by)


class PatrolLogDetailSerializer(PatrolLogSerializer):
    reports = serializers.SerializerMethodField()

    class Meta(PatrolLogSerializer.Meta):
        fields = [*PatrolLogSerializer.Meta.fields, "reports"]

    def get_reports(self, log) -> list[dict]:
        return FindingReportSerializer(self.context.get("reports", []), many=True).data


class PatrolLogCreateSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PatrolKind.choices)
    patrolled_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    village = RegionRefField(level=Level.VILLAGE, required=False, allow_null=True, default=None)
    participants = PersonField(many=True, required=False, default=list)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    finding = FindingSerializer(required=False, allow_null=True, default=None)


class SentinelPointSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    administrator = serializers.SerializerMethodField()
    last_report_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = SentinelPoint
        fields = [
            "id",
            "region",
            "region_name",
            "kind",
            "kind_display",
            "name",
            "administrator",
            "is_active",
            "created_at",
            "last_report_at",
        ]

    def get_administrator(self, point) -> dict:
        return _person(point.administrator)


class SentinelPointDetailSerializer(SentinelPointSerializer):
    reports = serializers.SerializerMethodField()

    class Meta(SentinelPointSerializer.Meta):
        fields = [*SentinelPointSerializer.Meta.fields, "reports"]

    def get_reports(self, point) -> list[dict]:
        return FindingReportSerializer(self.context.get("reports", []), many=True).data


class SentinelPointCreateSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="Town or village: 12-digit division code or region id.")
    kind = serializers.ChoiceField(choices=SentinelKind.choices)
    name = serializers.CharField(max_length=100)
    administrator = PersonField()

    def validate_region(self, value):
        for level in (Level.VILLAGE, Level.TOWN):
            try:
                return RegionRefField(level=level).to_internal_value(value)
            except serializers.ValidationError:
                continue
        return RegionRefField(level=Level.TOWN).to_internal_value(value)


class SentinelPointUpdateSerializer(serializers.Serializer):
    administrator = PersonField(required=False)
    is_active = serializers.BooleanField(required=False)


class SentinelReportSerializer(serializers.Serializer):
    summary = serializers.CharField()
    discovered_at = serializers.DateTimeField()
    child_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    child_description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    violence_alleged = serializers.BooleanField(default=False)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")

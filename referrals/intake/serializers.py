"""Serializers of the reports endpoint (`/api/v1/reports/`, issue 5 §5 and §6). Shape only: the rules
live in referrals.intake.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from referrals.intake.models import Report, ReportChannel
from tiers.models import Region
from tiers.roles import Level


class RegionRefField(serializers.CharField):
    """A region given by its 12-digit division code or by its id."""

    def __init__(self, *, level: str, **kwargs):
        self.level = level
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = str(super().to_internal_value(data)).strip()
        lookup = {"code": value} if len(value) == 12 else {"pk": int(value)} if value.isdigit() else None
        region = Region.objects.filter(**lookup, level=self.level, is_active=True).first() if lookup else None
        if region is None:
            raise serializers.ValidationError(_("找不到该区划（区划代码或ID）。"), code="invalid_region")
        return region


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A school's mandatory report",
            request_only=True,
            value={
                "town": "330521100000",
                "village": "330521100201",
                "summary": "学生身上多处淤青，自述被家长殴打",
                "child_name": "王小明",
                "child_description": "四年级男生，约10岁",
                "violence_alleged": True,
                "discovered_at": "2026-03-02T08:30:00+08:00",
            },
        ),
        OpenApiExample(
            "A hotline call received by town staff",
            request_only=True,
            value={
                "town": 12,
                "channel": "HOTLINE",
                "hotline": "12345",
                "reporter_name": "李女士",
                "reporter_phone": "13800138000",
                "summary": "邻居家两个孩子长期独自在家",
                "violence_alleged": False,
                "discovered_at": "2026-03-01T19:00:00+08:00",
            },
        ),
    ]
)
class ReportCreateSerializer(serializers.Serializer):
    town = RegionRefField(level=Level.TOWN, help_text="Town (乡镇/街道): 12-digit division code or region id.")
    village = RegionRefField(
        level=Level.VILLAGE, required=False, allow_null=True, help_text="Village: division code or region id."
    )
    summary = serializers.CharField()
    child_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    child_description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    violence_alleged = serializers.BooleanField(default=False)
    discovered_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(
        choices=ReportChannel.choices,
        required=False,
        help_text="Staff only; a partner's report is always PARTNER_API.",
    )
    hotline = serializers.CharField(required=False, allow_blank=True, default="", help_text="For HOTLINE.")
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A partner polls its report",
            response_only=True,
            value={
                "id": 42,
                "town": "330521100000",
                "received_at": "2026-03-02T08:41:00+08:00",
                "status": "CLOSED",
                "status_display": "已办结",
                "outcome_for_reporter": "已核实，孩子已由镇民政办安排临时照料。",
                "updated_at": "2026-03-05T16:00:00+08:00",
            },
        )
    ]
)
class PartnerReportSerializer(serializers.ModelSerializer):
    """What the reporting partner sees of its own report: its status and the outcome, nothing else."""

    town = serializers.CharField(source="town.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "town", "received_at", "status", "status_display", "outcome_for_reporter", "updated_at"]
        read_only_fields = fields


class StaffReportSerializer(serializers.ModelSerializer):
    """A report in the town's intake queue, for staff."""

    town = serializers.CharField(source="town.code", read_only=True)
    village = serializers.CharField(source="village.code", read_only=True, default=None)
    owner = serializers.CharField(source="owner.username", read_only=True)
    reporter_organisation = serializers.CharField(source="reporter_organisation.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "town",
            "village",
            "channel",
            "hotline",
            "reporter_name",
            "reporter_phone",
            "reporter_organisation",
            "child_name",
            "child_description",
            "summary",
            "violence_alleged",
            "discovered_at",
            "received_at",
            "owner",
            "status",
            "status_display",
            "triage_due_at",
            "triaged_at",
            "minor",
            "dismiss_reason",
            "handling_record",
            "transfer_note",
            "outcome_for_reporter",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- staff actions on a report (inputs only; the services check the rules) --------------------------

OUTCOME_HELP = "What the reporter (a partner polling its report) is told; kept when blank."


@extend_schema_serializer(
    examples=[OpenApiExample("Link to a registered child", request_only=True, value={"minor": 17, "note": "同一儿童"})]
)
class ReportLinkSerializer(serializers.Serializer):
    minor = serializers.IntegerField(help_text="Id of a registered minor the caller may see, in the report's town.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Dismiss",
            request_only=True,
            value={"reason": "经核实不属于未成年人保护范围", "outcome_for_reporter": "经核实，无需处理"},
        )
    ]
)
class ReportDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Required: why the report needs no action.")
    outcome_for_reporter = serializers.CharField(required=False, allow_blank=True, default="", help_text=OUTCOME_HELP)


class ReportAdvanceSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome_for_reporter = serializers.CharField(required=False, allow_blank=True, default="", help_text=OUTCOME_HELP)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Record what was done", request_only=True, value={"handling_record": "已上门核查，孩子由祖母临时照料"}
        )
    ]
)
class ReportHandlingSerializer(serializers.Serializer):
    handling_record = serializers.CharField(
        allow_blank=True, help_text="Required: what was done (处置情况); replaces the previous record."
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Transfer to the police",
            request_only=True,
            value={"note": "涉嫌犯罪，移交青山派出所", "outcome_for_reporter": ""},
        )
    ]
)
class ReportTransferSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text="Required: to whom and why (转办).")
    outcome_for_reporter = serializers.CharField(required=False, allow_blank=True, default="", help_text=OUTCOME_HELP)


class ReportCloseSerializer(serializers.Serializer):
    outcome_for_reporter = serializers.CharField(required=False, allow_blank=True, default="", help_text=OUTCOME_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="")

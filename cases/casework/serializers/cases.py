"""API representations of a case: the board's line, its history, opening, stage, owner, closing request,
re-opening, the placement route and the case page with everything on it (domain.md §3.1, §4)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.casework.serializers.base import UserInReachField, display_name
from cases.casework.serializers.benefits import BenefitEnrolmentSerializer
from cases.casework.serializers.closures import CaseClosureSerializer
from cases.casework.serializers.interventions import InterventionSerializer
from cases.casework.serializers.measures import MeasureSerializer
from cases.casework.serializers.placements import PlacementSerializer
from cases.models import Case, CaseEvent, CaseStage, PlacementType, RiskGrade


class CaseSerializer(serializers.ModelSerializer):
    """A case as the case board lists it."""

    minor = serializers.IntegerField(source="minor_id", help_text="The minor's id; outside your area: 404.")
    minor_name = serializers.CharField(source="minor.name", read_only=True)
    region_name = serializers.CharField(source="minor.region.name", read_only=True)
    risk_grade = serializers.ChoiceField(source="minor.risk_grade", choices=RiskGrade.choices, read_only=True)
    owner_name = serializers.SerializerMethodField()
    open_measures = serializers.IntegerField(read_only=True)
    overdue_measures = serializers.IntegerField(read_only=True)
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = Case
        fields = [
            "id",
            "minor",
            "minor_name",
            "region_name",
            "risk_grade",
            "stage",
            "origin",
            "opened_at",
            "opening_note",
            "owner",
            "owner_name",
            "plan_due_at",
            "open_measures",
            "overdue_measures",
            "closed_at",
            "updated_at",
            "note",
        ]
        read_only_fields = [
            "stage",
            "origin",
            "opened_at",
            "opening_note",
            "owner",
            "plan_due_at",
            "closed_at",
            "updated_at",
        ]

    def get_owner_name(self, case: Case) -> str | None:
        return display_name(case.owner)


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "at", "changes", "note"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[OpenApiExample("Open a case by hand", request_only=True, value={"minor": 12, "note": "学校报告长期缺课"})]
)
class CaseOpenSerializer(serializers.Serializer):
    minor = serializers.IntegerField(help_text="The minor's id; a minor outside your area answers 404.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=CaseStage.choices, help_text="Any open stage; a case is closed only through request-closure."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseOwnerSerializer(serializers.Serializer):
    owner = UserInReachField(help_text="A town-office officer or child supervisor of the child's town.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Ask to close a case",
            request_only=True,
            value={"closing_assessment": "父母返乡，监护到位，各项措施均已完成，经评估困境已消除。"},
        )
    ]
)
class CaseClosureRequestSerializer(serializers.Serializer):
    closing_assessment = serializers.CharField(allow_blank=True)


class CaseReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class PlacementRouteSerializer(serializers.Serializer):
    route = serializers.ChoiceField(
        choices=[
            ("ORIGIN_GOVERNMENT", "ORIGIN_GOVERNMENT"),
            ("DISTRICT_BUREAU", "DISTRICT_BUREAU"),
            ("LOCAL", "LOCAL"),
        ],
        help_text="domain.md §8.3: registration elsewhere → government of origin; none → district bureau.",
    )
    advice = serializers.CharField()
    suggested_types = serializers.ListField(child=serializers.ChoiceField(choices=PlacementType.choices))


# --- the case page --------------------------------------------------------------------------------------------


class CaseDetailSerializer(CaseSerializer):
    """A case with its plan, interventions, placements, benefits and pending closing request."""

    opened_by = serializers.CharField(source="opened_by.get_username", read_only=True)
    measures = MeasureSerializer(many=True, read_only=True, source="api_measures")
    interventions = InterventionSerializer(many=True, read_only=True, source="api_interventions")
    placements = PlacementSerializer(many=True, read_only=True, source="api_placements")
    benefits = BenefitEnrolmentSerializer(many=True, read_only=True, source="api_benefits")
    pending_closure = CaseClosureSerializer(read_only=True, allow_null=True, source="api_pending_closure")

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "opened_by",
            "measures",
            "interventions",
            "placements",
            "benefits",
            "pending_closure",
        ]

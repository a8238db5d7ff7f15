"""API representations of casework (issue 4). Serializers parse and present; the rules live in the
services (cases.casework.services) and who sees what in the selectors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    GuardianshipIntervention,
    InterventionLevel,
    Measure,
    MeasureStatus,
    Placement,
    PlacementType,
    RiskGrade,
    Track,
    WorkingGroup,
)
from tiers.models import Organisation
from tiers.roles import Capability
from tiers.selectors import organisation_list, staff_in_reach


def _display_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


@extend_schema_field(OpenApiTypes.INT)
class UserInReachField(serializers.PrimaryKeyRelatedField):
    """A user id among the staff posted inside the caller's area; anyone else "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return staff_in_reach(user=None)
        return staff_in_reach(user=request.user, capability=Capability.VIEW_RECORDS)


@extend_schema_field(OpenApiTypes.INT)
class OrganisationInReachField(serializers.PrimaryKeyRelatedField):
    """A department of the caller's area or of the county above (GET /api/v1/organisations/)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Organisation.objects.none()
        return organisation_list(user=request.user)


@extend_schema_field(OpenApiTypes.INT)
class GroupInReachField(serializers.PrimaryKeyRelatedField):
    """A working group the caller sees (GET /api/v1/working-groups/)."""

    def get_queryset(self):
        from cases.casework.selectors import group_list

        request = self.context.get("request")
        if request is None:
            return WorkingGroup.objects.none()
        return group_list(user=request.user)


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
        return [_display_name(u) for u in group.members.all()]


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


# --- cases ------------------------------------------------------------------------------------------------


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
        return _display_name(case.owner)


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "at", "changes", "note"]
        read_only_fields = fields


class CaseClosureSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, default=None)

    class Meta:
        model = CaseClosure
        fields = [
            "id",
            "case",
            "closing_assessment",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
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


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true to approve; false to refuse, with a note saying why.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


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


# --- interventions ---------------------------------------------------------------------------------------


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


# --- placements ---------------------------------------------------------------------------------------------


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


# --- benefits -------------------------------------------------------------------------------------------------


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

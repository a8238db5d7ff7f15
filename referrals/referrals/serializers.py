"""API representations of referrals (issue 5 §5). Serializers parse and present; the rules live in
referrals.referrals.services and who sees what in referrals.referrals.selectors.

A partner sees the partner view only (domain.md §13, need to know): for the child just the name, gender,
age, village, the reason and the town contact. Town staff see the same plus the case and history."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from cases.models import Gender
from referrals.referrals.models import Priority, Referral, ReferralEvent, ReferralStatus
from referrals.referrals.selectors import child_age, village_name


class PartnerChildSerializer(serializers.Serializer):
    """The child as a partner department sees it: nothing more than the referral needs."""

    name = serializers.CharField(source="minor.name")
    gender = serializers.ChoiceField(source="minor.gender", choices=Gender.choices)
    age = serializers.SerializerMethodField()
    village = serializers.SerializerMethodField()

    def get_age(self, referral: Referral) -> int:
        return child_age(referral)

    def get_village(self, referral: Referral) -> str:
        return village_name(referral)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A referral as the police station sees it",
            response_only=True,
            value={
                "id": 41,
                "status": "SENT",
                "priority": "URGENT",
                "organisation": 7,
                "organisation_name": "青山派出所",
                "child": {"name": "张三", "gender": "M", "age": 11, "village": "东岭村"},
                "reason": "疑似遭受家庭暴力，请核查处置",
                "town_contact": "民政办 刘敏 13800000000",
                "sent_at": "2026-11-20T09:00:00+08:00",
                "accept_due_at": "2026-11-20T11:00:00+08:00",
                "accepted_at": None,
                "feedback_due_on": None,
                "feedback_at": None,
                "closed_at": None,
                "updated_at": "2026-11-20T09:00:00+08:00",
            },
        )
    ]
)
class ReferralSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    child = PartnerChildSerializer(source="*", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "priority",
            "organisation",
            "organisation_name",
            "child",
            "reason",
            "town_contact",
            "sent_at",
            "accept_due_at",
            "accepted_at",
            "feedback_due_on",
            "feedback_at",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields


class TownReferralSerializer(ReferralSerializer):
    """What the town's own staff see besides: the case, the minor's record id, the rule, the re-routing."""

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "case", "minor", "rule", "rerouted_from", "created_at"]
        read_only_fields = fields


class ReferralEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ReferralEvent
        fields = ["id", "kind", "from_status", "to_status", "at", "note", "actor_name"]
        read_only_fields = fields

    def get_actor_name(self, event: ReferralEvent) -> str:
        return event.actor.get_full_name() or event.actor.get_username()


class ReferralListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    updated_since = serializers.DateTimeField(required=False, help_text="Only referrals changed since (ISO 8601).")
    case = serializers.IntegerField(required=False, help_text="Town staff: the referrals of one case.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Draft a referral to the police station",
            request_only=True,
            value={
                "case": 12,
                "organisation": 7,
                "priority": "URGENT",
                "reason": "疑似遭受家庭暴力，请核查处置",
                "town_contact": "民政办 刘敏 13800000000",
            },
        )
    ]
)
class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    organisation = serializers.IntegerField(help_text="A department of the child's town or the county.")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    reason = serializers.CharField()
    town_contact = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(
    examples=[OpenApiExample("Reject with a reason", request_only=True, value={"reason": "不属本所职责，建议转司法所"})]
)
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


@extend_schema_serializer(
    examples=[OpenApiExample("A progress note", request_only=True, value={"note": "已上门核查，对监护人进行训诫"})]
)
class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


@extend_schema_serializer(
    examples=[OpenApiExample("Re-route to the justice office", request_only=True, value={"organisation": 9})]
)
class RerouteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)

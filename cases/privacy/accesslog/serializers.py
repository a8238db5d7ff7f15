"""API shapes of the access log and of break-the-glass access (issue 10 §2, §10)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import AccessLog, EmergencyAccess


class AccessLogEntrySerializer(serializers.ModelSerializer):
    """One read of a child's record: who, when, which child, what kind, through which channel."""

    user_username = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.SerializerMethodField()
    minor_name = serializers.CharField(source="minor.name", read_only=True)
    minor_region = serializers.CharField(source="minor.region.name", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "user",
            "user_username",
            "user_name",
            "minor",
            "minor_name",
            "minor_region",
            "action",
            "action_label",
            "channel",
            "channel_label",
            "ip_address",
            "path",
        ]
        read_only_fields = fields

    def get_user_name(self, entry) -> str:
        return entry.user.get_full_name() or entry.user.username


class AccessLogQuerySerializer(serializers.Serializer):
    """The filters of `GET /api/v1/access-log/` (query parameters); dates are inclusive."""

    minor = serializers.IntegerField(required=False, min_value=1, label=_("档案编号"))
    user = serializers.IntegerField(required=False, min_value=1, label=_("用户"))
    since = serializers.DateField(required=False, label=_("起始日期"))
    until = serializers.DateField(required=False, label=_("截止日期"))
    action = serializers.ChoiceField(required=False, choices=AccessLog.Action.choices, label=_("操作"))
    channel = serializers.ChoiceField(required=False, choices=AccessLog.Channel.choices, label=_("渠道"))

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": _("截止日期不能早于起始日期。")}, code="invalid_range")
        return attrs


class EmergencyAccessSerializer(serializers.ModelSerializer):
    """A break-the-glass grant of the caller's: the record's number, never the child's name."""

    active = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyAccess
        fields = ["id", "minor", "reason", "granted_at", "expires_at", "ended_at", "active"]
        read_only_fields = fields

    def get_active(self, grant) -> bool:
        return grant.ended_at is None and grant.expires_at > timezone.now()


class EmergencyAccessOpenSerializer(serializers.Serializer):
    """Open a grant: the record by its number (`minor`) or its ID number (`id_number`), and the reason."""

    minor = serializers.IntegerField(required=False, min_value=1, label=_("档案编号"))
    id_number = serializers.CharField(required=False, max_length=18, label=_("身份证号码"))
    reason = serializers.CharField(label=_("紧急调阅理由"), error_messages={"required": _("请填写紧急调阅理由。")})

    def validate(self, attrs):
        has_minor, has_number = attrs.get("minor") is not None, bool((attrs.get("id_number") or "").strip())
        if has_minor == has_number:
            raise serializers.ValidationError(
                {"minor": _("请填写档案编号或身份证号码（二选一）。")}, code="reference_required"
            )
        return attrs

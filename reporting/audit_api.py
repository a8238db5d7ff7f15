"""REST API v1, read-only: the history of access grants (issue 10 §7; domain.md §13 audit logs).

`GET /api/v1/audit/grants/` — for the town office head and the county civil-affairs post (READ_ACCESS_LOG):
who granted which post, group seat, helper or API token to whom and when in their area, newest first,
filtered by `since`, `until` (dates, inclusive) and `username` (the grantee or the one who granted),
paginated. Each row: when, insert/update/delete, what it is about, who did it, and each field from → to.
A helper's child appears as its record number inside the label only, as on the page."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from minorprot.api import StandardPagination
from reporting.selectors.audit import GrantFilters, grant_history_events
from tiers.roles import Capability
from tiers.selectors import user_can


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


class GrantRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    action = serializers.CharField(read_only=True, help_text="insert, update or delete")
    action_label = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField(help_text="Username of the user who made the change (null: unknown).")
    actor_name = serializers.SerializerMethodField()
    object_id = serializers.IntegerField(source="obj_id", read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField()

    def get_actor(self, row) -> str | None:
        return row.actor.get_username() if row.actor is not None else None

    def get_actor_name(self, row) -> str | None:
        return (row.actor.get_full_name() or row.actor.get_username()) if row.actor is not None else None

    @extend_schema_field(
        inline_serializer(
            "GrantChange",
            fields={
                "field": serializers.CharField(),
                "label": serializers.CharField(),
                "from": serializers.CharField(allow_null=True),
                "to": serializers.CharField(allow_null=True),
            },
            many=True,
        )
    )
    def get_changes(self, row) -> list[dict]:
        return [
            {"field": c["field"], "label": str(c["label"]), "from": _plain(c["from"]), "to": _plain(c["to"])}
            for c in row.changes
        ]


class GrantQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, label=_("起始日期"))
    until = serializers.DateField(required=False, label=_("截止日期"))
    username = serializers.CharField(required=False, max_length=150, allow_blank=True, label=_("用户名"))

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": _("截止日期不能早于起始日期。")}, code="invalid_range")
        return attrs


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="起始日期 YYYY-MM-DD（含）"),
            OpenApiParameter("until", str, description="截止日期 YYYY-MM-DD（含）"),
            OpenApiParameter("username", str, description="用户名（被授权人或操作人）"),
        ]
    )
)
class GrantHistoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who granted what to whom, when, in the caller's area (the /audit/grants/ page)."""

    serializer_class = GrantRowSerializer
    pagination_class = StandardPagination
    filterset_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not user_can(request.user, Capability.READ_ACCESS_LOG):
            raise PermissionDenied(_("您的岗位无权查看授权记录。"))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: rows come from several event tables
            from tiers.models import StaffPost

            return StaffPost.objects.none()
        query = GrantQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = GrantFilters(
            since=data.get("since"), until=data.get("until"), username=(data.get("username") or "").strip()
        )
        return grant_history_events(user=self.request.user, filters=filters)


def register_routes(router) -> None:
    """Register the audit API views on the v1 router."""
    router.register("audit/grants", GrantHistoryViewSet, basename="audit-grant")

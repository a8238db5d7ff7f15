"""API of the access log (issue 10 §2) and of break-the-glass access (issue 10 §10; domain.md §13):

- `GET /api/v1/access-log/` — READ_ACCESS_LOG holders: the rows of the children in their reach, filtered by
  `minor`, `user`, `since`, `until` (dates, inclusive), `action`, `channel`; paginated. A child or user
  outside the reader's reach answers 404, like the pages. Each row loads its Minor, so the log's own
  reads are logged by the AccessLogMiddleware.
- `GET/POST /api/v1/emergency-access/` — BREAK_GLASS holders: their own grants; open one with
  `{"minor": id}` or `{"id_number": …}` and `"reason"`.
- `POST /api/v1/emergency-access/{id}/end/` — end one of one's own grants early.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.accesslog.recorder import access_suspended
from cases.models import AccessLog, EmergencyAccess
from minorprot.api import StandardPagination
from tiers.roles import Capability
from tiers.selectors import user_can

from . import selectors, services
from .serializers import (
    AccessLogEntrySerializer,
    AccessLogQuerySerializer,
    EmergencyAccessOpenSerializer,
    EmergencyAccessSerializer,
)


class _CapabilityRequired:
    capability: str = ""
    denied_message = _("您的岗位无权使用该功能。")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not user_can(request.user, self.capability):
            raise PermissionDenied(self.denied_message)


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("minor", int, description="档案编号（只看该儿童档案的访问记录）"),
            OpenApiParameter("user", int, description="用户编号（只看该用户的访问记录）"),
            OpenApiParameter("since", str, description="起始日期 YYYY-MM-DD（含）"),
            OpenApiParameter("until", str, description="截止日期 YYYY-MM-DD（含）"),
            OpenApiParameter("action", str, enum=AccessLog.Action.values, description="操作"),
            OpenApiParameter("channel", str, enum=AccessLog.Channel.values, description="渠道"),
        ]
    )
)
class AccessLogViewSet(_CapabilityRequired, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who read which child's record, in the reader's area (the town office head, the county civil-affairs post)."""

    capability = Capability.READ_ACCESS_LOG
    denied_message = _("您的岗位无权查看访问日志。")
    serializer_class = AccessLogEntrySerializer
    queryset = AccessLog.objects.none()
    pagination_class = StandardPagination
    filterset_class = None
    access_kind = AccessLog.Action.LIST

    def get_queryset(self):
        query = AccessLogQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        reader = self.request.user
        minor = selectors.access_log_minor_get(reader=reader, pk=data["minor"]) if "minor" in data else None
        subject = selectors.access_log_user_get(reader=reader, pk=data["user"]) if "user" in data else None
        filters = selectors.AccessLogFilters(
            minor=minor,
            user=subject,
            date_from=data.get("since"),
            date_to=data.get("until"),
            action=data.get("action", ""),
            channel=data.get("channel", ""),
        )
        return selectors.access_log_entries(reader=reader, filters=filters)


class EmergencyAccessViewSet(_CapabilityRequired, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Break the glass: the caller's own emergency grants (record numbers, not names); open one; end one early."""

    capability = Capability.BREAK_GLASS
    denied_message = _("只有区县民政部门可以紧急调阅档案。")
    serializer_class = EmergencyAccessSerializer
    queryset = EmergencyAccess.objects.none()
    pagination_class = StandardPagination
    filterset_class = None

    def get_queryset(self):
        # The grant names its record: loading the Minor notes the read for the access log.
        return selectors.emergency_access_list(user=self.request.user).select_related("minor")

    @extend_schema(request=EmergencyAccessOpenSerializer, responses={201: EmergencyAccessSerializer})
    def create(self, request, *args, **kwargs):
        """Open a record outside the caller's reach for MINORPROT_EMERGENCY_ACCESS_HOURS, with a written reason;
        the child's town office head is told. Then read it at `/api/v1/minors/{minor}/` (logged as emergency)."""
        payload = EmergencyAccessOpenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        field = "minor" if data.get("minor") is not None else "id_number"
        reference = str(data["minor"]) if field == "minor" else data["id_number"]
        minor = selectors.emergency_access_lookup(user=request.user, reference=reference)
        if minor is None or (
            minor.pk != data["minor"] if field == "minor" else minor.id_number != reference.strip().upper()
        ):
            raise serializers.ValidationError(
                {
                    field: [
                        serializers.ErrorDetail(str(_("未找到该档案，请核对身份证号码或档案编号。")), code="not_found")
                    ]
                }
            )
        try:
            # Opening shows nothing yet: the record read that follows is the logged one.
            with access_suspended():
                grant = services.emergency_access_open(actor=request.user, minor=minor, reason=data["reason"])
        except DjangoValidationError as exc:
            # The service names the record "reference" (the page's one box); here the caller gave `minor` or
            # `id_number`, so the error goes on that field. minorprot.api.exception_handler does the rest.
            if hasattr(exc, "error_dict") and "reference" in exc.error_dict:
                exc.error_dict[field] = exc.error_dict.pop("reference")
            raise
        return Response(EmergencyAccessSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EmergencyAccessSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End one of the caller's grants before it expires; the record's history notes it (提前结束)."""
        grant = selectors.emergency_access_get(user=request.user, pk=_pk(pk))
        grant = services.emergency_access_end(actor=request.user, grant=grant)
        return Response(EmergencyAccessSerializer(grant).data)


def register_routes(router) -> None:
    """Register this topic's API views on the v1 router."""
    router.register("access-log", AccessLogViewSet, basename="access-log")
    router.register("emergency-access", EmergencyAccessViewSet, basename="emergency-access")

"""`/api/v1/patrol-groups/`, `/api/v1/patrols/`, `/api/v1/sentinel-points/` (issue 12 §4), scoped like the
registry (referrals.discovery.selectors: 404 outside the caller's reach). Writes call
referrals.discovery.services; their errors are mapped by minorprot.api.exception_handler.

A patrol's or a point's reports (the child's data) are listed on the detail only for those who may see
them in the intake queue; the list gives their count.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from referrals.discovery import selectors, services
from referrals.discovery.models import PatrolGroup, PatrolKind, PatrolLog, SentinelKind, SentinelPoint
from referrals.discovery.serializers import (
    FindingReportSerializer,
    FindingSerializer,
    PatrolGroupCreateSerializer,
    PatrolGroupMembersSerializer,
    PatrolGroupSerializer,
    PatrolLogCreateSerializer,
    PatrolLogDetailSerializer,
    PatrolLogSerializer,
    SentinelPointCreateSerializer,
    SentinelPointDetailSerializer,
    SentinelPointSerializer,
    SentinelPointUpdateSerializer,
    SentinelReportSerializer,
)

NOT_FOUND = gettext_lazy("对象不存在。")


def _pk(value) -> int:
    if not str(value).isdigit():
        raise Http404
    return int(value)


def _input(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Patrol groups (巡查组) of the caller's towns"),
    retrieve=extend_schema(summary="A patrol group", description="404 outside the caller's reach."),
    create=extend_schema(
        summary="Town office: set up a patrol group",
        request=PatrolGroupCreateSerializer,
        responses={201: PatrolGroupSerializer},
    ),
)
class PatrolGroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = PatrolGroup.objects.none()
    serializer_class = PatrolGroupSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolGroup.objects.none()
        return selectors.patrol_group_list(user=self.request.user)

    def get_object(self):
        return selectors.patrol_group_get(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    def create(self, request, *args, **kwargs):
        group = services.patrol_group_create(actor=request.user, **_input(PatrolGroupCreateSerializer, request.data))
        group = selectors.patrol_group_get(user=request.user, pk=group.pk)
        return Response(PatrolGroupSerializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Town office: set the group's members",
        request=PatrolGroupMembersSerializer,
        responses={200: PatrolGroupSerializer},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        group = self.get_object()
        services.patrol_group_set_members(
            actor=request.user, group=group, **_input(PatrolGroupMembersSerializer, request.data)
        )
        return Response(PatrolGroupSerializer(selectors.patrol_group_get(user=request.user, pk=group.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="Patrol logs (巡查记录) of the caller's groups and towns"),
    retrieve=extend_schema(
        summary="A patrol log",
        description="`reports` lists the reports its findings brought into the intake queue that the caller may "
        "see there; 404 outside the caller's reach.",
        responses={200: PatrolLogDetailSerializer},
    ),
    create=extend_schema(
        summary="Log a patrol (重点走访 / 街面巡查 / 跟踪随访)",
        description="A member of the group or the town office. A `finding` of a minor in distress is received "
        "into the town's intake queue with channel PATROL and linked to the log.",
        request=PatrolLogCreateSerializer,
        responses={201: PatrolLogDetailSerializer},
    ),
)
class PatrolLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = PatrolLog.objects.none()
    serializer_class = PatrolLogSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolLog.objects.none()
        params = self.request.query_params
        group = None
        if params.get("group"):
            group = selectors.patrol_group_get(user=self.request.user, pk=_pk(params["group"]))
        kind = params.get("kind", "")
        return selectors.patrol_log_list(
            user=self.request.user, group=group, kind=kind if kind in PatrolKind.values else ""
        ).annotate(report_count=Count("sources"))

    def _detail(self, log_pk: int, status_code=status.HTTP_200_OK) -> Response:
        log = self.get_queryset().filter(pk=log_pk).first()
        if log is None:
            raise Http404
        reports = selectors.visible_reports(user=self.request.user, patrol_log=log)
        return Response(PatrolLogDetailSerializer(log, context={"reports": reports}).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(selectors.patrol_log_get(user=request.user, pk=_pk(kwargs["pk"])).pk)

    def create(self, request, *args, **kwargs):
        data = _input(PatrolLogCreateSerializer, request.data)
        try:
            group = selectors.patrol_group_get(user=request.user, pk=data.pop("group"))
        except Http404:
            raise serializers.ValidationError(
                {"group": [serializers.ErrorDetail(str(NOT_FOUND), code="does_not_exist")]}
            ) from None
        finding = data.pop("finding")
        log = services.patrol_log_record(
            actor=request.user, group=group, finding=services.Finding(**finding) if finding else None, **data
        )
        return self._detail(log.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Report another minor in distress found on this patrol",
        request=FindingSerializer,
        responses={201: FindingReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        log = selectors.patrol_log_get(user=request.user, pk=_pk(pk))
        report = services.patrol_finding_report(
            actor=request.user, log=log, finding=services.Finding(**_input(FindingSerializer, request.data))
        )
        return Response(FindingReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Sentinel points (监测哨点) of the caller's towns and villages"),
    retrieve=extend_schema(
        summary="A sentinel point",
        description="`reports` lists its reports the caller may see in the intake queue; 404 outside reach.",
        responses={200: SentinelPointDetailSerializer},
    ),
    create=extend_schema(
        summary="Town office: set up a sentinel point",
        request=SentinelPointCreateSerializer,
        responses={201: SentinelPointSerializer},
    ),
    partial_update=extend_schema(
        summary="Town office: change the administrator or stop the point",
        request=SentinelPointUpdateSerializer,
        responses={200: SentinelPointSerializer},
    ),
)
class SentinelPointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SentinelPoint.objects.none()
    serializer_class = SentinelPointSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SentinelPoint.objects.none()
        kind = self.request.query_params.get("kind", "")
        return selectors.sentinel_point_list(user=self.request.user, kind=kind if kind in SentinelKind.values else "")

    def get_object(self):
        return selectors.sentinel_point_get(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    def retrieve(self, request, *args, **kwargs):
        point = self.get_object()
        reports = selectors.visible_reports(user=request.user, point=point)
        return Response(SentinelPointDetailSerializer(point, context={"reports": reports}).data)

    def create(self, request, *args, **kwargs):
        point = services.sentinel_point_create(
            actor=request.user, **_input(SentinelPointCreateSerializer, request.data)
        )
        point = selectors.sentinel_point_get(user=request.user, pk=point.pk)
        return Response(SentinelPointSerializer(point).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        point = self.get_object()
        services.sentinel_point_update(
            actor=request.user, point=point, **_input(SentinelPointUpdateSerializer, request.data)
        )
        return Response(SentinelPointSerializer(selectors.sentinel_point_get(user=request.user, pk=point.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="The point's administrator (or the town office) files a report",
        description="Received into the town's intake queue with channel SENTINEL and the point named.",
        request=SentinelReportSerializer,
        responses={201: FindingReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        point = self.get_object()
        report = services.sentinel_report_file(
            actor=request.user, point=point, **_input(SentinelReportSerializer, request.data)
        )
        return Response(FindingReportSerializer(report).data, status=status.HTTP_201_CREATED)


def register_routes(router) -> None:
    router.register("patrol-groups", PatrolGroupViewSet, basename="patrol-group")
    router.register("patrols", PatrolLogViewSet, basename="patrol")
    router.register("sentinel-points", SentinelPointViewSet, basename="sentinel-point")

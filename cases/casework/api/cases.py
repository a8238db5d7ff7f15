"""API of cases: the case board, a case with its plan and records, opening by hand, stage, owner,
closing request, reopening, history and where a placement goes."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin, require_case_work
from cases.casework.selectors import (
    CaseFilters,
    case_benefits,
    case_get,
    case_history,
    case_interventions,
    case_list,
    case_measures,
    case_open_for_minor,
    case_pending_closure,
    case_placements,
)
from cases.casework.serializers.cases import (
    CaseClosureRequestSerializer,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseOpenSerializer,
    CaseOwnerSerializer,
    CaseReopenSerializer,
    CaseSerializer,
    CaseStageSerializer,
    PlacementRouteSerializer,
)
from cases.casework.serializers.closures import CaseClosureSerializer
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Case,
    CaseStage,
    RiskGrade,
    Track,
)
from cases.registry.selectors import minor_get

# --- cases ------------------------------------------------------------------------------------------------


class CaseListQuerySerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=CaseStage.choices, required=False, help_text="CLOSED lists closed cases.")
    grade = serializers.ChoiceField(choices=RiskGrade.choices, required=False, help_text="The child's risk grade.")
    track = serializers.ChoiceField(choices=Track.choices, required=False, help_text="Cases with a measure on it.")
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only cases with an overdue measure.")
    include_closed = serializers.BooleanField(required=False, default=False, help_text="Closed cases too.")
    minor = serializers.IntegerField(required=False, help_text="The cases of one minor.")


@extend_schema_view(
    list=extend_schema(
        parameters=[CaseListQuerySerializer],
        summary="The case board: open cases of the caller's area, overdue first",
    ),
    retrieve=extend_schema(responses={200: CaseDetailSerializer}, summary="A case with its plan and records"),
)
class CaseViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases (个案): opened automatically when a child is graded orange or red, or by hand."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()
    filterset_class = None

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        query = CaseListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cases = case_list(
            user=self.request.user,
            filters=CaseFilters(
                stage=params.get("stage", ""),
                grade=params.get("grade", ""),
                track=params.get("track", ""),
                overdue=params["overdue"],
                open_only=not params["include_closed"],
            ),
        )
        if "minor" in params:
            cases = cases.filter(minor_id=params["minor"])
        return cases

    def fetch(self, pk: int) -> Case:
        return case_get(user=self.request.user, pk=pk)

    def _detail(self, case: Case) -> Case:
        """Load what the case page shows, in a fixed number of queries."""
        measures = list(case_measures(case=case).select_related("created_by", "group__region"))
        interventions = list(case_interventions(case=case))
        placements = list(case_placements(case=case).select_related("recorded_by"))
        benefits = list(case_benefits(case=case).select_related("recorded_by"))
        for row in (*measures, *interventions, *placements):
            row.case = case
        for row in benefits:
            row.minor = case.minor
        today = timezone.localdate()
        case.api_measures, case.api_interventions = measures, interventions
        case.api_placements, case.api_benefits = placements, benefits
        case.api_pending_closure = case_pending_closure(case=case)
        case.open_measures = sum(1 for m in measures if m.status in OPEN_MEASURE_STATUSES)
        case.overdue_measures = sum(1 for m in measures if m.status in OPEN_MEASURE_STATUSES and m.due_on < today)
        return case

    def _detail_response(self, case: Case, status_code: int = status.HTTP_200_OK) -> Response:
        case = self._detail(case_get(user=self.request.user, pk=case.pk))
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=status_code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = CaseSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        case = self._detail(self.get_object())
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer, 200: CaseDetailSerializer},
        summary="Open a case by hand",
        description="A minor has at most one open case: if one is open it is returned (200), not duplicated.",
    )
    def create(self, request, *args, **kwargs):
        require_case_work(request.user)
        serializer = CaseOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        minor = minor_get(user=request.user, pk=serializer.validated_data["minor"])
        existing = case_open_for_minor(minor=minor)
        case = cw.case_open(
            actor=request.user,
            minor=minor,
            origin=Case.Origin.MANUAL,
            note=serializer.validated_data["note"],
        )
        created = existing is None or existing.pk != case.pk
        return self._detail_response(case, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=CaseStageSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """Move the case to another stage (closing goes through request-closure and approval)."""
        case = self.get_object()
        serializer = CaseStageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.case_set_stage(actor=request.user, case=case, **serializer.validated_data)
        return self._detail_response(case)

    @extend_schema(request=CaseOwnerSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        """Name the case's owner (a town-office officer or child supervisor of the child's town)."""
        case = self.get_object()
        serializer = CaseOwnerSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        cw.case_set_owner(
            actor=request.user,
            case=case,
            owner=serializer.validated_data["owner"],
        )
        return self._detail_response(case)

    @extend_schema(request=CaseClosureRequestSerializer, responses={201: CaseClosureSerializer})
    @action(detail=True, methods=["post"], url_path="request-closure")
    def request_closure(self, request, pk=None):
        """Ask to close the case with a closing assessment. Refused while a measure is open (code
        `open_measures`, naming them); approved or returned through /closures/{id}/decide/."""
        case = self.get_object()
        serializer = CaseClosureRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = cw.case_request_closure(
            actor=request.user,
            case=case,
            closing_assessment=serializer.validated_data["closing_assessment"],
        )
        return Response(CaseClosureSerializer(closure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseReopenSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed case (it returns to review); the reason is recorded."""
        case = self.get_object()
        serializer = CaseReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.case_reopen(actor=request.user, case=case, **serializer.validated_data)
        return self._detail_response(case)

    @extend_schema(responses={200: CaseEventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every change to the case, newest first."""
        case = self.get_object()
        return Response(CaseEventSerializer(case_history(case=case), many=True).data)

    @extend_schema(responses={200: PlacementRouteSerializer})
    @action(detail=True, methods=["get"], url_path="placement-route", pagination_class=None)
    def placement_route(self, request, pk=None):
        """Where a placement of this child goes (domain.md §8.3)."""
        case = self.get_object()
        route = cw.placement_route(minor=case.minor)
        return Response(
            PlacementRouteSerializer(
                {"route": route.route, "advice": route.advice, "suggested_types": list(route.suggested_types)}
            ).data
        )

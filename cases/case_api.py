"""REST API v1 for casework (issue 4): cases, their measures, guardianship interventions, placements,
benefit enrolments and closing requests; working groups, benefit programmes and partner organisations.

Scoped exactly like the web pages: querysets come from the selectors (cases.selectors.casework and
cases.selectors.casework_lists), so anything outside the caller's reach is absent from lists and answers
404, in a URL as in a body field. Every write calls a service; a service's ValidationError becomes the
API's field errors with their codes, and a post that may read but not act (a town leader adding a
measure, say) answers 403. Cases shown are in the access log, like the registry's records.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.case_serializers import (
    BenefitDecisionSerializer,
    BenefitEligibilityQuerySerializer,
    BenefitEligibilitySerializer,
    BenefitEndSerializer,
    BenefitEnrolmentSerializer,
    BenefitProgrammeSerializer,
    CaseClosureRequestSerializer,
    CaseClosureSerializer,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseOpenSerializer,
    CaseOwnerSerializer,
    CaseReopenSerializer,
    CaseSerializer,
    CaseStageSerializer,
    DecisionSerializer,
    InterventionOutcomeResultSerializer,
    InterventionOutcomeSerializer,
    InterventionSerializer,
    InterventionTakenSerializer,
    MeasureProgressSerializer,
    MeasureSerializer,
    OrganisationSerializer,
    PlacementEndSerializer,
    PlacementRouteSerializer,
    PlacementSerializer,
    WorkingGroupSerializer,
    WorkingGroupUpdateSerializer,
)
from cases.models import (
    OPEN_MEASURE_STATUSES,
    BenefitEnrolment,
    BenefitProgramme,
    Case,
    CaseClosure,
    CaseStage,
    EnrolmentStatus,
    GuardianshipIntervention,
    InterventionLevel,
    InterventionStatus,
    Measure,
    MeasureStatus,
    Placement,
    RiskGrade,
    Track,
    WorkingGroup,
)
from cases.privacy.sealing.selectors import group_measures_for
from cases.registry.selectors import minor_get
from cases.registry.services import RegistryPermissionDenied
from cases.selectors.casework import (
    CaseFilters,
    benefit_programme_list,
    case_benefits,
    case_get,
    case_history,
    case_interventions,
    case_list,
    case_measures,
    case_open_for_minor,
    case_pending_closure,
    case_placements,
    group_get,
    group_list,
)
from cases.selectors.casework_lists import (
    benefit_list,
    closure_list,
    intervention_list,
    measure_get_listed,
    measure_list,
    placement_list,
)
from cases.services import casework as cw
from tiers.models import Organisation, OrganisationKind
from tiers.roles import Capability
from tiers.selectors import organisation_list, user_can


def _service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's field errors (codes kept)."""
    return serializers.ValidationError(serializers.as_serializer_error(exc))


def _run(service, *, denied: str, **kwargs):
    """Call a service; refusals become 403 (may see, may not act) or field errors (400)."""
    try:
        return service(**kwargs)
    except RegistryPermissionDenied:
        raise PermissionDenied(denied) from None
    except DjangoValidationError as exc:
        raise _service_error(exc) from None


def _require_case_work(user) -> None:
    if not user_can(user, Capability.MANAGE_CASES):
        raise PermissionDenied(_("您的岗位无权办理个案。"))


def _int_pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _field_error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(message, code=code)]})


DENIED_CASE = _("您的岗位无权办理该个案。")


class ScopedObjectMixin:
    """get_object through a selector that answers 404 outside the caller's reach."""

    def get_object(self):
        obj = self.fetch(_int_pk(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)))
        self.check_object_permissions(self.request, obj)
        return obj

    def fetch(self, pk: int):  # pragma: no cover - each viewset says how
        raise NotImplementedError


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
        _require_case_work(request.user)
        serializer = CaseOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        minor = minor_get(user=request.user, pk=serializer.validated_data["minor"])
        existing = case_open_for_minor(minor=minor)
        case = _run(
            cw.case_open,
            denied=DENIED_CASE,
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
        _run(cw.case_set_stage, denied=DENIED_CASE, actor=request.user, case=case, **serializer.validated_data)
        return self._detail_response(case)

    @extend_schema(request=CaseOwnerSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        """Name the case's owner (a town-office officer or child supervisor of the child's town)."""
        case = self.get_object()
        serializer = CaseOwnerSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        _run(
            cw.case_set_owner,
            denied=DENIED_CASE,
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
        closure = _run(
            cw.case_request_closure,
            denied=DENIED_CASE,
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
        _run(cw.case_reopen, denied=DENIED_CASE, actor=request.user, case=case, **serializer.validated_data)
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


# --- measures ------------------------------------------------------------------------------------------------


class MeasureFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    group = django_filters.NumberFilter(field_name="group_id")
    track = django_filters.ChoiceFilter(choices=Track.choices)
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))

    class Meta:
        model = Measure
        fields = ["case", "group", "track", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": OPEN_MEASURE_STATUSES, "due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class MeasureViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Measures of case plans on the six tracks. Seen by the staff of the child's area, the measure's
    responsible person and the members of its working group, who may also report progress."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    queryset = Measure.objects.none()

    def get_queryset(self):
        return measure_list(user=self.request.user)

    def fetch(self, pk: int) -> Measure:
        return measure_get_listed(user=self.request.user, pk=pk)

    def create(self, request, *args, **kwargs):
        _require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        measure = _run(
            cw.measure_add,
            denied=DENIED_CASE,
            actor=request.user,
            case=case,
            track=data["track"],
            title=data["title"],
            due_on=data["due_on"],
            responsible_user=data.get("responsible_user"),
            responsible_name=data.get("responsible_name", ""),
            group=data.get("group"),
        )
        return Response(self.get_serializer(self.fetch(measure.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeasureProgressSerializer, responses={200: MeasureSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Report progress: planned → in progress → done (with an outcome), or cancelled with a reason."""
        measure = self.get_object()
        serializer = MeasureProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            cw.measure_update,
            denied=_("只有本乡镇民政办、措施责任人和工作组成员可以更新该措施。"),
            actor=request.user,
            measure=measure,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(self.fetch(measure.pk)).data)


# --- interventions ----------------------------------------------------------------------------------------------


class InterventionFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=InterventionStatus.choices)
    level = django_filters.ChoiceFilter(choices=InterventionLevel.choices)

    class Meta:
        model = GuardianshipIntervention
        fields = ["case", "status", "level"]


class InterventionViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The family-guardianship intervention ladder (domain.md §8.1). Levels 0–2 are recorded as taken;
    levels 3 and 4 wait for the town leader's decision and cannot be marked taken before it."""

    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    queryset = GuardianshipIntervention.objects.none()

    def get_queryset(self):
        return intervention_list(user=self.request.user)

    def fetch(self, pk: int) -> GuardianshipIntervention:
        intervention = intervention_list(user=self.request.user).filter(pk=pk).first()
        if intervention is None:
            raise Http404
        return intervention

    def _response(self, intervention: GuardianshipIntervention, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.fetch(intervention.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        _require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        guardian = None
        if data.get("guardian_id") is not None:
            guardian = case.minor.guardians.filter(pk=data["guardian_id"]).first()
            if guardian is None:
                raise _field_error("guardian", _("监护人不属于该未成年人。"), "does_not_exist")
        intervention = _run(
            cw.intervention_record,
            denied=DENIED_CASE,
            actor=request.user,
            case=case,
            level=data["level"],
            action=data.get("action", ""),
            actor_name=data["actor"],
            guardian=guardian,
            taken_on=data.get("taken_on"),
            outcome=data.get("outcome", ""),
        )
        return self._response(intervention, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: InterventionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The town leader approves a level-3 or level-4 intervention, or refuses it with a reason."""
        intervention = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            cw.intervention_decide,
            denied=_("三级以上干预须由乡镇（街道）领导审批。"),
            actor=request.user,
            intervention=intervention,
            **serializer.validated_data,
        )
        return self._response(intervention)

    @extend_schema(request=InterventionTakenSerializer, responses={200: InterventionSerializer})
    @action(detail=True, methods=["post"])
    def taken(self, request, pk=None):
        """Record a proposed or approved intervention as taken. Levels 3 and 4 need the approval first
        (code `approval_required`)."""
        intervention = self.get_object()
        serializer = InterventionTakenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            cw.intervention_mark_taken,
            denied=DENIED_CASE,
            actor=request.user,
            intervention=intervention,
            taken_on=serializer.validated_data.get("taken_on"),
        )
        return self._response(intervention)

    @extend_schema(request=InterventionOutcomeSerializer, responses={200: InterventionOutcomeResultSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record whether a taken intervention worked; when it failed, the next level is proposed and
        returned as `proposed_next`."""
        intervention = self.get_object()
        serializer = InterventionOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = _run(
            cw.intervention_record_outcome,
            denied=DENIED_CASE,
            actor=request.user,
            intervention=intervention,
            **serializer.validated_data,
        )
        context = self.get_serializer_context()
        return Response(
            {
                "intervention": InterventionSerializer(self.fetch(intervention.pk), context=context).data,
                "proposed_next": InterventionSerializer(self.fetch(proposal.pk), context=context).data
                if proposal
                else None,
            }
        )


# --- placements ----------------------------------------------------------------------------------------------------


class PlacementFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    current = django_filters.BooleanFilter(field_name="end_on", lookup_expr="isnull", label=_("当前安置"))

    class Meta:
        model = Placement
        fields = ["case", "current"]


class PlacementViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Placements (domain.md §8.2). A new placement ends the current one; see also
    GET /cases/{id}/placement-route/ for where a placement goes (§8.3)."""

    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    queryset = Placement.objects.none()

    def get_queryset(self):
        return placement_list(user=self.request.user)

    def fetch(self, pk: int) -> Placement:
        placement = placement_list(user=self.request.user).filter(pk=pk).first()
        if placement is None:
            raise Http404
        return placement

    def create(self, request, *args, **kwargs):
        _require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        placement = _run(
            cw.placement_record,
            denied=DENIED_CASE,
            actor=request.user,
            case=case,
            type=data["type"],
            start_on=data["start_on"],
            institution=data.get("institution"),
            institution_name=data.get("institution_name", ""),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(self.fetch(placement.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlacementEndSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the placement on a date."""
        placement = self.get_object()
        serializer = PlacementEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(cw.placement_end, denied=DENIED_CASE, actor=request.user, placement=placement, **serializer.validated_data)
        return Response(self.get_serializer(self.fetch(placement.pk)).data)


# --- benefits ------------------------------------------------------------------------------------------------------


class BenefitFilter(django_filters.FilterSet):
    minor = django_filters.NumberFilter(field_name="minor_id")
    case = django_filters.NumberFilter(field_name="case_id")
    programme = django_filters.CharFilter(field_name="programme__code", label=_("项目代码"))
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)

    class Meta:
        model = BenefitEnrolment
        fields = ["minor", "case", "programme", "status"]


class BenefitViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Benefit enrolments (domain.md §9): applied → approved (amount from the region's dated rate) or
    rejected; approved → ended."""

    serializer_class = BenefitEnrolmentSerializer
    filterset_class = BenefitFilter
    queryset = BenefitEnrolment.objects.none()

    def get_queryset(self):
        return benefit_list(user=self.request.user)

    def fetch(self, pk: int) -> BenefitEnrolment:
        enrolment = benefit_list(user=self.request.user).filter(pk=pk).first()
        if enrolment is None:
            raise Http404
        return enrolment

    @extend_schema(
        summary="Apply for a benefit",
        description="Eligibility hints (age, categories) refuse the "
        "application with code `eligibility` unless `accept_hints` is true and a note says why.",
    )
    def create(self, request, *args, **kwargs):
        _require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minor = minor_get(user=request.user, pk=data["minor_id"])
        case = case_get(user=request.user, pk=data["case_id"]) if data.get("case_id") is not None else None
        enrolment = _run(
            cw.benefit_apply,
            denied=DENIED_CASE,
            actor=request.user,
            minor=minor,
            programme=data["programme"],
            case=case,
            applied_on=data.get("applied_on"),
            note=data.get("note", ""),
            accept_hints=data.get("accept_hints", False),
        )
        return Response(self.get_serializer(self.fetch(enrolment.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BenefitDecisionSerializer, responses={200: BenefitEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve (from a start date; a monthly benefit takes the rate in force) or reject with a reason."""
        enrolment = self.get_object()
        serializer = BenefitDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            cw.benefit_decide, denied=DENIED_CASE, actor=request.user, enrolment=enrolment, **serializer.validated_data
        )
        return Response(self.get_serializer(self.fetch(enrolment.pk)).data)

    @extend_schema(request=BenefitEndSerializer, responses={200: BenefitEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an approved benefit on a date."""
        enrolment = self.get_object()
        serializer = BenefitEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(cw.benefit_end, denied=DENIED_CASE, actor=request.user, enrolment=enrolment, **serializer.validated_data)
        return Response(self.get_serializer(self.fetch(enrolment.pk)).data)

    @extend_schema(
        parameters=[BenefitEligibilityQuerySerializer],
        responses={200: BenefitEligibilitySerializer},
        summary="Eligibility hints for a minor and a programme",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def eligibility(self, request):
        """What the record suggests about the child's eligibility, and the monthly rate in force today."""
        query = BenefitEligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        minor = minor_get(user=request.user, pk=query.validated_data["minor"])
        programme: BenefitProgramme = query.validated_data["programme"]
        today = timezone.localdate()
        rate = cw.benefit_rate_for(programme=programme, region=minor.region, on=today) if programme.has_amount else None
        return Response(
            BenefitEligibilitySerializer(
                {
                    "minor": minor.pk,
                    "programme": programme.code,
                    "hints": cw.benefit_eligibility_hints(minor=minor, programme=programme, on=today),
                    "monthly_amount": rate.monthly_amount if rate else None,
                    "rate_valid_from": rate.valid_from if rate else None,
                }
            ).data
        )


class BenefitProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The assistance and benefit programmes (domain.md §9), by code."""

    serializer_class = BenefitProgrammeSerializer
    queryset = BenefitProgramme.objects.none()
    pagination_class = None
    filterset_class = None
    lookup_field = "code"

    def get_queryset(self):
        return benefit_programme_list()


# --- closing requests ---------------------------------------------------------------------------------------------


class ClosureFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=CaseClosure.Status.choices)

    class Meta:
        model = CaseClosure
        fields = ["case", "status"]


class ClosureViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests to close a case (POST /cases/{id}/request-closure/) and their approval."""

    serializer_class = CaseClosureSerializer
    filterset_class = ClosureFilter
    queryset = CaseClosure.objects.none()

    def get_queryset(self):
        return closure_list(user=self.request.user)

    def fetch(self, pk: int) -> CaseClosure:
        closure = closure_list(user=self.request.user).filter(pk=pk).first()
        if closure is None:
            raise Http404
        return closure

    @extend_schema(request=DecisionSerializer, responses={200: CaseClosureSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The town leader or the office head approves (the case closes) or returns it with a reason.
        Nobody approves their own request."""
        closure = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            cw.case_decide_closure,
            denied=_("结案须由乡镇（街道）领导或民政办负责人审批。"),
            actor=request.user,
            closure=closure,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(self.fetch(closure.pk)).data)


# --- working groups and organisations --------------------------------------------------------------------------------


@extend_schema_view(
    partial_update=extend_schema(request=WorkingGroupUpdateSerializer, responses={200: WorkingGroupSerializer})
)
class WorkingGroupViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The six working groups (domain.md §5) of the caller's area, and those the caller is a member of.
    The town office names a group's lead and member departments and member staff (PATCH)."""

    serializer_class = WorkingGroupSerializer
    queryset = WorkingGroup.objects.none()
    filterset_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return group_list(user=self.request.user).prefetch_related("member_organisations", "members")

    def fetch(self, pk: int) -> WorkingGroup:
        return group_get(user=self.request.user, pk=pk)

    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        if not cw.working_group_may_edit(user=request.user, group=group):
            raise PermissionDenied(_("您的岗位无权调整该工作小组。"))
        serializer = WorkingGroupUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _run(
            cw.working_group_update,
            denied=_("您的岗位无权调整该工作小组。"),
            actor=request.user,
            group=group,
            lead_organisation=data["lead_organisation"] if "lead_organisation" in data else group.lead_organisation,
            member_organisations=data.get("member_organisations", list(group.member_organisations.all())),
            members=data.get("members", list(group.members.all())),
            duties=data.get("duties", group.duties),
        )
        refreshed = self.get_queryset().get(pk=group.pk)
        return Response(self.get_serializer(refreshed).data)

    @extend_schema(responses={200: MeasureSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def measures(self, request, pk=None):
        """The group's open measures, overdue first (issue 4 §1)."""
        group = self.get_object()
        is_member = group.members.filter(pk=request.user.pk).exists()
        # A child the caller may not see (sealed, or a figures-only login) is a reference (issue 10 §3, §4).
        measures = group_measures_for(user=request.user, group=group, is_member=is_member)
        for measure in measures:
            measure.group = group
        prefetch_related_objects(measures, "created_by")
        data = MeasureSerializer(measures, many=True, context=self.get_serializer_context()).data
        for measure, row in zip(measures, data, strict=True):
            if not measure.shows_child:
                row.update(minor_name=measure.child_reference, outcome="")
        return Response(data)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    region = django_filters.NumberFilter(field_name="region_id")

    class Meta:
        model = Organisation
        fields = ["kind", "region"]


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partner departments and institutions (domain.md §11) of the caller's area and the county above,
    with their capability flags (R report, F accept referrals, A assist)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return organisation_list(user=self.request.user)


def register_routes(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("interventions", InterventionViewSet, basename="intervention")
    router.register("placements", PlacementViewSet, basename="placement")
    router.register("benefits", BenefitViewSet, basename="benefit")
    router.register("benefit-programmes", BenefitProgrammeViewSet, basename="benefit-programme")
    router.register("closures", ClosureViewSet, basename="closure")
    router.register("working-groups", WorkingGroupViewSet, basename="working-group")
    router.register("organisations", OrganisationViewSet, basename="organisation")

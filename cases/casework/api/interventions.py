"""API of the family-guardianship intervention ladder (domain.md §8.1)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin, field_error, require_case_work
from cases.casework.selectors import (
    case_get,
    intervention_list,
)
from cases.casework.serializers.base import DecisionSerializer
from cases.casework.serializers.interventions import (
    InterventionOutcomeResultSerializer,
    InterventionOutcomeSerializer,
    InterventionSerializer,
    InterventionTakenSerializer,
)
from cases.models import (
    GuardianshipIntervention,
    InterventionLevel,
    InterventionStatus,
)

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
        require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_get(user=request.user, pk=data["case_id"])
        guardian = None
        if data.get("guardian_id") is not None:
            guardian = case.minor.guardians.filter(pk=data["guardian_id"]).first()
            if guardian is None:
                raise field_error("guardian", _("监护人不属于该未成年人。"), "does_not_exist")
        intervention = cw.intervention_record(
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
        """The town leader approves an intervention waiting for approval (from cases.casework.rules.APPROVAL_LEVEL
        up), or refuses it with a reason."""
        intervention = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.intervention_decide(
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
        cw.intervention_mark_taken(
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
        proposal = cw.intervention_record_outcome(
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

"""API of benefit enrolments and programmes (domain.md §9)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.casework import services as cw
from cases.casework.api.base import ScopedObjectMixin, require_case_work
from cases.casework.selectors import (
    benefit_list,
    benefit_programme_list,
    case_get,
)
from cases.casework.serializers.benefits import (
    BenefitDecisionSerializer,
    BenefitEligibilityQuerySerializer,
    BenefitEligibilitySerializer,
    BenefitEndSerializer,
    BenefitEnrolmentSerializer,
    BenefitProgrammeSerializer,
)
from cases.models import (
    BenefitEnrolment,
    BenefitProgramme,
    EnrolmentStatus,
)
from cases.registry.selectors import minor_get

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
        require_case_work(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minor = minor_get(user=request.user, pk=data["minor_id"])
        case = case_get(user=request.user, pk=data["case_id"]) if data.get("case_id") is not None else None
        enrolment = cw.benefit_apply(
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
        cw.benefit_decide(actor=request.user, enrolment=enrolment, **serializer.validated_data)
        return Response(self.get_serializer(self.fetch(enrolment.pk)).data)

    @extend_schema(request=BenefitEndSerializer, responses={200: BenefitEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an approved benefit on a date."""
        enrolment = self.get_object()
        serializer = BenefitEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cw.benefit_end(actor=request.user, enrolment=enrolment, **serializer.validated_data)
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

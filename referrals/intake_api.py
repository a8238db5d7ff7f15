"""`/api/v1/reports/` (issue 5 §5, §6): a partner (school, hospital, police …) submits a mandatory report
(强制报告) and polls its status and outcome; staff read their towns' intake queue and receive reports.

A partner sees only its organisation's reports, and of them only status and outcome (404 otherwise);
staff see the reports of the towns in their reach (referrals.intake_selectors).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.services.registry import RegistryPermissionDenied
from referrals.intake_selectors import partner_report_get, partner_report_list, report_get, report_queue
from referrals.intake_serializers import PartnerReportSerializer, ReportCreateSerializer, StaffReportSerializer
from referrals.models import Report, ReportChannel
from referrals.services.intake import partner_organisation, report_receive
from tiers.roles import Capability
from tiers.selectors import user_can

REPORT_RESPONSE = PolymorphicProxySerializer(
    component_name="ReportView",
    serializers=[StaffReportSerializer, PartnerReportSerializer],
    resource_type_field_name=None,
)


def is_partner(user) -> bool:
    """A partner user (PARTNER_STAFF with an organisation) who holds no records post."""
    return partner_organisation(user) is not None and not user_can(user, Capability.VIEW_RECORDS)


@extend_schema_view(
    list=extend_schema(
        summary="List reports",
        description="A partner gets the reports its organisation submitted (status and outcome only); "
        "staff get the intake queue of their towns, untriaged first.",
        responses={200: REPORT_RESPONSE},
    ),
    retrieve=extend_schema(
        summary="A report",
        description="404 for a report the caller may not see.",
        responses={200: REPORT_RESPONSE},
    ),
    create=extend_schema(
        summary="Submit a report",
        description="A partner submits a mandatory report (强制报告) to a town; the town office owns it. "
        "Staff receive a report (hotline, walk-in, patrol …) and own it as first receiver (首问责任制). "
        "The response gives the report's id and status.",
        request=ReportCreateSerializer,
        responses={201: REPORT_RESPONSE},
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Report.objects.none()

    def _partner(self) -> bool:
        if not hasattr(self, "_is_partner"):
            self._is_partner = is_partner(self.request.user)
        return self._is_partner

    def get_serializer_class(self):
        if self.action == "create":
            return ReportCreateSerializer
        return PartnerReportSerializer if self._partner() else StaffReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        if self._partner():
            return partner_report_list(user=self.request.user)
        return report_queue(user=self.request.user)

    def get_object(self):
        pk = self.kwargs["pk"]
        if not str(pk).isdigit():
            from django.http import Http404

            raise Http404
        if self._partner():
            return partner_report_get(user=self.request.user, pk=int(pk))
        return report_get(user=self.request.user, pk=int(pk))

    def create(self, request, *args, **kwargs):
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partner = self._partner()
        if partner:
            data["channel"] = ReportChannel.PARTNER_API
        elif not data.get("channel"):
            raise serializers.ValidationError({"channel": [_required()]})
        try:
            report = report_receive(actor=request.user, **data)
        except RegistryPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        output = PartnerReportSerializer if partner else StaffReportSerializer
        return Response(output(report).data, status=status.HTTP_201_CREATED)


def _required() -> serializers.ErrorDetail:
    from django.utils.translation import gettext as _

    return serializers.ErrorDetail(_("请选择来源渠道。"), code="required")


def register_routes(router) -> None:
    router.register("reports", ReportViewSet, basename="report")

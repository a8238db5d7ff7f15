"""`/api/v1/reports/` (issue 5 §5, §6): a partner (school, hospital, police …) submits a mandatory report
(强制报告) and polls its status and outcome; staff read their towns' intake queue and receive reports.

A partner sees only its organisation's reports, and of them only status and outcome (404 otherwise);
staff see the reports of the towns in their reach (referrals.intake.selectors).

Staff work a report through its actions — `link`, `dismiss`, `advance`, `handling`, `transfer`,
`close` — each one call of referrals.intake.services, as on the report page. Partners get 404 on them
(they poll, they do not act); staff who see the report but may not work it (neither its owner nor the
town office) get 403 (minorprot.api.exception_handler maps the services' errors). Registering a new
minor from a report stays on the web page: an API client registers through `/api/v1/minors/` and then
links.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.registry.selectors import minor_get
from referrals.intake import services as intake
from referrals.intake.models import Report, ReportChannel
from referrals.intake.selectors import is_partner, partner_report_get, partner_report_list, report_get, report_queue
from referrals.intake.serializers import (
    PartnerReportSerializer,
    ReportAdvanceSerializer,
    ReportCloseSerializer,
    ReportCreateSerializer,
    ReportDismissSerializer,
    ReportHandlingSerializer,
    ReportLinkSerializer,
    ReportTransferSerializer,
    StaffReportSerializer,
)

REPORT_RESPONSE = PolymorphicProxySerializer(
    component_name="ReportView",
    serializers=[StaffReportSerializer, PartnerReportSerializer],
    resource_type_field_name=None,
)

NOT_FOUND = gettext_lazy("对象不存在。")


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
        report = intake.report_receive(actor=request.user, **data)
        output = PartnerReportSerializer if partner else StaffReportSerializer
        return Response(output(report).data, status=status.HTTP_201_CREATED)

    # --- staff actions -------------------------------------------------------------------------------

    def _staff_report(self) -> Report:
        # A partner sees its own reports only to poll them; to it the actions do not exist.
        if self._partner():
            raise Http404
        return self.get_object()

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _act(self, service, **kwargs) -> Response:
        report = service(actor=self.request.user, **kwargs)
        return Response(StaffReportSerializer(report_get(user=self.request.user, pk=report.pk)).data)

    @extend_schema(
        summary="Staff: triage by linking a registered minor",
        description="The minor must be one the caller may see, in the report's town; any other id (unknown "
        "or unseen alike) is a field error on `minor` with code `does_not_exist`. To triage a child not yet "
        "registered, register it through `/api/v1/minors/` first (registering from a report is web-only).",
        request=ReportLinkSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        report = self._staff_report()
        data = self._input(ReportLinkSerializer)
        try:
            minor = minor_get(user=request.user, pk=data["minor"])
        except Http404:
            raise serializers.ValidationError(
                {"minor": [serializers.ErrorDetail(str(NOT_FOUND), code="does_not_exist")]}
            ) from None
        return self._act(intake.report_triage_link, report=report, minor=minor, note=data["note"])

    @extend_schema(
        summary="Staff: triage by dismissing the report (reason required)",
        request=ReportDismissSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._act(intake.report_dismiss, report=self._staff_report(), **self._input(ReportDismissSerializer))

    @extend_schema(
        summary="Staff: move the report one step (intake → investigation → handling → feedback)",
        description="A report leaves intake only once triaged.",
        request=ReportAdvanceSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        return self._act(intake.report_advance, report=self._staff_report(), **self._input(ReportAdvanceSerializer))

    @extend_schema(
        summary="Staff: record what was done (处置情况)",
        request=ReportHandlingSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def handling(self, request, pk=None):
        return self._act(
            intake.report_record_handling, report=self._staff_report(), **self._input(ReportHandlingSerializer)
        )

    @extend_schema(
        summary="Staff: documented transfer to another town or department (note required)",
        request=ReportTransferSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._act(intake.report_transfer, report=self._staff_report(), **self._input(ReportTransferSerializer))

    @extend_schema(
        summary="Staff: close the report",
        description="Refused (`handling_record_required` on `handling_record`) without a handling record or a "
        "documented transfer.",
        request=ReportCloseSerializer,
        responses={200: StaffReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(intake.report_close, report=self._staff_report(), **self._input(ReportCloseSerializer))


def _required() -> serializers.ErrorDetail:
    from django.utils.translation import gettext as _

    return serializers.ErrorDetail(_("请选择来源渠道。"), code="required")


def register_routes(router) -> None:
    router.register("reports", ReportViewSet, basename="report")

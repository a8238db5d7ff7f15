"""Reads of the quarterly analysis reports (issue 6 §3; domain.md §4 mechanism 3, §1.3 T-1/T-2).

A report is seen by whoever reads its region's figures (Capability.VIEW_AGGREGATES): a town's staff
and leaders see their town's reports, the district sees its own and every town's. Outside that reach a
report does not exist (404), and neither does its PDF or a reply's attachment.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from reporting.analysis.services import ANALYSIS_LEVELS
from reporting.models import AnalysisReport, AnalysisReportStatus, ProtectionPlanReply
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import region_list, user_reach

SUBMITTED_STATUSES = (AnalysisReportStatus.SUBMITTED, AnalysisReportStatus.REPLIED)


def analysis_report_list(
    *, user, region: Region | None = None, quarter: str | None = None, submitted: bool = False
) -> QuerySet[AnalysisReport]:
    """Reports in the user's reach, newest quarter first; optionally within `region`'s subtree, of one
    quarter, or only those submitted upward (the district's inbox)."""
    reports = AnalysisReport.objects.filter(user_reach(user, Capability.VIEW_AGGREGATES).q("region__path"))
    if region is not None:
        reports = reports.filter(region.subtree())
    if quarter:
        reports = reports.filter(quarter=quarter)
    if submitted:
        reports = reports.filter(status__in=SUBMITTED_STATUSES)
    return (
        reports.select_related("region", "requested_by", "submitted_by")
        .annotate(reply_count=Count("replies"))
        .order_by("-quarter", "region__path")
    )


def analysis_report_get(*, user, pk: int) -> AnalysisReport:
    return get_object_or_404(
        AnalysisReport.objects.filter(user_reach(user, Capability.VIEW_AGGREGATES).q("region__path")).select_related(
            "region", "requested_by", "submitted_by"
        ),
        pk=pk,
    )


def analysis_report_regions(*, user) -> QuerySet[Region]:
    """Towns and districts whose report the user may have generated (and filter the list by)."""
    return region_list(user=user, capability=Capability.VIEW_AGGREGATES).filter(level__in=ANALYSIS_LEVELS)


def protection_plan_reply_get(*, user, report_pk: int, pk: int) -> ProtectionPlanReply:
    report = analysis_report_get(user=user, pk=report_pk)
    return get_object_or_404(ProtectionPlanReply.objects.select_related("report__region"), report=report, pk=pk)

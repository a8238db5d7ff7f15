"""Reporting keeps only what it produces: frozen quarterly figures, analysis reports with their
submission and the district's reply, and governance meeting records. Everything else it reads."""

from reporting.models.analysis import AnalysisReport, AnalysisReportEvent, AnalysisReportStatus, ProtectionPlanReply
from reporting.models.governance import ActionItem, Meeting, MeetingEvent, MeetingKind
from reporting.models.snapshots import QuarterSnapshot

__all__ = [
    "ActionItem",
    "AnalysisReport",
    "AnalysisReportEvent",
    "AnalysisReportStatus",
    "Meeting",
    "MeetingEvent",
    "MeetingKind",
    "ProtectionPlanReply",
    "QuarterSnapshot",
]

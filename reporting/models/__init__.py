"""Reporting keeps only what it produces: frozen quarterly figures, analysis reports with their
submission and the district's reply, governance meeting records, and the ledger exports built in the
background. Everything else it reads."""

from reporting.models.analysis import AnalysisReport, AnalysisReportEvent, AnalysisReportStatus, ProtectionPlanReply
from reporting.models.exports import LedgerExport, LedgerExportStatus
from reporting.models.governance import ActionItem, Meeting, MeetingEvent, MeetingKind
from reporting.models.snapshots import QuarterSnapshot

__all__ = [
    "ActionItem",
    "AnalysisReport",
    "AnalysisReportEvent",
    "AnalysisReportStatus",
    "LedgerExport",
    "LedgerExportStatus",
    "Meeting",
    "MeetingEvent",
    "MeetingKind",
    "ProtectionPlanReply",
    "QuarterSnapshot",
]

"""Reporting keeps only what it produces: frozen quarterly figures, analysis reports with their
submission and the district's reply, and the ledger exports built in the background. Everything else
it reads (governance meetings from the governance app, through governance.selectors)."""

from reporting.analysis.models import AnalysisReport, AnalysisReportEvent, AnalysisReportStatus, ProtectionPlanReply
from reporting.exports.models import LedgerExport, LedgerExportStatus
from reporting.models.snapshots import QuarterSnapshot

__all__ = [
    "AnalysisReport",
    "AnalysisReportEvent",
    "AnalysisReportStatus",
    "LedgerExport",
    "LedgerExportStatus",
    "ProtectionPlanReply",
    "QuarterSnapshot",
]

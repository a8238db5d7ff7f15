"""The rules of a report in one place: its workflow and the statuses it may move between, and the triage
deadline. Services, selectors and views read them here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from referrals.intake.models import ReportStatus

# --- the workflow (domain.md §7.2; 003 二(三)10): intake → investigation → handling → feedback, then closed ----
# A report may be dismissed (with a reason) or transferred (with a note) while open; a transferred report may
# still be closed. Closing needs a handling record or a documented transfer (§7.4; the database constraint
# report_closed_has_handling_or_transfer backs it).
OPEN_STATUSES = (ReportStatus.INTAKE, ReportStatus.INVESTIGATION, ReportStatus.HANDLING, ReportStatus.FEEDBACK)
# The forward steps; after the feedback the report is closed (report_close).
NEXT_STATUS = {
    ReportStatus.INTAKE: ReportStatus.INVESTIGATION,
    ReportStatus.INVESTIGATION: ReportStatus.HANDLING,
    ReportStatus.HANDLING: ReportStatus.FEEDBACK,
}
CLOSABLE_STATUSES = (*OPEN_STATUSES, ReportStatus.TRANSFERRED)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def next_status(status: str) -> str | None:
    return NEXT_STATUS.get(status)


# --- the triage deadline (domain.md §7.4 "第一时间报告、第一时间处理"; issue 5 §6; [PROPOSAL] defaults) ------
# Triage (link, register or dismiss) is due a number of hours after receipt, fewer when violence is alleged:
# the settings MINORPROT_TRIAGE_HOURS and MINORPROT_TRIAGE_HOURS_VIOLENCE, read here only. A report still in
# intake past it escalates (reports_escalate_untriaged).


def triage_hours(*, violence_alleged: bool) -> int:
    return settings.MINORPROT_TRIAGE_HOURS_VIOLENCE if violence_alleged else settings.MINORPROT_TRIAGE_HOURS


def triage_due(*, received_at: datetime, violence_alleged: bool) -> datetime:
    return received_at + timedelta(hours=triage_hours(violence_alleged=violence_alleged))


def is_overdue(*, status: str, triaged_at: datetime | None, triage_due_at: datetime, now: datetime) -> bool:
    return triaged_at is None and status == ReportStatus.INTAKE and triage_due_at <= now


# --- hotlines (domain.md §7.3, a configurable list) ---------------------------------------------------------
# A HOTLINE report names one of the setting MINORPROT_HOTLINES, read here only.


def hotlines() -> list[str]:
    return list(settings.MINORPROT_HOTLINES)

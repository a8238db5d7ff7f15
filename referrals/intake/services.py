"""Intake of reports and first-receiver responsibility (issue 5 §6; domain.md §7).

Rules and their sources:
- Every report lands in its town's intake queue with channel, reporter, time of discovery and an owner:
  the first receiver (首问责任制, domain.md §7.4; 000 4、(3)). A report received from a partner through
  the API has no person in the town who received it, so its owner is the town office: the active
  TOWN_OFFICE post holder of that town assigned first (lowest post id), else the office head. That is
  deterministic and matches who works the queue; the owner can be reassigned by the office later.
- Workflow intake → investigation → handling → feedback, then closed (domain.md §7.2; 003 二(三)10);
  the allowed moves and the triage deadline are in referrals.intake.rules.
- The owner cannot close a report without a handling record or a documented transfer (§7.4); the
  database constraint `report_closed_has_handling_or_transfer` backs the check here.
- Triage links the report to a minor, registers a new one, or dismisses it with a reason, by a deadline
  that is shorter when violence is alleged ("第一时间报告、第一时间处理", §7.4). Late triage escalates
  (`reports_escalate_untriaged`).
- Hotline numbers are configured (§7.3; referrals.intake.rules.hotlines).

Every step locks the report, changes it and writes a ReportEvent in one transaction (STYLE.md 4, 7).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.alerts.rules import AlertRule
from cases.alerts.services import AlertCandidate, alerts_sync
from cases.models import Minor
from cases.registry.services import CategoryChoice, minor_register
from referrals.intake import rules
from referrals.intake.models import Report, ReportChannel, ReportEvent, ReportStatus
from referrals.intake.rules import triage_due
from referrals.intake.selectors import partner_organisation
from referrals.webhooks.services import report_deliveries_enqueue
from tiers.errors import ActionNotAllowed
from tiers.models import Region, StaffPost
from tiers.roles import ROLE_POLICIES, Capability, Level, Role
from tiers.selectors import user_posts, user_reach

DENIED = gettext_lazy("您无权处理该报告。")
OFFICE_ROLES = (Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD)
UNTRIAGED_RULE = AlertRule.REPORT_UNTRIAGED


class EventKind:
    RECEIVED = "RECEIVED"
    LINKED = "LINKED"
    REGISTERED = "REGISTERED"
    DISMISSED = "DISMISSED"
    ADVANCED = "ADVANCED"
    HANDLING = "HANDLING"
    TRANSFERRED = "TRANSFERRED"
    CLOSED = "CLOSED"


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _is_staff_post(post: StaffPost) -> bool:
    return post.role != Role.PARTNER_STAFF and Capability.VIEW_RECORDS in ROLE_POLICIES[post.role].capabilities


def report_may_receive(*, user, town: Region) -> bool:
    """Any staff post in the town (a village's child director included) or above it may receive a report
    there: whoever is asked first owns it (§7.4)."""
    return any(
        _is_staff_post(post) and post.region.is_active and (post.region.is_within(town) or town.is_within(post.region))
        for post in user_posts(user)
    )


def _is_office(user, town: Region) -> bool:
    return any(
        post.role in OFFICE_ROLES and post.region.is_active and town.is_within(post.region) for post in user_posts(user)
    )


def report_may_act(*, user, report: Report) -> bool:
    """The owner, or the office of the report's town, works the report."""
    return report.owner_id == user.pk or _is_office(user, report.town)


def town_office_user(*, town: Region):
    """The deterministic owner of a partner's report: the town's first-assigned active office post holder."""
    for role in OFFICE_ROLES:
        post = (
            StaffPost.objects.filter(region=town, role=role, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if post is not None:
            return post.user
    return None


def _event(*, report: Report, kind: str, actor, from_status: str = "", to_status: str = "", note: str = "") -> None:
    event = ReportEvent.objects.create(
        report=report, kind=kind, actor=actor, from_status=from_status, to_status=to_status, note=note
    )
    # The reporting partner hears of every step through its webhook (the outbox, same transaction).
    report_deliveries_enqueue(report=report, event=event)


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("town").get(pk=report.pk)


def _require_act(actor, report: Report) -> None:
    if not report_may_act(user=actor, report=report):
        raise ActionNotAllowed(DENIED)


def _require_open(report: Report) -> None:
    if not rules.is_open(report.status):
        raise _error("status", _("该报告已办结、移交或不予处理，不能再操作。"), "report_not_open")


def _save(report: Report, fields: list[str]) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def report_receive(
    *,
    actor,
    town: Region,
    channel: str,
    summary: str,
    discovered_at: datetime,
    village: Region | None = None,
    hotline: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    child_name: str = "",
    child_description: str = "",
    violence_alleged: bool = False,
) -> Report:
    """Receive a report into the town's intake queue. A staff member of the town becomes its owner
    (first receiver); a partner (PARTNER_STAFF with an organisation) reports as its organisation and
    the town office owns it. Triage is due by the deadline of referrals.intake.rules."""
    now = timezone.now()
    if town.level != Level.TOWN or not town.is_active:
        raise _error("town", _("请选择乡镇（街道）。"), "invalid_town")
    organisation = None
    if report_may_receive(user=actor, town=town):
        owner = actor
        if channel == ReportChannel.PARTNER_API:
            raise _error("channel", _("协作单位接口报送只能由协作单位提交。"), "invalid_channel")
    else:
        organisation = partner_organisation(actor)
        if organisation is None or not organisation.region.path.startswith(town.county_path):
            raise ActionNotAllowed
        channel = ReportChannel.PARTNER_API
        owner = town_office_user(town=town)
        if owner is None:
            raise _error("town", _("该乡镇（街道）尚未设置民政办人员，暂不能受理报告。"), "no_town_office")
    if channel not in ReportChannel.values:
        raise _error("channel", _("请选择来源渠道。"), "invalid_channel")
    hotline = hotline.strip()
    if channel == ReportChannel.HOTLINE:
        if hotline not in rules.hotlines():
            raise _error(
                "hotline",
                _("请选择热线号码：%(numbers)s。") % {"numbers": "、".join(rules.hotlines())},
                "invalid_hotline",
            )
    else:
        hotline = ""
    summary = summary.strip()
    if not summary:
        raise _error("summary", _("请填写报告内容。"), "required")
    if discovered_at > now:
        raise _error("discovered_at", _("发现时间不能晚于现在。"), "in_future")
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != town.pk):
        raise _error("village", _("请选择本乡镇（街道）的村（社区）。"), "invalid_village")
    report = Report.objects.create(
        town=town,
        village=village,
        channel=channel,
        hotline=hotline,
        reporter_name=reporter_name.strip()[:100] or (actor.get_full_name() if organisation else ""),
        reporter_phone=reporter_phone.strip()[:30],
        reporter_organisation=organisation,
        child_name=child_name.strip()[:50],
        child_description=child_description.strip()[:300],
        summary=summary,
        violence_alleged=violence_alleged,
        discovered_at=discovered_at,
        received_at=now,
        owner=owner,
        triage_due_at=triage_due(received_at=now, violence_alleged=violence_alleged),
        updated_at=now,
    )
    _event(report=report, kind=EventKind.RECEIVED, actor=actor, to_status=report.status)
    return report


def _triaged(report: Report, fields: list[str]) -> None:
    if report.triaged_at is not None:
        raise _error("report", _("该报告已分流。"), "already_triaged")
    report.triaged_at = timezone.now()
    fields.append("triaged_at")


@transaction.atomic
def report_triage_link(*, actor, report: Report, minor: Minor, note: str = "") -> Report:
    """Triage: the report concerns a minor already registered, in the actor's reach and the report's town."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    if not user_reach(actor, Capability.VIEW_RECORDS).covers(minor.region.path) or not minor.region.is_within(
        report.town
    ):
        raise _error("minor", _("只能关联本乡镇（街道）您有权查看的未成年人。"), "out_of_reach")
    fields = ["minor"]
    _triaged(report, fields)
    report.minor = minor
    _save(report, fields)
    _event(report=report, kind=EventKind.LINKED, actor=actor, note=note.strip())
    return report


@transaction.atomic
def report_triage_register(
    *,
    actor,
    report: Report,
    region: Region,
    data: dict[str, Any],
    guardians: list[dict[str, Any]],
    categories: list[CategoryChoice],
    confirm_possible_duplicate: bool = False,
) -> Report:
    """Triage: register the child as a new minor (cases.registry.services.minor_register, with its own
    checks) and link the report to the record."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    if not region.is_within(report.town):
        raise _error("region", _("请选择本乡镇（街道）的村（社区）或网格。"), "out_of_reach")
    fields = ["minor"]
    _triaged(report, fields)
    minor = minor_register(
        actor=actor,
        region=region,
        data=data,
        guardians=guardians,
        categories=categories,
        confirm_possible_duplicate=confirm_possible_duplicate,
    )
    report.minor = minor
    _save(report, fields)
    _event(report=report, kind=EventKind.REGISTERED, actor=actor, note=minor.name)
    return report


@transaction.atomic
def report_dismiss(*, actor, report: Report, reason: str, outcome_for_reporter: str = "") -> Report:
    """Triage: the report needs no action (not a minor, already handled, unfounded); the reason is required."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("请填写不予处理的理由。"), "required")
    fields = ["status", "dismiss_reason", "outcome_for_reporter", "closed_at"]
    if report.triaged_at is None:
        _triaged(report, fields)
    from_status = report.status
    report.status = ReportStatus.DISMISSED
    report.dismiss_reason = reason
    report.outcome_for_reporter = outcome_for_reporter.strip() or report.outcome_for_reporter
    report.closed_at = timezone.now()
    _save(report, fields)
    _event(
        report=report,
        kind=EventKind.DISMISSED,
        actor=actor,
        from_status=from_status,
        to_status=report.status,
        note=reason,
    )
    return report


@transaction.atomic
def report_advance(*, actor, report: Report, note: str = "", outcome_for_reporter: str = "") -> Report:
    """Move the report one step: intake → investigation → handling → feedback (domain.md §7.2). A report
    leaves intake only once triaged."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    target = rules.next_status(report.status)
    if target is None:
        raise _error("status", _("反馈阶段之后请办结报告。"), "no_next_status")
    if report.triaged_at is None:
        raise _error("status", _("请先分流（关联或登记未成年人）。"), "not_triaged")
    from_status = report.status
    report.status = target
    fields = ["status"]
    if outcome_for_reporter.strip():
        report.outcome_for_reporter = outcome_for_reporter.strip()
        fields.append("outcome_for_reporter")
    _save(report, fields)
    _event(
        report=report,
        kind=EventKind.ADVANCED,
        actor=actor,
        from_status=from_status,
        to_status=target,
        note=note.strip(),
    )
    return report


@transaction.atomic
def report_record_handling(*, actor, report: Report, handling_record: str) -> Report:
    """Record what was done (处置情况); the record replaces the previous one and the event keeps each."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    handling_record = handling_record.strip()
    if not handling_record:
        raise _error("handling_record", _("请填写处置情况。"), "required")
    report.handling_record = handling_record
    _save(report, ["handling_record"])
    _event(report=report, kind=EventKind.HANDLING, actor=actor, note=handling_record)
    return report


@transaction.atomic
def report_transfer(*, actor, report: Report, note: str, outcome_for_reporter: str = "") -> Report:
    """A documented transfer (转办) to another town or department (domain.md §7.3); the note is required
    and says to whom and why."""
    report = _lock(report)
    _require_act(actor, report)
    _require_open(report)
    note = note.strip()
    if not note:
        raise _error("note", _("请填写移交说明（移交给谁、为什么）。"), "required")
    from_status = report.status
    report.status = ReportStatus.TRANSFERRED
    report.transfer_note = note
    report.outcome_for_reporter = outcome_for_reporter.strip() or report.outcome_for_reporter
    _save(report, ["status", "transfer_note", "outcome_for_reporter"])
    _event(
        report=report,
        kind=EventKind.TRANSFERRED,
        actor=actor,
        from_status=from_status,
        to_status=report.status,
        note=note,
    )
    return report


@transaction.atomic
def report_close(*, actor, report: Report, outcome_for_reporter: str = "", note: str = "") -> Report:
    """Close the report. The first receiver cannot close without a handling record or a documented
    transfer (domain.md §7.4); the outcome for the reporting partner is stored for it to poll."""
    report = _lock(report)
    _require_act(actor, report)
    if report.status not in rules.CLOSABLE_STATUSES:
        raise _error("status", _("该报告已办结或不予处理。"), "report_not_open")
    if not report.handling_record.strip() and not report.transfer_note.strip():
        raise _error("handling_record", _("办结前请先填写处置情况，或办理有记录的移交。"), "handling_record_required")
    from_status = report.status
    report.status = ReportStatus.CLOSED
    report.closed_at = timezone.now()
    report.outcome_for_reporter = outcome_for_reporter.strip() or report.outcome_for_reporter
    _save(report, ["status", "closed_at", "outcome_for_reporter"])
    _event(
        report=report,
        kind=EventKind.CLOSED,
        actor=actor,
        from_status=from_status,
        to_status=report.status,
        note=note.strip(),
    )
    return report


def reports_escalate_untriaged(*, now=None) -> dict[str, int]:
    """Untriaged reports past their triage deadline → one REPORT_UNTRIAGED alert per report to the town
    office and the town leader, and the owner; resolved once the report is triaged (issue 5 §6)."""
    now = now or timezone.now()
    late = Report.objects.filter(
        triaged_at__isnull=True, status=ReportStatus.INTAKE, triage_due_at__lte=now
    ).select_related("town")
    candidates = [
        AlertCandidate(
            subject_key=f"report:{r.pk}",
            period_key=r.triage_due_at.isoformat(),
            region_id=r.town_id,
            region_path=r.town.path,
            message=_("%(town)s受理的报告（%(channel)s，%(received)s）超过分流时限仍未分流。")
            % {
                "town": r.town.name,
                "channel": r.get_channel_display(),
                "received": timezone.localtime(r.received_at).strftime("%Y-%m-%d %H:%M"),
            },
            url=f"/reports/{r.pk}/",
            extra_user_ids=frozenset({r.owner_id}),
        )
        for r in late
    ]
    return alerts_sync(
        rule=UNTRIAGED_RULE,
        candidates=candidates,
    )

"""The quarterly analysis report (分析报告): request, generate, submit upward, reply (issue 6 §3).

Rules, from domain.md §4 mechanism 3 and §1.3 T-1/T-2:

- A town (and a district, for its own use) has one report per quarter. It aggregates its villages'
  figures — distribution, type and degree of distress, the quarter's changes, visits, cases and
  measures, referrals and a pre-estimate of the protection resources needed — and the town reports it
  to the district's civil-affairs bureau (T-1). The district replies with a targeted protection plan
  (保护方案, T-2).
- Anyone who reads a region's figures (Capability.VIEW_AGGREGATES) may have its report generated; the
  report holds aggregates only, never a child's name.
- Submitting is an act of the town towards the district: Capability.SUBMIT_REPORTS (the town office, its
  head, the town leader). Only a town's READY report can be submitted; a district's own report has no one
  above it in the system.
- Replying needs Capability.REPLY_PLANS over the town: the district civil-affairs bureau (domain.md §1.4:
  "read-only except plan replies"); only a SUBMITTED or REPLIED report takes a reply.
- Once submitted, the PDF is what the district received: it is never regenerated.

Every state change writes an AnalysisReportEvent in the same transaction; generation runs in Celery,
enqueued on commit. A caller who may see the report but not act raises ActionNotAllowed; bad
input or an illegal step raises ValidationError in Chinese.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from governance.selectors import governance_for_quarter
from reporting.dashboard.tables import percent_text
from reporting.models import AnalysisReport, AnalysisReportEvent, AnalysisReportStatus, ProtectionPlanReply
from reporting.quarters import Quarter
from screening.campaigns.selectors import campaigns_closed_between
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import region_ancestors, user_reach

logger = logging.getLogger(__name__)

Status = AnalysisReportStatus
Kind = AnalysisReportEvent.Kind

ANALYSIS_LEVELS = (Level.TOWN, Level.COUNTY)
FINAL_STATUSES = (Status.SUBMITTED, Status.REPLIED)
IN_PROGRESS_STATUSES = (Status.QUEUED, Status.GENERATING)
# A job queued or generating for longer than this is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=30)
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")

Progress = Callable[[int, str], None]


# --------------------------------------------------------------------------------------------------
# Who may do what (for showing buttons; the services check again)


def analysis_report_may_submit(*, user, report: AnalysisReport) -> bool:
    path = report.region.path
    return report.region.level == Level.TOWN and user_reach(user, Capability.SUBMIT_REPORTS).covers(path)


def analysis_report_may_reply(*, user, report: AnalysisReport) -> bool:
    return report.region.level == Level.TOWN and user_reach(user, Capability.REPLY_PLANS).covers(report.region.path)


def analysis_report_may_request(*, user, region: Region) -> bool:
    return region.level in ANALYSIS_LEVELS and user_reach(user, Capability.VIEW_AGGREGATES).covers(region.path)


def _tell(report: AnalysisReport, *, capability: str, title: str, also: set[int] | None = None, exclude=None) -> None:
    """Notify the people who act next on a report: holders of `capability` at its region or above it."""
    from django.urls import reverse

    from cases.alerts.services import notify, recipients_for
    from tiers.roles import ROLE_POLICIES

    roles = [role for role, policy in ROLE_POLICIES.items() if capability in policy.capabilities]
    users = recipients_for(region_paths=[report.region.path], roles=roles)[report.region.path] | (also or set())
    users.discard(getattr(exclude, "pk", None))
    if users:
        notify(user_ids=users, title=title, url=reverse("analysis_report_detail", args=[report.pk]))


def _label(report: AnalysisReport) -> dict[str, str]:
    return {"region": report.region.name, "quarter": Quarter.parse(report.quarter).label}


def _quarter(value: Quarter | str) -> Quarter:
    if isinstance(value, Quarter):
        return value
    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise ValidationError({"quarter": [str(exc)]}) from exc


def _event(report: AnalysisReport, kind: str, *, actor=None, note: str = "") -> AnalysisReportEvent:
    return AnalysisReportEvent.objects.create(report=report, kind=kind, actor=actor, note=note)


def _enqueue(report_id: int) -> None:
    from reporting.tasks import generate_analysis_report

    transaction.on_commit(lambda: generate_analysis_report.delay(report_id))


def _is_stale(report: AnalysisReport, now) -> bool:
    return report.requested_at < now - STALE_AFTER


def _queue(report: AnalysisReport, *, actor, now, note: str) -> None:
    report.status = Status.QUEUED
    report.progress = 0
    report.progress_note = _("排队等待生成")
    report.error = ""
    report.requested_by = actor
    report.requested_at = now
    report.save(update_fields=["status", "progress", "progress_note", "error", "requested_by", "requested_at"])
    _event(report, Kind.REQUESTED, actor=actor, note=note)
    _enqueue(report.pk)


# --------------------------------------------------------------------------------------------------
# Requesting and generating


def analysis_report_request(*, actor, region: Region, quarter: Quarter | str) -> AnalysisReport:
    """Have the report of `region` for `quarter` generated (again), in the background.

    The region must be a town or a district in the actor's VIEW_AGGREGATES reach; the quarter must have
    started (the current quarter's report shows the figures so far). A submitted report is final
    (domain.md §1.3 T-1: the district has it) and is not regenerated. A request while the report is
    already queued or generating returns it unchanged, unless that job has gone stale."""
    parsed = _quarter(quarter)
    if not user_reach(actor, Capability.VIEW_AGGREGATES).covers(region.path):
        raise ActionNotAllowed
    if region.level not in ANALYSIS_LEVELS:
        raise ValidationError({"region": [_("分析报告按乡镇（街道）或区县生成，请选择乡镇或区县。")]})
    if parsed > Quarter.current():
        raise ValidationError({"quarter": [_("%(quarter)s尚未开始，不能生成分析报告。") % {"quarter": parsed.label}]})
    now = timezone.now()
    with transaction.atomic():
        report, created = AnalysisReport.objects.select_for_update().get_or_create(
            region=region,
            quarter=str(parsed),
            defaults={"requested_by": actor, "requested_at": now, "progress_note": _("排队等待生成")},
        )
        if created:
            _event(report, Kind.REQUESTED, actor=actor)
            _enqueue(report.pk)
            return report
        if report.status in FINAL_STATUSES:
            raise ValidationError(_("该报告已上报，不能重新生成。"))
        if report.status in IN_PROGRESS_STATUSES and not _is_stale(report, now):
            return report
        _queue(report, actor=actor, now=now, note=_("重新生成"))
    return report


def analysis_reports_generate_for_quarter(*, quarter: Quarter | str, now=None) -> int:
    """The quarter-end job: a report for every active town and district, requested by the system.

    Idempotent: a region whose report is READY, SUBMITTED or REPLIED is skipped, and so is one already
    queued or generating (unless its job went stale); a FAILED one is tried again. Returns how many
    reports were queued."""
    parsed = _quarter(quarter)
    now = now or timezone.now()
    if not parsed.is_over(now):
        raise ValueError(f"{parsed} has not ended; quarter-end reports are made for ended quarters")
    queued = 0
    for region in Region.objects.filter(level__in=ANALYSIS_LEVELS, is_active=True).order_by("path"):
        with transaction.atomic():
            report, created = AnalysisReport.objects.select_for_update().get_or_create(
                region=region,
                quarter=str(parsed),
                defaults={"requested_by": None, "requested_at": now, "progress_note": _("排队等待生成")},
            )
            if created:
                _event(report, Kind.REQUESTED, note=_("季度末自动生成"))
                _enqueue(report.pk)
                queued += 1
            elif report.status == Status.FAILED or (report.status in IN_PROGRESS_STATUSES and _is_stale(report, now)):
                _queue(report, actor=None, now=now, note=_("季度末自动生成（重试）"))
                queued += 1
    return queued


def _progress_setter(report_id: int) -> Progress:
    def set_progress(percent: int, note: str) -> None:
        # Written outside the generating transaction so the polling page sees each step.
        AnalysisReport.objects.filter(pk=report_id, status=Status.GENERATING).update(
            progress=percent, progress_note=note[:100]
        )

    return set_progress


def analysis_report_generate(*, report_id: int) -> AnalysisReport | None:
    """Render the report's PDF and store it (the Celery task's body).

    Safe to run twice: only a QUEUED or GENERATING report is generated, and the result is kept only if
    the report is still the same request when rendering ends (not submitted, not re-requested meanwhile);
    otherwise the new file is discarded. A failure marks the report FAILED with the error and an event."""
    with transaction.atomic():
        report = AnalysisReport.objects.select_for_update().select_related("region").filter(pk=report_id).first()
        if report is None or report.status not in IN_PROGRESS_STATUSES:
            return report
        report.status = Status.GENERATING
        report.progress = 5
        report.progress_note = _("开始生成")
        report.save(update_fields=["status", "progress", "progress_note"])
    request_stamp = report.requested_at
    progress = _progress_setter(report.pk)
    try:
        document = report_document(region=report.region, quarter=Quarter.parse(report.quarter), progress=progress)
    except Exception as exc:  # any failure is the report's, shown on its page; the worker goes on
        logger.exception("analysis report %s failed", report.pk)
        return _mark_failed(report.pk, request_stamp, exc)

    with transaction.atomic():
        current = AnalysisReport.objects.select_for_update().get(pk=report.pk)
        if current.status != Status.GENERATING or current.requested_at != request_stamp:
            return current
        old_name = current.pdf.name
        current.pdf.save(_storage_name(current), ContentFile(document.pdf), save=False)
        current.pdf_size = len(document.pdf)
        current.summary = document.summary
        current.status = Status.READY
        current.progress = 100
        current.progress_note = _("已完成")
        current.error = ""
        current.generated_at = timezone.now()
        current.save(
            update_fields=[
                "pdf",
                "pdf_size",
                "summary",
                "status",
                "progress",
                "progress_note",
                "error",
                "generated_at",
            ]
        )
        _event(current, Kind.GENERATED, note=_("文件大小 %(size)s KB") % {"size": max(1, len(document.pdf) // 1024)})
        current.region = report.region
        if current.region.level == Level.TOWN:
            # The town's office reviews and submits it (the quarter-end job's reports have no requester).
            _tell(
                current,
                capability=Capability.SUBMIT_REPORTS,
                title=_("%(region)s%(quarter)s分析报告已生成，请审核后上报") % _label(current),
                also={current.requested_by_id} if current.requested_by_id else set(),
            )
        elif current.requested_by_id:
            _tell(
                current,
                capability="",
                title=_("%(region)s%(quarter)s分析报告已生成") % _label(current),
                also={current.requested_by_id},
            )
        if old_name and old_name != current.pdf.name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
    return current


def _mark_failed(report_id: int, request_stamp, exc: Exception) -> AnalysisReport:
    with transaction.atomic():
        current = AnalysisReport.objects.select_for_update().get(pk=report_id)
        if current.status != Status.GENERATING or current.requested_at != request_stamp:
            return current
        current.status = Status.FAILED
        current.error = f"{type(exc).__name__}: {exc}"[:2000]
        current.progress_note = _("生成失败")
        current.save(update_fields=["status", "error", "progress_note"])
        _event(current, Kind.FAILED, note=current.error)
    return current


def _storage_name(report: AnalysisReport) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"{report.region.code}-{report.quarter}-{stamp}.pdf"


def analysis_report_filename(report: AnalysisReport) -> str:
    """The name a downloaded PDF gets: 青山镇_2026年第3季度_分析报告.pdf."""
    return _("%(region)s_%(quarter)s_分析报告.pdf") % {
        "region": report.region.name,
        "quarter": Quarter.parse(report.quarter).label,
    }


# --------------------------------------------------------------------------------------------------
# Submitting and replying


def analysis_report_submit(*, actor, report: AnalysisReport) -> AnalysisReport:
    """Submit a town's READY report to the district (domain.md §1.3 T-1). Rules in the module docstring."""
    with transaction.atomic():
        locked = AnalysisReport.objects.select_for_update().select_related("region").get(pk=report.pk)
        if not analysis_report_may_submit(user=actor, report=locked):
            raise ActionNotAllowed
        if locked.status != Status.READY:
            raise ValidationError(
                _("只有已生成的报告才能上报（当前状态：%(status)s）。") % {"status": locked.get_status_display()}
            )
        locked.status = Status.SUBMITTED
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_by", "submitted_at"])
        _event(locked, Kind.SUBMITTED, actor=actor)
        _tell(
            locked,
            capability=Capability.REPLY_PLANS,
            title=_("%(region)s上报了%(quarter)s分析报告，请阅研并回复保护方案") % _label(locked),
        )
    return locked


def _clean_attachment(attachment) -> None:
    if attachment is None:
        return
    if Path(attachment.name or "").suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {"attachment": [_("附件格式应为 %(formats)s。") % {"formats": "、".join(ATTACHMENT_EXTENSIONS)}]}
        )
    if attachment.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": [_("附件不能超过 20 MB。")]})


def protection_plan_reply(*, actor, report: AnalysisReport, body: str, attachment=None) -> ProtectionPlanReply:
    """The district's reply to a submitted report: its targeted protection plan (domain.md §1.3 T-2).

    Only a post with REPLY_PLANS over the town replies, to a SUBMITTED or REPLIED report; the
    report becomes REPLIED. Several replies may follow one another (a plan, then an amendment)."""
    body = (body or "").strip()
    with transaction.atomic():
        locked = AnalysisReport.objects.select_for_update().select_related("region").get(pk=report.pk)
        if not analysis_report_may_reply(user=actor, report=locked):
            raise ActionNotAllowed
        if locked.status not in FINAL_STATUSES:
            raise ValidationError(_("报告尚未上报，不能回复。"))
        if not body:
            raise ValidationError({"body": [_("请填写保护方案。")]})
        _clean_attachment(attachment)
        reply = ProtectionPlanReply(report=locked, body=body, author=actor)
        if attachment is not None:
            reply.attachment.save(Path(attachment.name).name, attachment, save=False)
        reply.save()
        if locked.status != Status.REPLIED:
            locked.status = Status.REPLIED
            locked.save(update_fields=["status"])
        _event(locked, Kind.REPLIED, actor=actor, note=body[:200])
        _tell(
            locked,
            capability=Capability.SUBMIT_REPORTS,
            title=_("区县民政部门回复了%(region)s%(quarter)s分析报告的保护方案") % _label(locked),
            also={locked.submitted_by_id} if locked.submitted_by_id else set(),
            exclude=actor,
        )
    return reply


# --------------------------------------------------------------------------------------------------
# The document itself


class ReportDocument:
    def __init__(self, *, pdf: bytes, summary: str) -> None:
        self.pdf = pdf
        self.summary = summary


def _noop(percent: int, note: str) -> None:
    return None


def region_full_name(region: Region) -> str:
    """示范县青山镇: the names from the county down, as on an official document."""
    return "".join(unit.name for unit in [*region_ancestors(region), region])


def whole_word(name: str, level: str) -> str:
    """全镇 / 全乡 / 全街道 / 全区 / 全县 / 全市: how an official text names the whole of a unit."""
    wholes = {
        "街道": _("全街道"),
        "镇": _("全镇"),
        "乡": _("全乡"),
        "区": _("全区"),
        "县": _("全县"),
        "市": _("全市"),
    }
    for suffix, whole in wholes.items():
        if name.endswith(suffix):
            return whole
    return _("全镇") if level == Level.TOWN else _("全县（区）")


def summary_text(figures: dict, *, quarter: Quarter) -> str:
    """The report's opening paragraph, written from the figures (stored on the report as its summary)."""
    registry, changes, visits = figures["registry"], figures["changes"], figures["visits"]
    cases, referrals, intake = figures["cases"], figures["referrals"], figures["intake"]
    whole = whole_word(figures["region"]["name"], figures["region"]["level"])
    if figures["live"]:
        today = timezone.localdate()
        when = _("截至%(year)s年%(month)s月%(day)s日") % {"year": today.year, "month": today.month, "day": today.day}
    else:
        when = _("截至本季度末")
    grades = registry["grades"]
    parts = [
        _("%(when)s，%(whole)s在册困境未成年人%(active)s人")
        % {"when": when, "whole": whole, "active": registry["active"]},
    ]
    if registry["baseline"]:
        parts.append(
            _("占未成年人底数%(rate)s（底数%(baseline)s人）")
            % {"rate": percent_text(registry["at_risk_rate"]), "baseline": registry["baseline"]}
        )
    parts.append(
        _("其中红色%(red)s人、橙色%(orange)s人、黄色%(yellow)s人、蓝色%(blue)s人，四类特殊群体%(special)s人")
        % {
            "red": grades.get("RED", 0),
            "orange": grades.get("ORANGE", 0),
            "yellow": grades.get("YELLOW", 0),
            "blue": grades.get("BLUE", 0),
            "special": registry["four_special_groups"],
        }
    )
    # Translators: the separator between clauses of one sentence, and the sentence's end.
    first = _("，").join(parts) + _("。")
    second = _("%(quarter)s新增登记%(registered)s人，销档%(closed)s人；风险等级上调%(up)s人次、下调%(down)s人次。") % {
        "quarter": _("本季度"),
        "registered": changes["registered"],
        "closed": changes["closed"],
        "up": changes["upgrades"],
        "down": changes["downgrades"],
    }
    third = _("应走访%(due)s次，按时走访%(on_time)s次，走访及时率%(rate)s。") % {
        "due": visits["due"],
        "on_time": visits["on_time"],
        "rate": percent_text(visits["rate"]),
    }
    fourth = _(
        "在办个案%(open)s件，进行中的帮扶措施%(measures)s项，其中逾期%(overdue)s项；发出转介%(referrals)s件，受理报告%(reports)s件。"
    ) % {
        "open": cases["open"],
        "measures": cases["measures_open"],
        "overdue": cases["measures_overdue"],
        "referrals": referrals["sent"],
        "reports": intake["received"],
    }
    return first + second + third + fourth


def report_context(*, region: Region, quarter: Quarter, progress: Progress = _noop) -> dict:
    """Everything the PDF template shows. Aggregates only: tables and charts of the figures."""
    from reporting.charts import chart_svg
    from reporting.dashboard.selectors import figures_for, trend_for
    from reporting.dashboard.tables import figure_charts, figure_tables, table_for_display, trend_table

    progress(10, _("正在汇总数据"))
    figures = figures_for(region=region, quarter=quarter)
    trend = trend_for(region=region, quarter=quarter, figures=figures)
    tables = {table["key"]: table_for_display(table) for table in figure_tables(figures)}
    tables["trend"] = table_for_display(trend_table(trend))
    governance = governance_for_quarter(region=region, quarter=quarter)
    campaigns = campaigns_closed_between(region=region, start=quarter.start, end=quarter.end)

    progress(50, _("正在绘制图表"))
    charts = {
        key: mark_safe(chart_svg(spec, width=640, height=300 if key != "children" else 320))  # noqa: S308
        for key, spec in figure_charts(figures, trend).items()
    }
    return {
        "visit_rate": percent_text(figures["visits"]["rate"]),
        "visits_by_child": table_for_display(_visits_by_child(figures)),
        "governance_table": _governance_table(governance) if governance else None,
        "region": region,
        "region_full_name": region_full_name(region),
        "quarter": quarter,
        "figures": figures,
        "tables": tables,
        "charts": charts,
        "governance": governance,
        "campaigns": campaigns,
        "summary": summary_text(figures, quarter=quarter),
        "generated_on": timezone.localdate(),
        "is_town": region.level == Level.TOWN,
        "level_word": whole_word(region.name, region.level),
    }


def _visits_by_child(figures: dict) -> dict:
    from reporting.dashboard.tables import child_level_label

    level = child_level_label(figures)
    return {
        "key": "visits_by_child",
        "title": _("走访落实（按%(level)s）") % {"level": level},
        "columns": [level, _("应走访"), _("按时走访"), _("及时率"), _("当前逾期未访")],
        "rows": [
            [
                child["name"],
                child["visits_due"],
                child["visits_on_time"],
                child["visit_rate"],
                child["overdue_now"] if figures["live"] else "—",
            ]
            for child in figures["children"]
        ],
        "percent_columns": [3],
    }


def _governance_table(governance: dict) -> dict:
    def verdict(flag) -> str:
        return "—" if flag is None else (_("达标") if flag else _("未达标"))

    return {
        "key": "governance",
        "title": _("工作会议落实情况"),
        "columns": [_("会议"), _("已召开"), _("应召开"), _("是否达标")],
        "rows": [
            [
                _("领导小组会议"),
                governance["leadership_held"],
                governance["leadership_required"],
                verdict(governance["leadership_compliant"]),
            ],
            [
                _("季度联络会议"),
                governance["liaison_held"],
                governance["liaison_required"],
                verdict(governance["liaison_compliant"]),
            ],
        ],
        "percent_columns": [],
    }


def render_report_html(context: dict) -> str:
    # The report is an official Chinese document, whatever language the worker or operator runs in.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("reporting/analysis/report_pdf.html", context)


def report_document(*, region: Region, quarter: Quarter, progress: Progress = _noop) -> ReportDocument:
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(region=region, quarter=quarter, progress=progress)
        html = render_report_html(context)
    progress(80, _("正在生成 PDF"))
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return ReportDocument(pdf=pdf, summary=context["summary"])


def render_report_pdf(*, region: Region, quarter: Quarter) -> bytes:
    """The analysis report of `region` for `quarter` as PDF bytes (live figures for the current quarter,
    frozen ones for past quarters). Used by the Celery task and by `manage.py quarterly_report`."""
    return report_document(region=region, quarter=quarter).pdf


__all__ = [
    "analysis_report_filename",
    "analysis_report_generate",
    "analysis_report_may_reply",
    "analysis_report_may_request",
    "analysis_report_may_submit",
    "analysis_report_request",
    "analysis_report_submit",
    "analysis_reports_generate_for_quarter",
    "protection_plan_reply",
    "render_report_pdf",
    "report_context",
    "summary_text",
]

"""The reports intake queue's models (domain.md §7): a report or clue about a child, owned by its first
receiver, and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.accesslog.recorder import access_note
from cases.models import Minor
from tiers.models import Organisation, Region


class ReportChannel(models.TextChoices):
    """Discovery and reporting channels (domain.md §7.1)."""

    HOTLINE = "HOTLINE", _("热线电话")
    PUBLIC = "PUBLIC", _("群众来访举报")
    PARTNER_API = "PARTNER_API", _("协作单位接口报送")
    MANDATORY_REPORTER = "MANDATORY_REPORTER", _("强制报告")
    PATROL = "PATROL", _("巡查发现")
    SENTINEL = "SENTINEL", _("监测哨点")
    SCHOOL = "SCHOOL", _("学校报告")
    GRID = "GRID", _("网格发现")
    CHILD_DIRECTOR_VISIT = "CHILD_DIRECTOR_VISIT", _("儿童主任走访")
    DEPARTMENT_NOTICE = "DEPARTMENT_NOTICE", _("部门通报")
    SELF_HELP_REQUEST = "SELF_HELP_REQUEST", _("本人或家庭求助")


class ReportStatus(models.TextChoices):
    """Intake → investigation → handling → feedback (domain.md §7.2; 003 二(三)10), then closed."""

    INTAKE = "INTAKE", _("受理")
    INVESTIGATION = "INVESTIGATION", _("调查")
    HANDLING = "HANDLING", _("处置")
    FEEDBACK = "FEEDBACK", _("反馈")
    CLOSED = "CLOSED", _("已办结")
    DISMISSED = "DISMISSED", _("不予处理")
    TRANSFERRED = "TRANSFERRED", _("已移交")


class Report(models.Model):
    """A report or clue about a child (domain.md §7), owned by its first receiver (首问责任制, §7.4)."""

    town = models.ForeignKey(
        Region, verbose_name=_("受理乡镇（街道）"), on_delete=models.PROTECT, related_name="reports"
    )
    village = models.ForeignKey(
        Region, verbose_name=_("发生地村（社区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("来源渠道"), max_length=30, choices=ReportChannel.choices)
    hotline = models.CharField(_("热线号码"), max_length=20, blank=True)
    reporter_name = models.CharField(_("报告人"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("报告人电话"), max_length=30, blank=True)
    reporter_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("报告单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    child_name = models.CharField(_("涉及未成年人姓名"), max_length=50, blank=True)
    child_description = models.CharField(_("未成年人情况"), max_length=300, blank=True)
    summary = models.TextField(_("报告内容"))
    violence_alleged = models.BooleanField(_("涉及暴力侵害"), default=False)
    discovered_at = models.DateTimeField(_("发现时间"))
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("首问责任人"), on_delete=models.PROTECT, related_name="owned_reports"
    )
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.INTAKE)
    triage_due_at = models.DateTimeField(_("应分流时间"))
    triaged_at = models.DateTimeField(_("分流时间"), null=True, blank=True)
    minor = models.ForeignKey(
        Minor, verbose_name=_("关联未成年人"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    dismiss_reason = models.TextField(_("不予处理理由"), blank=True)
    handling_record = models.TextField(_("处置情况"), blank=True)
    transfer_note = models.TextField(_("移交说明"), blank=True)
    outcome_for_reporter = models.TextField(_("反馈报告人的结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("报告线索")
        verbose_name_plural = _("报告线索")
        ordering = ["-received_at", "-id"]
        constraints = [
            # The first receiver cannot close a report without a handling record or a documented transfer.
            models.CheckConstraint(
                condition=~Q(status="CLOSED") | ~Q(handling_record="") | ~Q(transfer_note=""),
                name="report_closed_has_handling_or_transfer",
            ),
            models.CheckConstraint(
                condition=~Q(status="DISMISSED") | ~Q(dismiss_reason=""), name="report_dismissed_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d}"

    @classmethod
    def from_db(cls, db, field_names, values):
        # A report linked to a registered child is part of the child's record: showing it is a read
        # (cases/accesslog/recorder.py).
        instance = super().from_db(db, field_names, values)
        if "minor_id" in field_names:
            access_note(instance.minor_id)
        return instance


class ReportEvent(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("报告处理记录")
        verbose_name_plural = _("报告处理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"

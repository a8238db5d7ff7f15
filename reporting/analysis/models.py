from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.models import Region


class AnalysisReportStatus(models.TextChoices):
    QUEUED = "QUEUED", _("排队中")
    GENERATING = "GENERATING", _("生成中")
    READY = "READY", _("已生成")
    FAILED = "FAILED", _("生成失败")
    SUBMITTED = "SUBMITTED", _("已上报")
    REPLIED = "REPLIED", _("已回复")


class AnalysisReport(models.Model):
    """The quarterly analysis report (分析报告) of a town or a district (domain.md §4 mechanism 3, §1.3 T-1).

    One per region and quarter. It may be regenerated until it is submitted upward; from then on its
    PDF is what the district received and is never replaced.
    """

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(_("季度"), max_length=6)
    status = models.CharField(
        _("状态"), max_length=12, choices=AnalysisReportStatus.choices, default=AnalysisReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=100, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="analysis-reports/%Y/", blank=True)
    pdf_size = models.PositiveIntegerField(_("文件大小"), default=0)
    summary = models.TextField(_("摘要"), blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度分析报告")
        verbose_name_plural = _("季度分析报告")
        ordering = ["-quarter", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "quarter"], name="analysisreport_unique"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(status__in=[AnalysisReportStatus.SUBMITTED, AnalysisReportStatus.REPLIED]),
                name="analysisreport_submitted_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.quarter}"


class AnalysisReportEvent(models.Model):
    """One step in a report's life: requested, generated, failed, submitted, replied."""

    class Kind(models.TextChoices):
        REQUESTED = "REQUESTED", _("申请生成")
        GENERATED = "GENERATED", _("生成完成")
        FAILED = "FAILED", _("生成失败")
        SUBMITTED = "SUBMITTED", _("上报")
        REPLIED = "REPLIED", _("上级回复")

    report = models.ForeignKey(AnalysisReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("分析报告记录")
        verbose_name_plural = _("分析报告记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class ProtectionPlanReply(models.Model):
    """The district's reply to a submitted report: the targeted protection plan (保护方案, domain.md §1.3 T-2)."""

    report = models.ForeignKey(
        AnalysisReport, verbose_name=_("分析报告"), on_delete=models.PROTECT, related_name="replies"
    )
    body = models.TextField(_("保护方案"))
    attachment = models.FileField(_("附件"), upload_to="protection-plans/%Y/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("回复时间"), default=timezone.now)

    class Meta:
        verbose_name = _("保护方案回复")
        verbose_name_plural = _("保护方案回复")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.created_at:%Y-%m-%d}"

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LedgerExportStatus(models.TextChoices):
    QUEUED = "QUEUED", _("排队中")
    RUNNING = "RUNNING", _("导出中")
    READY = "READY", _("已完成")
    FAILED = "FAILED", _("导出失败")


class LedgerExport(models.Model):
    """A ledger (台账) export too large to answer in the request (issue 6 §4), built by a worker.

    `filters` is the query string of the registry list as requested ({"region": ["12"], …}), so the
    same filter form is rebuilt for the requesting user when the file is made. Only that user may
    download the file; it is deleted `MINORPROT_EXPORT_KEEP_DAYS` after it is ready (the row stays as
    the record of the export; the access log holds one row per child exported)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    region_label = models.CharField(_("导出范围"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=LedgerExportStatus.choices, default=LedgerExportStatus.QUEUED
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    file = models.FileField(_("文件"), upload_to="ledger-exports/%Y/", blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    expires_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="ledgerexport_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=LedgerExportStatus.READY) | Q(file=""), name="ledgerexport_file_only_when_ready"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

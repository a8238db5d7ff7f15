"""Ledger import (issue 12 §1): one ImportBatch per uploaded ledger (dry run and commit), and the synonym
table that turns a ledger's own words (留守儿童, 外出务工, 爷爷, 红色 …) into the registry's codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.models import Region


class SynonymKind(models.TextChoices):
    """What a word in a ledger names. HEADER words name a column (value: a column key of
    cases.imports.rules.COLUMNS, or "IGNORE"); the others name a registry code."""

    HEADER = "HEADER", _("表头")
    CATEGORY = "CATEGORY", _("困境类型")
    GUARDIAN_SITUATION = "GUARDIAN_SITUATION", _("监护人情况")
    RELATION = "RELATION", _("与儿童关系")
    EDUCATION = "EDUCATION", _("就学情况")
    GRADE = "GRADE", _("风险等级")
    GENDER = "GENDER", _("性别")
    NO_ID_REASON = "NO_ID_REASON", _("无身份证号原因")


class LedgerSynonym(models.Model):
    """One word of a ledger and the code it stands for. Rows without a town ship with the product (a data
    migration) and hold everywhere; a town's own rows are the mappings its staff chose on the import page,
    remembered for its next file, and win over the shipped ones. Editable in the admin."""

    kind = models.CharField(_("类型"), max_length=20, choices=SynonymKind.choices)
    word = models.CharField(_("台账用语"), max_length=100)
    value = models.CharField(_("对应代码"), max_length=40)
    town = models.ForeignKey(
        Region,
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_synonyms",
        help_text=_("留空表示全部地区通用。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("台账用语对照")
        verbose_name_plural = _("台账用语对照")
        ordering = ["kind", "town_id", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "word"], condition=Q(town__isnull=True), name="ledgersynonym_unique_shipped"
            ),
            models.UniqueConstraint(
                fields=["kind", "word", "town"], condition=Q(town__isnull=False), name="ledgersynonym_unique_town"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.word} → {self.value}"


class JobStep(models.TextChoices):
    """Which step of a large file a worker runs (issue 12 §1)."""

    DRY_RUN = "DRY_RUN", _("预览")
    COMMIT = "COMMIT", _("导入")


class JobStatus(models.TextChoices):
    QUEUED = "QUEUED", _("排队中")
    RUNNING = "RUNNING", _("处理中")
    DONE = "DONE", _("已完成")
    FAILED = "FAILED", _("失败")


class ImportBatch(models.Model):
    """One ledger file brought to the registry for a town: who, when, which file, the outcome. A dry run
    is a batch in status PREVIEWED; committing it turns it COMMITTED (or FAILED, with nothing saved)."""

    class Status(models.TextChoices):
        PREVIEWED = "PREVIEWED", _("已预览（未导入）")
        COMMITTED = "COMMITTED", _("已导入")
        FAILED = "FAILED", _("导入失败")

    town = models.ForeignKey(
        Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="import_batches"
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to="ledger-imports/%Y/%m/", blank=True)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒收"), default=0)
    # [{"row": sheet row, "ref": 序号, "errors": [{"field": column, "message": "…"}], "values": [...]}]
    rejected_rows = models.JSONField(_("拒收行"), default=list, blank=True)
    # The header of the sheet as read, and which column each header went to.
    headers = models.JSONField(_("表头"), default=list, blank=True)
    # Words of the file no synonym knows, by kind: {"CATEGORY": ["孤残"], …}; the page offers to map them.
    unknown_words = models.JSONField(_("未识别用语"), default=dict, blank=True)
    header_row = models.PositiveIntegerField(_("表头所在行"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # A large file's dry run or commit runs in a worker (cases.imports.tasks); blank when it ran in the request.
    job_step = models.CharField(_("后台步骤"), max_length=10, choices=JobStep.choices, blank=True)
    job_status = models.CharField(_("后台状态"), max_length=10, choices=JobStatus.choices, blank=True)
    progress_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    # The dry run's normalised, checked rows (cases.imports.services.parsed), so the commit does not read
    # and check the file again; the digest (keyed with the site's secret) is checked before they are read.
    parsed_rows = models.FileField(_("预览结果"), upload_to="ledger-imports/%Y/%m/", blank=True)
    parsed_rows_digest = models.CharField(_("预览结果摘要"), max_length=64, blank=True)
    expected_rows = models.PositiveIntegerField(_("预计行数"), default=0)

    class Meta:
        verbose_name = _("台账导入批次")
        verbose_name_plural = _("台账导入批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["town", "-created_at"], name="importbatch_town_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def job_in_progress(self) -> bool:
        return self.job_status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def may_commit(self) -> bool:
        """A previewed batch whose dry run is over (in the request, or by a worker) may be committed."""
        return self.status == self.Status.PREVIEWED and not self.job_in_progress

    @property
    def progress_percent(self) -> int:
        if not self.expected_rows:
            return 0
        return min(99, self.progress_rows * 100 // self.expected_rows)

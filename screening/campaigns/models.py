"""Screening campaigns (摸底排查; domain.md §4 row 2, §7.1; 004 一(二); issue 12 §3).

The town office or the county opens a campaign for its area and period; opening gives every active
registered child of the area one CampaignItem, grouped by village, which grid heads and child directors
confirm. Closing records the campaign's figures in a CampaignResult. Written only by
screening.campaigns.services; re-exported from screening.models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Minor
from tiers.models import Region


class CampaignStatus(models.TextChoices):
    OPEN = "OPEN", _("进行中")
    CLOSED = "CLOSED", _("已结束")


class ItemOutcome(models.TextChoices):
    """What a grid head or child director found for one child (issue 12 §3). Blank: not yet confirmed."""

    UNCHANGED = "UNCHANGED", _("无变化")
    CHANGED = "CHANGED", _("情况有变化")
    MOVED = "MOVED", _("迁移居住地")
    LEFT_AREA = "LEFT_AREA", _("离开本辖区")
    AGED_OUT = "AGED_OUT", _("已满18周岁")
    DECEASED = "DECEASED", _("死亡")


class Campaign(models.Model):
    """One screening campaign of a town or a county, with its period and deadline."""

    region = models.ForeignKey(
        Region, verbose_name=_("排查范围"), on_delete=models.PROTECT, related_name="screening_campaigns"
    )
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    opened_at = models.DateTimeField(_("开启时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("开启人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("摸底排查")
        verbose_name_plural = _("摸底排查")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(deadline__gte=models.F("starts_on")), name="campaign_period"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CampaignItem(models.Model):
    """One child to confirm in one campaign, in the village the child lived in when it opened."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("摸底排查"), on_delete=models.CASCADE, related_name="items")
    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("排查结果"), max_length=12, choices=ItemOutcome.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("摸底排查对象")
        verbose_name_plural = _("摸底排查对象")
        ordering = ["village_id", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "minor"], name="campaignitem_once_per_campaign")]
        indexes = [models.Index(fields=["campaign", "village", "outcome"], name="campaignitem_progress_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.minor_id}"


class CampaignEvent(models.Model):
    """The campaign's history: opened, a child confirmed, closed."""

    class Kind(models.TextChoices):
        OPENED = "OPENED", _("开启")
        CONFIRMED = "CONFIRMED", _("确认")
        CLOSED = "CLOSED", _("结束")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(CampaignItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    detail = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("摸底排查记录")
        verbose_name_plural = _("摸底排查记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class CampaignResult(models.Model):
    """The figures of a closed campaign, recorded when it closes (issue 12 §3): "new this period",
    "changed this period", by category, and how each child was confirmed."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result")
    total = models.PositiveIntegerField(_("应排查人数"))
    confirmed = models.PositiveIntegerField(_("已确认人数"))
    new_count = models.PositiveIntegerField(_("本期新增"))
    changed_count = models.PositiveIntegerField(_("本期变化"))
    # {outcome: n} over the items; {category code: n} for the new and the changed children.
    by_outcome = models.JSONField(_("按排查结果"), default=dict)
    new_by_category = models.JSONField(_("新增按类别"), default=dict)
    changed_by_category = models.JSONField(_("变化按类别"), default=dict)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("摸底排查结果")
        verbose_name_plural = _("摸底排查结果")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.confirmed}/{self.total}"

"""Patrols (巡查) and sentinel points (监测哨点): two of the town's discovery channels (domain.md §7.1; §13
monitoring sentinel points; 001 篇四 (三)3). A finding of a patrol and a sentinel point's report land in the
town's intake queue (referrals.intake) as a Report; ReportSource links the report back to where it came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.intake.models import Report
from tiers.models import Region


class PatrolGroup(models.Model):
    """A town's patrol group (巡查组): staff holding posts in the town who patrol it together."""

    town = models.ForeignKey(Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("巡查组名称"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), related_name="patrol_groups", blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("巡查组")
        verbose_name_plural = _("巡查组")
        ordering = ["town__path", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="patrolgroup_unique_name_per_town")]

    def __str__(self) -> str:
        return self.name


class PatrolKind(models.TextChoices):
    KEY_VISIT = "KEY_VISIT", _("重点走访")
    STREET_PATROL = "STREET_PATROL", _("街面巡查")
    FOLLOW_UP = "FOLLOW_UP", _("跟踪随访")


class PatrolLog(models.Model):
    """One patrol of a group: when, where, who went and what they found."""

    group = models.ForeignKey(PatrolGroup, verbose_name=_("巡查组"), on_delete=models.PROTECT, related_name="logs")
    kind = models.CharField(_("巡查类型"), max_length=20, choices=PatrolKind.choices)
    patrolled_at = models.DateTimeField(_("巡查时间"))
    village = models.ForeignKey(
        Region, verbose_name=_("村（社区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("巡查地点"), max_length=200)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参加人员"), related_name="+")
    findings = models.TextField(_("巡查情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-patrolled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.patrolled_at:%Y-%m-%d}"


class SentinelKind(models.TextChoices):
    SCHOOL = "SCHOOL", _("学校")
    FAMILY = "FAMILY", _("家庭")
    COMMUNITY = "COMMUNITY", _("社区")
    SOCIAL_ORG = "SOCIAL_ORG", _("社会组织")
    POLITICAL_LEGAL_UNIT = "POLITICAL_LEGAL_UNIT", _("政法单位")


class SentinelPoint(models.Model):
    """A monitoring sentinel point (监测哨点) of a town or village; its monitoring administrator
    (健康监测管理员) is its first reporter."""

    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("哨点类型"), max_length=30, choices=SentinelKind.choices)
    name = models.CharField(_("哨点名称"), max_length=100)
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("健康监测管理员"),
        on_delete=models.PROTECT,
        related_name="sentinel_points",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("监测哨点")
        verbose_name_plural = _("监测哨点")
        ordering = ["region__path", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="sentinelpoint_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name


class ReportSource(models.Model):
    """Where a report of the intake queue was found: a patrol's log or a sentinel point (exactly one)."""

    report = models.OneToOneField(Report, verbose_name=_("报告线索"), on_delete=models.PROTECT, related_name="source")
    patrol_log = models.ForeignKey(
        PatrolLog, verbose_name=_("巡查记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    sentinel_point = models.ForeignKey(
        SentinelPoint,
        verbose_name=_("监测哨点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
    )

    class Meta:
        verbose_name = _("报告来源")
        verbose_name_plural = _("报告来源")
        constraints = [
            models.CheckConstraint(
                condition=Q(patrol_log__isnull=False, sentinel_point__isnull=True)
                | Q(patrol_log__isnull=True, sentinel_point__isnull=False),
                name="reportsource_exactly_one_origin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}"


class DiscoveryEvent(models.Model):
    """The history of patrol groups, patrol logs and sentinel points (STYLE.md rule 4)."""

    kind = models.CharField(_("事项"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    patrol_group = models.ForeignKey(
        PatrolGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    patrol_log = models.ForeignKey(PatrolLog, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    sentinel_point = models.ForeignKey(
        SentinelPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("巡查与哨点记录")
        verbose_name_plural = _("巡查与哨点记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind

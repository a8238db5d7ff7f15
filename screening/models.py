"""Assessments and risk grades (domain.md §3), what each grade demands (§3.1, §10.1), visits (走访),
the visit plan that Celery keeps current, and emergency responses for red-graded children."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Minor, RiskGrade
from tiers.models import Region


@pghistory.track()
class Indicator(models.Model):
    """One item of the risk-level checklist, with the minimum grade it implies (domain.md §3.1 [PROPOSAL]).
    The grade of an assessment is the highest implied by its triggered indicators. Data, editable by a
    district administrator; `prefill_*` name the registry facts that tick it in advance."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    min_grade = models.CharField(_("对应最低等级"), max_length=10, choices=RiskGrade.choices)
    prefill_categories = models.JSONField(_("预选：困境类别"), default=list, blank=True)
    prefill_guardian_flags = models.JSONField(_("预选：监护人情况"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("风险指标")
        verbose_name_plural = _("风险指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class IndicatorOverride(models.Model):
    """A county's own setting of one checklist indicator (domain.md §14.7: grade criteria are configurable
    per district). The Indicator row is the deployment default and the identity assessments refer to;
    this row, when present, is what is in force in its county. Removing it returns the county to the
    default. Written only by screening.policy.services."""

    county = models.ForeignKey(
        Region, verbose_name=_("区县"), on_delete=models.CASCADE, related_name="indicator_overrides"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("风险指标"), on_delete=models.CASCADE, related_name="overrides"
    )
    min_grade = models.CharField(_("对应最低等级"), max_length=10, choices=RiskGrade.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("区县风险指标设置")
        verbose_name_plural = _("区县风险指标设置")
        ordering = ["county_id", "indicator__sort_order", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["county", "indicator"], name="indicatoroverride_one_per_county")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.indicator_id} {self.min_grade}"


# The fields a county may set for itself; name, description and prefill stay deployment-wide.
INDICATOR_OVERRIDE_FIELDS = ("min_grade", "is_active")


@pghistory.track()
class GradePolicy(models.Model):
    """What a grade demands (domain.md §3.1, §10.1, §14.7): the visit interval, whether a one-to-one
    helper is required, and for red the emergency-response deadline and the contact interval until the
    response is in place. A row without county is the default; a county's own row overrides it."""

    county = models.ForeignKey(
        Region, verbose_name=_("区县"), null=True, blank=True, on_delete=models.CASCADE, related_name="grade_policies"
    )
    grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices)
    visit_interval_days = models.PositiveSmallIntegerField(_("走访间隔（天）"))
    requires_helper = models.BooleanField(_("须指定一对一帮扶人"), default=False)
    response_deadline_hours = models.PositiveSmallIntegerField(_("应急处置时限（小时）"), null=True, blank=True)
    contact_interval_until_response_days = models.PositiveSmallIntegerField(
        _("处置到位前联系间隔（天）"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("分级响应要求")
        verbose_name_plural = _("分级响应要求")
        ordering = ["county_id", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["county", "grade"], name="gradepolicy_unique_per_county"),
            models.UniqueConstraint(
                fields=["grade"], condition=Q(county__isnull=True), name="gradepolicy_unique_default"
            ),
            models.CheckConstraint(condition=Q(visit_interval_days__gte=1), name="gradepolicy_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.visit_interval_days}d"


class AssessmentKind(models.TextChoices):
    RISK_LEVEL = "RISK_LEVEL", _("风险等级评估")
    FAMILY_GUARDIANSHIP = "FAMILY_GUARDIANSHIP", _("家庭监护评估")
    NEEDS = "NEEDS", _("需求评估")
    GUARDIAN_CAPACITY = "GUARDIAN_CAPACITY", _("监护能力评估")
    INVESTIGATION = "INVESTIGATION", _("走访调查评估")
    # A grade brought in from a town's Excel ledger (issue 12 §1); the importer is its author.
    IMPORTED = "IMPORTED", _("台账导入等级")


class Assessment(models.Model):
    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("评估类型"), max_length=30, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("评估日期"), default=timezone.localdate)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("评估结论"), blank=True)
    indicators = models.ManyToManyField(Indicator, verbose_name=_("触发指标"), blank=True, related_name="+")
    computed_grade = models.CharField(_("计算等级"), max_length=10, choices=RiskGrade.choices, blank=True)
    final_grade = models.CharField(_("确定等级"), max_length=10, choices=RiskGrade.choices, blank=True)
    override_reason = models.TextField(_("调整等级理由"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评估")
        verbose_name_plural = _("评估")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(final_grade=models.F("computed_grade")) | ~Q(override_reason=""),
                name="assessment_override_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessed_on}"


class GradeChange(models.Model):
    """One change of a minor's risk grade: the timeline on the record and the upgrade/downgrade figures."""

    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="grade_changes")
    from_grade = models.CharField(_("原等级"), max_length=10, choices=RiskGrade.choices, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=10, choices=RiskGrade.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"))
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("依据评估"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["minor", "-at"], name="gradechange_minor_at_idx")]

    def __str__(self) -> str:
        return f"{self.from_grade or '-'} → {self.to_grade}"


@pghistory.track()
class PairedHelper(models.Model):
    """The one-to-one helper (结对帮扶人) an orange child must have (domain.md §3.1, 001 篇四 L90)."""

    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="helpers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("帮扶人姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)
    since = models.DateField(_("开始日期"), default=timezone.localdate)
    until = models.DateField(_("结束日期"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("一对一帮扶人")
        verbose_name_plural = _("一对一帮扶人")
        constraints = [
            models.UniqueConstraint(fields=["minor"], condition=Q(until__isnull=True), name="pairedhelper_one_current")
        ]

    def __str__(self) -> str:
        return self.name


class ResponseMeasure(models.TextChoices):
    ADMINISTRATIVE_JUDICIAL = "ADMINISTRATIVE_JUDICIAL", _("行政和司法手段")
    PSYCHOLOGICAL = "PSYCHOLOGICAL", _("心理干预")
    LIVING_ASSISTANCE = "LIVING_ASSISTANCE", _("生活救助")
    LEGAL_AID = "LEGAL_AID", _("法律援助")
    SCHOOL_PLACEMENT = "SCHOOL_PLACEMENT", _("转学安置")


class EmergencyResponse(models.Model):
    """The town office's emergency response to a red grade (domain.md §3.1: 立即依法采取行政和司法手段 …)."""

    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="emergency_responses"
    )
    grade_change = models.ForeignKey(
        GradeChange, verbose_name=_("对应定级"), on_delete=models.PROTECT, related_name="responses"
    )
    acted_at = models.DateTimeField(_("处置时间"))
    acted_by = models.CharField(_("处置人/单位"), max_length=100)
    measures = models.JSONField(_("处置措施"), default=list)
    description = models.TextField(_("处置情况"))
    in_place_at = models.DateTimeField(_("处置到位时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("应急处置")
        verbose_name_plural = _("应急处置")
        ordering = ["-acted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.minor_id} {self.acted_at:%Y-%m-%d %H:%M}"


class VisitKind(models.TextChoices):
    HOME = "HOME", _("入户走访")
    SCHOOL = "SCHOOL", _("学校走访")
    PHONE = "PHONE", _("电话联系")
    VIDEO = "VIDEO", _("视频联系")


class Visit(models.Model):
    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    kind = models.CharField(_("方式"), max_length=10, choices=VisitKind.choices, default=VisitKind.HOME)
    seen_in_person = models.BooleanField(_("见到本人"), default=True)
    others_present = models.CharField(_("其他在场人员"), max_length=200, blank=True)
    living_conditions = models.TextField(_("生活状况"), blank=True)
    health = models.TextField(_("身体状况"), blank=True)
    schooling = models.TextField(_("就学情况"), blank=True)
    guardian_situation = models.TextField(_("监护情况"), blank=True)
    concerns = models.TextField(_("发现的问题"), blank=True)
    next_step = models.TextField(_("下一步措施"), blank=True)
    new_risk_found = models.BooleanField(_("发现新的风险"), default=False)
    # The due date this visit answered and whether it came in time: the basis of compliance figures.
    due_on = models.DateField(_("应走访日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按时走访"), default=True)
    grade = models.CharField(_("走访时等级"), max_length=10, choices=RiskGrade.choices, blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["minor", "-visited_at"], name="visit_minor_at_idx")]

    def __str__(self) -> str:
        return f"{self.minor_id} {self.visited_at:%Y-%m-%d}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="visits/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self) -> str:
        return self.image.name


class VisitPlan(models.Model):
    """When each active minor is next due a visit. Derived data: rebuilt by screening.visits.services.plan
    with a handful of set-based statements; never edited by hand."""

    minor = models.OneToOneField(Minor, primary_key=True, on_delete=models.CASCADE, related_name="visit_plan")
    region_path = models.CharField(max_length=255, db_index=True)
    grade = models.CharField(max_length=10, blank=True)
    grade_since = models.DateTimeField(null=True)
    registered_on = models.DateField(null=True)
    last_visit_on = models.DateField(null=True)
    anchor_on = models.DateField(null=True)
    interval_days = models.PositiveSmallIntegerField(null=True)
    next_due_on = models.DateField(null=True, db_index=True)
    response_in_place = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")

    def __str__(self) -> str:
        return f"{self.minor_id} → {self.next_due_on}"


# Screening campaigns (摸底排查, issue 12 §3) live in their topic package; re-exported for Django and callers.
from screening.campaigns.models import (  # noqa: E402, F401
    Campaign,
    CampaignEvent,
    CampaignItem,
    CampaignResult,
    CampaignStatus,
    ItemOutcome,
)

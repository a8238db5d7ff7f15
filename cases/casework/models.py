"""Casework (issue 4): the six working groups, cases and their plans of measures, the guardianship
intervention ladder, placements and benefit enrolments (domain.md §4 mechanism 4, §5, §8, §9)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.registry.models import Guardian, Minor
from tiers.models import Organisation, Region


class Track(models.TextChoices):
    """The six tasks and their working groups (domain.md §5; 004 一(四))."""

    RESCUE_PROTECTION = "RESCUE_PROTECTION", _("救助保护")
    EDUCATION_SUPPORT = "EDUCATION_SUPPORT", _("教育帮扶")
    JUDICIAL_PROTECTION = "JUDICIAL_PROTECTION", _("司法保护")
    EMPLOYMENT_SUPPORT = "EMPLOYMENT_SUPPORT", _("就业扶持")
    MEDICAL_PROTECTION = "MEDICAL_PROTECTION", _("医疗保护")
    SPIRITUAL_CARE = "SPIRITUAL_CARE", _("精神关爱")


class WorkingGroup(models.Model):
    """One of a town's (or the district's) six working groups, with its lead and member departments."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="working_groups")
    track = models.CharField(_("工作组"), max_length=30, choices=Track.choices)
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("成员单位"), blank=True, related_name="working_groups"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="working_groups"
    )
    duties = models.TextField(_("职责"), blank=True)

    class Meta:
        verbose_name = _("工作小组")
        verbose_name_plural = _("工作小组")
        ordering = ["region__path", "track"]
        constraints = [models.UniqueConstraint(fields=["region", "track"], name="workinggroup_one_per_track")]

    def __str__(self) -> str:
        return _("%(region)s%(track)s组") % {"region": self.region.name, "track": self.get_track_display()}


# Who sits in which working group is an access grant (the group's pages show its cases' measures): every
# member added or removed is an event (issue 10 §7), also from the admin.
pghistory.track(
    pghistory.InsertEvent("member.add"),
    pghistory.DeleteEvent("member.remove"),
    obj_field=None,
    model_name="WorkingGroupMemberEvent",
    app_label="cases",
)(WorkingGroup.members.through)
pghistory.track(
    pghistory.InsertEvent("member.add"),
    pghistory.DeleteEvent("member.remove"),
    obj_field=None,
    model_name="WorkingGroupOrganisationEvent",
    app_label="cases",
)(WorkingGroup.member_organisations.through)


class CaseStage(models.TextChoices):
    """The "four-in-one" lifecycle (domain.md §4; 001 篇八 L214–218), plus review and closed."""

    DISCOVERY = "DISCOVERY", _("发现报告")
    ASSESSMENT_REFERRAL = "ASSESSMENT_REFERRAL", _("评估转介")
    DISPOSAL_ASSISTANCE = "DISPOSAL_ASSISTANCE", _("处置帮扶")
    REVIEW = "REVIEW", _("跟踪回访")
    CLOSED = "CLOSED", _("已结案")


class Case(models.Model):
    class Origin(models.TextChoices):
        GRADE = "GRADE", _("定为橙色或红色等级")
        MANUAL = "MANUAL", _("人工立案")

    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(_("阶段"), max_length=30, choices=CaseStage.choices, default=CaseStage.DISCOVERY)
    origin = models.CharField(_("立案方式"), max_length=10, choices=Origin.choices)
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立案人"), on_delete=models.PROTECT, related_name="+"
    )
    opening_note = models.TextField(_("立案说明"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（民政办）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    # A red case needs a plan within this time (issue 4 §2); set when the case opens or turns red.
    plan_due_at = models.DateTimeField(_("计划应制定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["minor"], condition=~Q(stage=CaseStage.CLOSED), name="case_one_open_per_minor"
            ),
            models.CheckConstraint(
                condition=Q(stage=CaseStage.CLOSED, closed_at__isnull=False)
                | (~Q(stage=CaseStage.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minor.name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage != CaseStage.CLOSED


class CaseEvent(models.Model):
    """One change to a case (STYLE.md rule 4): its history on screen and the audit trail."""

    class Kind(models.TextChoices):
        OPENED = "OPENED", _("立案")
        STAGE_CHANGED = "STAGE_CHANGED", _("阶段变更")
        OWNER_CHANGED = "OWNER_CHANGED", _("变更责任人")
        MEASURE_ADDED = "MEASURE_ADDED", _("添加措施")
        MEASURE_CHANGED = "MEASURE_CHANGED", _("措施进展")
        INTERVENTION = "INTERVENTION", _("监护干预")
        PLACEMENT = "PLACEMENT", _("安置")
        BENEFIT = "BENEFIT", _("救助帮扶项目")
        CLOSURE_REQUESTED = "CLOSURE_REQUESTED", _("申请结案")
        CLOSURE_DECIDED = "CLOSURE_DECIDED", _("结案审批")
        CLOSED = "CLOSED", _("结案")
        REOPENED = "REOPENED", _("重新开案")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    changes = models.JSONField(_("变更内容"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("个案记录")
        verbose_name_plural = _("个案记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class MeasureStatus(models.TextChoices):
    PLANNED = "PLANNED", _("计划")
    IN_PROGRESS = "IN_PROGRESS", _("进行中")
    DONE = "DONE", _("已完成")
    CANCELLED = "CANCELLED", _("已取消")


OPEN_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class Measure(models.Model):
    """One measure of a case plan, on one of the six tracks, owned by that track's working group."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="measures")
    track = models.CharField(_("工作组"), max_length=30, choices=Track.choices)
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("责任工作组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    title = models.CharField(_("措施"), max_length=200)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_name = models.CharField(_("责任人姓名"), max_length=50, blank=True)
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    cancel_reason = models.TextField(_("取消理由"), blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=MeasureStatus.CANCELLED) | ~Q(cancel_reason=""), name="measure_cancel_has_reason"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="measure_status_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEASURE_STATUSES


class CaseClosure(models.Model):
    """A request to close a case, with the closing assessment, and its approval or refusal."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("待审批")
        APPROVED = "APPROVED", _("已批准")
        REJECTED = "REJECTED", _("已退回")

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="closures")
    closing_assessment = models.TextField(_("结案评估"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("结案申请")
        verbose_name_plural = _("结案申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="PENDING"), name="caseclosure_one_pending")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class InterventionLevel(models.IntegerChoices):
    """The family-guardianship intervention ladder (domain.md §8.1)."""

    GUIDANCE = 0, _("0级 监护指导")
    ADMONISH = 1, _("1级 劝诫制止")
    POLICE_REPRIMAND = 2, _("2级 公安训诫、责令改正")
    PROTECTIVE_MEASURE = 3, _("3级 保护措施、人身安全保护令")
    JUDICIAL = 4, _("4级 司法干预（支持起诉、转移监护权）")


class InterventionStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("建议")
    PENDING_APPROVAL = "PENDING_APPROVAL", _("待领导审批")
    APPROVED = "APPROVED", _("已批准")
    TAKEN = "TAKEN", _("已实施")
    SUCCEEDED = "SUCCEEDED", _("有效")
    FAILED = "FAILED", _("无效")
    WITHDRAWN = "WITHDRAWN", _("撤回")


class GuardianshipIntervention(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="interventions")
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("对象监护人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    level = models.PositiveSmallIntegerField(_("干预层级"), choices=InterventionLevel.choices)
    action = models.CharField(_("干预措施"), max_length=200)
    actor = models.CharField(_("实施单位/人"), max_length=100)
    taken_on = models.DateField(_("实施日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=InterventionStatus.choices)
    outcome = models.TextField(_("结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    follows = models.ForeignKey(
        "self", verbose_name=_("前一级干预"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("监护干预")
        verbose_name_plural = _("监护干预")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # A measure at the approval level or above (cases.casework.rules.APPROVAL_LEVEL) is never recorded
            # as taken without an approval.
            models.CheckConstraint(
                condition=Q(level__lt=InterventionLevel.PROTECTIVE_MEASURE)
                | Q(status__in=["PROPOSED", "PENDING_APPROVAL", "WITHDRAWN"])
                | Q(approved_at__isnull=False),
                name="intervention_high_level_approved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.action}"


class PlacementType(models.TextChoices):
    """Placement options (domain.md §8.2)."""

    RETURN_TO_FAMILY = "RETURN_TO_FAMILY", _("回归家庭")
    ORIGIN_GOVERNMENT = "ORIGIN_GOVERNMENT", _("联系户籍地政府安置")
    WELFARE_INSTITUTION = "WELFARE_INSTITUTION", _("福利机构代养")
    FAMILY_FOSTER = "FAMILY_FOSTER", _("家庭寄养")
    PURCHASED_SERVICE = "PURCHASED_SERVICE", _("政府购买服务")
    TEMPORARY_GUARDIANSHIP = "TEMPORARY_GUARDIANSHIP", _("临时监护")
    LONG_TERM_STATE_GUARDIANSHIP = "LONG_TERM_STATE_GUARDIANSHIP", _("长期监护（国家监护）")
    ENTRUSTED_GUARDIANSHIP = "ENTRUSTED_GUARDIANSHIP", _("委托监护")
    SUBSTITUTE_CARE = "SUBSTITUTE_CARE", _("替代照料")
    DESIGNATED_GUARDIAN = "DESIGNATED_GUARDIAN", _("指定监护人")
    CHILD_WELFARE_INSTITUTION = "CHILD_WELFARE_INSTITUTION", _("儿童福利机构")
    RESCUE_INSTITUTION = "RESCUE_INSTITUTION", _("救助管理机构")
    TEMPORARY_CARE = "TEMPORARY_CARE", _("临时照料")
    ADOPTION = "ADOPTION", _("收养")


class Placement(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="placements")
    type = models.CharField(_("安置方式"), max_length=40, choices=PlacementType.choices)
    institution = models.ForeignKey(
        Organisation, verbose_name=_("安置机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution_name = models.CharField(_("机构/照料人"), max_length=100, blank=True)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("安置")
        verbose_name_plural = _("安置")
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="placement_ends_after_start",
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(end_on__isnull=True), name="placement_one_current"),
        ]

    def __str__(self) -> str:
        return self.get_type_display()


@pghistory.track()
class BenefitProgramme(models.Model):
    """An assistance or benefit programme (domain.md §9). Reference data; eligibility rules as data."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    track = models.CharField(_("工作组"), max_length=30, choices=Track.choices)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    requires_categories = models.JSONField(_("须具备的类别（任一）"), default=list, blank=True)
    has_amount = models.BooleanField(_("按月发放金额"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("救助帮扶项目")
        verbose_name_plural = _("救助帮扶项目")
        ordering = ["track", "code"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class BenefitRate(models.Model):
    """A programme's monthly amount in a region from a date (domain.md §14.19: dated, region-scoped,
    never constants). The most specific region and the latest start date not after the day win."""

    programme = models.ForeignKey(
        BenefitProgramme, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="rates"
    )
    region = models.ForeignKey(Region, verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+")
    monthly_amount = models.DecimalField(_("月标准（元）"), max_digits=9, decimal_places=2)
    valid_from = models.DateField(_("执行日期"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("救助标准")
        verbose_name_plural = _("救助标准")
        ordering = ["programme", "region__path", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "region", "valid_from"], name="benefitrate_unique_from"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="benefitrate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.monthly_amount} ({self.valid_from})"


class EnrolmentStatus(models.TextChoices):
    APPLIED = "APPLIED", _("已申请")
    APPROVED = "APPROVED", _("已批准")
    REJECTED = "REJECTED", _("未批准")
    ENDED = "ENDED", _("已终止")


class BenefitEnrolment(models.Model):
    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="benefit_enrolments"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("个案"), null=True, blank=True, on_delete=models.PROTECT, related_name="benefit_enrolments"
    )
    programme = models.ForeignKey(BenefitProgramme, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    applied_on = models.DateField(_("申请日期"), default=timezone.localdate)
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    monthly_amount = models.DecimalField(_("月发放金额（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("救助帮扶登记")
        verbose_name_plural = _("救助帮扶登记")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["minor", "programme"],
                condition=Q(status__in=["APPLIED", "APPROVED"]),
                name="enrolment_one_live_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.minor_id} {self.programme_id} {self.status}"

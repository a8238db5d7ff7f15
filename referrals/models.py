"""Referrals to partner departments (domain.md §6), the reports intake queue (§7) and webhooks."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.accesslog.recorder import access_note
from cases.models import Case, Minor
from tiers.models import Organisation, OrganisationKind, Region


class Priority(models.TextChoices):
    URGENT = "URGENT", _("紧急")
    HIGH = "HIGH", _("优先")
    NORMAL = "NORMAL", _("一般")


@pghistory.track()
class ReferralRule(models.Model):
    """One row of the routing table (domain.md §6.1, RF-1 … RF-17). Data, editable in the admin.

    A rule matches a minor on evidence — any of `categories`, `indicators` (ticked in the latest
    risk-level assessment) or `guardian_flags` — within its restrictions: every category of
    `categories_all`, and the age range. A rule that sets neither is never suggested (RF-16 is chosen
    by hand)."""

    code = models.CharField(_("编号"), max_length=10, unique=True)
    name = models.CharField(_("情形"), max_length=200)
    categories = models.JSONField(_("类别（任一）"), default=list, blank=True)
    categories_all = models.JSONField(_("类别（须同时具备）"), default=list, blank=True)
    indicators = models.JSONField(_("评估指标（任一）"), default=list, blank=True)
    guardian_flags = models.JSONField(_("监护人情况（任一）"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    destination_kind = models.CharField(_("转介去向"), max_length=40, choices=OrganisationKind.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    also_notify_kind = models.CharField(_("同时通报"), max_length=40, choices=OrganisationKind.choices, blank=True)
    urgent_draft = models.BooleanField(_("自动生成紧急转介草稿"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("转介规则")
        verbose_name_plural = _("转介规则")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track()
class ReferralRuleOverride(models.Model):
    """A county's own routing of one rule (domain.md §6.1, §14.7: the routing table is per district).
    The ReferralRule row is the deployment default and the identity suggestions and referrals refer to;
    this row, when present, is what is in force in its county. Removing it returns the county to the
    default. Written only by referrals.services.rules."""

    county = models.ForeignKey(
        Region, verbose_name=_("区县"), on_delete=models.CASCADE, related_name="referral_rule_overrides"
    )
    rule = models.ForeignKey(
        ReferralRule, verbose_name=_("转介规则"), on_delete=models.CASCADE, related_name="overrides"
    )
    destination_kind = models.CharField(_("转介去向"), max_length=40, choices=OrganisationKind.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices)
    also_notify_kind = models.CharField(_("同时通报"), max_length=40, choices=OrganisationKind.choices, blank=True)
    urgent_draft = models.BooleanField(_("自动生成紧急转介草稿"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("区县转介规则设置")
        verbose_name_plural = _("区县转介规则设置")
        ordering = ["county_id", "rule__sort_order", "rule__code"]
        constraints = [models.UniqueConstraint(fields=["county", "rule"], name="referralruleoverride_one_per_county")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.rule_id}"


# The fields a county may set for itself; the evidence (categories, indicators, ages) stays deployment-wide.
RULE_OVERRIDE_FIELDS = ("destination_kind", "priority", "also_notify_kind", "urgent_draft", "is_active")


class ReferralStatus(models.TextChoices):
    DRAFT = "DRAFT", _("草稿")
    SENT = "SENT", _("已发送")
    ACCEPTED = "ACCEPTED", _("已接收")
    REJECTED = "REJECTED", _("已拒收")
    IN_PROGRESS = "IN_PROGRESS", _("处理中")
    FEEDBACK = "FEEDBACK", _("已反馈")
    CLOSED = "CLOSED", _("已办结")
    REVOKED = "REVOKED", _("已撤回")


class Referral(models.Model):
    """A referral of one child's case to one partner department (domain.md §6.1, [PROPOSAL] lifecycle §6.2)."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="referrals")
    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="referrals"
    )
    rule = models.ForeignKey(
        ReferralRule, verbose_name=_("依据规则"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    reason = models.TextField(_("转介事由"))
    status = models.CharField(_("状态"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    town_contact = models.CharField(_("乡镇联系人及电话"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("应接收时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    feedback_due_on = models.DateField(_("应反馈日期"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rerouted_from = models.ForeignKey(
        "self", verbose_name=_("改派自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="referral_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.minor_id} → {self.organisation_id} ({self.status})"


class ReferralEvent(models.Model):
    """One step of a referral (STYLE.md rule 4): the referral's history, also what webhooks announce."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("转介记录")
        verbose_name_plural = _("转介记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind}"


class ReferralSuggestion(models.Model):
    """A rule that matches a child, shown on the case for staff to confirm (or dismiss)."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("待确认")
        CONFIRMED = "CONFIRMED", _("已转介")
        DISMISSED = "DISMISSED", _("不转介")

    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), on_delete=models.CASCADE, related_name="referral_suggestions"
    )
    rule = models.ForeignKey(ReferralRule, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("转介建议")
        verbose_name_plural = _("转介建议")
        ordering = ["rule__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["minor", "rule"], name="suggestion_one_per_rule")]

    def __str__(self) -> str:
        return f"{self.minor_id} {self.rule_id}"


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


class WebhookEndpoint(models.Model):
    """A partner system's HTTPS address for referral events, signed with HMAC-SHA256 of the body."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("协作单位"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("接收地址（HTTPS）"), max_length=300)
    secret = models.CharField(_("签名密钥"), max_length=64)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回调地址")
        verbose_name_plural = _("回调地址")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to deliver to one endpoint: written in the same transaction as the event (an outbox),
    so nothing is lost when the broker is down; Celery delivers it with retries and backoff."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("待发送")
        DELIVERED = "DELIVERED", _("已送达")
        FAILED = "FAILED", _("发送失败")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("回调投递")
        verbose_name_plural = _("回调投递")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="delivery_once_per_event")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("回调尝试")
        verbose_name_plural = _("回调尝试")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"

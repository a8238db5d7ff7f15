"""Referrals to partner departments (domain.md §6): the routing table (and a county's own routing), a
referral and its history, and the suggestions the rules make on a child's record."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    default. Written only by referrals.referrals.services.routing."""

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


class EventKind:
    """The kinds of a referral's steps (ReferralEvent.kind)."""

    CREATED = "CREATED"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UPDATE = "UPDATE"
    FEEDBACK = "FEEDBACK"
    CLOSED = "CLOSED"
    REVOKED = "REVOKED"
    REROUTED = "REROUTED"


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

"""Privacy workflows of the registry (issue 10; domain.md §13 privacy, §1.3 T-5): break-the-glass access,
moves to another county that the receiving county accepts, and correction and deletion requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.registry.models import Minor
from tiers.models import Region


class EmergencyAccess(models.Model):
    """A county civil-affairs user opened a record outside their reach in an emergency (break the glass).

    The written reason is kept, the access ends at `expires_at`, every read during it is logged as an
    emergency read, and the child's town office head is told."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调阅人"), on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(_("紧急调阅理由"))
    granted_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("截止时间"))
    ended_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("紧急调阅")
        verbose_name_plural = _("紧急调阅")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="emergencyaccess_user_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="emergencyaccess_ends")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.minor_id} ({self.granted_at:%Y-%m-%d %H:%M})"


class MoveRequestStatus(models.TextChoices):
    PENDING = "PENDING", _("待接收")
    ACCEPTED = "ACCEPTED", _("已接收")
    DECLINED = "DECLINED", _("已退回")
    CANCELLED = "CANCELLED", _("已撤回")


class MoveRequest(models.Model):
    """A move to a village of another county: the sending town asks, the receiving county accepts
    (issue 10 §5; domain.md §1.3 T-5). Until it is accepted the child stays where they are."""

    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="move_requests")
    from_region = models.ForeignKey(Region, verbose_name=_("迁出地"), on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey(Region, verbose_name=_("迁入地"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MoveRequestStatus.choices, default=MoveRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("跨区县迁移申请")
        verbose_name_plural = _("跨区县迁移申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["minor"], condition=Q(status="PENDING"), name="moverequest_one_pending_per_minor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.minor_id}: {self.from_region_id} → {self.to_region_id} ({self.status})"


class DataRequestKind(models.TextChoices):
    CORRECTION = "CORRECTION", _("更正")
    DELETION = "DELETION", _("删除")


class DataRequestStatus(models.TextChoices):
    PENDING = "PENDING", _("待决定")
    GRANTED = "GRANTED", _("已同意")
    REFUSED = "REFUSED", _("不予同意")


class DataRequest(models.Model):
    """A child's or guardian's request to correct or delete the child's personal information
    (domain.md §13; 003 二(四)15), decided by the head of the town office with a reason."""

    class Requester(models.TextChoices):
        MINOR = "MINOR", _("未成年人本人")
        GUARDIAN = "GUARDIAN", _("监护人")
        OTHER = "OTHER", _("其他代理人")

    minor = models.ForeignKey(Minor, verbose_name=_("未成年人"), on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("申请事项"), max_length=12, choices=DataRequestKind.choices)
    requester = models.CharField(_("申请人身份"), max_length=10, choices=Requester.choices)
    requester_name = models.CharField(_("申请人姓名"), max_length=50)
    # For a correction: {"field": "new value", …} of the record's own fields, as asked.
    corrections = models.JSONField(_("申请更正内容"), default=dict, blank=True)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.PENDING
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        verbose_name = _("个人信息更正删除申请")
        verbose_name_plural = _("个人信息更正删除申请")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="PENDING") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="datarequest_decided_with_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.minor_id} ({self.status})"

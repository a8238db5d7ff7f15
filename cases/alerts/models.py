"""Alerts and notifications: how late or dangerous situations reach the right person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.accesslog.recorder import access_note
from cases.registry.models import Minor
from tiers.models import Region


class Alert(models.Model):
    """Something late or dangerous that a named tier must act on (domain.md §1.3 T-3, T-4).

    One row per (rule, subject, period), enforced by a unique constraint, so a job that runs again,
    or a retried task, never raises the same alert twice. Visits, emergency responses, measures and
    referrals all raise their alerts here. Resolved automatically when the cause is gone.
    """

    class Severity(models.TextChoices):
        NOTICE = "NOTICE", _("提示")
        WARNING = "WARNING", _("预警")
        URGENT = "URGENT", _("紧急")

    rule = models.CharField(_("规则"), max_length=40)
    subject_key = models.CharField(_("对象"), max_length=60)
    period_key = models.CharField(_("周期"), max_length=40)
    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="alerts")
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    message = models.CharField(_("内容"), max_length=300)
    # Roles told, as (role, level of the post) pairs resolved against the region's ancestors.
    recipient_roles = models.JSONField(_("通知岗位"), default=list)
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject_key", "period_key"], name="alert_unique_per_period")
        ]
        indexes = [models.Index(fields=["rule", "resolved_at"], name="alert_rule_open_idx")]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_key} {self.period_key}"

    @classmethod
    def from_db(cls, db, field_names, values):
        # An alert (and the notification that carries it) names its child: showing it is a read of the
        # record (cases/accesslog/recorder.py).
        instance = super().from_db(db, field_names, values)
        if "minor_id" in field_names:
            access_note(instance.minor_id)
        return instance

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Notification(models.Model):
    """An in-app message to one user (alerts, assignments); e-mailed too when the user has an address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.ForeignKey(
        Alert, verbose_name=_("预警"), null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # The child the notice is about (an alert's child, a closed record, a move, a referral, an emergency
    # read), so that who may still read it is one SQL condition (cases.alerts.selectors.notification_list).
    # PROTECT, like Alert.minor: a record is never deleted (a deletion request anonymises it and the row
    # stays); losing the link would show a notice that may name the child to everyone holding it.
    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "alert"], condition=models.Q(alert__isnull=False), name="notification_once_per_alert"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

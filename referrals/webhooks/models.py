"""Webhooks' models (issue 5 §5): a partner system's endpoint, the outbox of deliveries and each attempt."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.models import Organisation


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

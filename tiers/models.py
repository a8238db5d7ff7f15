"""The administrative tree (domain.md §1.1), staff posts (§1.2, §1.4) and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiers.roles import Level, Role


class Region(models.Model):
    """One unit of the tree: county → town → village → grid (grid optional).

    `path` is the materialised path of division codes ("<county>/<town>/<village>/"), so any
    subtree is one indexed prefix query (`path LIKE 'x%'`) at any depth.
    """

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.COUNTY, parent__isnull=True)
                | (~Q(level=Level.COUNTY) & Q(parent__isnull=False)),
                name="region_only_county_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Region) -> bool:
        return self.path.startswith(other.path)


class StaffPost(models.Model):
    """A user's post: a role held in one region. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="posts"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="posts")
    role = models.CharField(_("岗位"), max_length=30, choices=Role.choices)
    title = models.CharField(_("职务名称"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["user", "region", "role"], name="staffpost_unique")]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash of the key is stored; the key is shown once."""

    class Origin(models.TextChoices):
        LOGIN = "LOGIN", _("账号密码换取")
        ISSUED = "ISSUED", _("管理员签发")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices)
    key_prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class JobHeartbeat(models.Model):
    """The last run of a scheduled job. Written by the job itself, read by /healthz, so an operator can
    see that the scheduler and a worker are really running (not just that the processes exist)."""

    name = models.CharField(_("任务名称"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("最近运行时间"))
    runs = models.PositiveBigIntegerField(_("运行次数"), default=0)

    class Meta:
        verbose_name = _("定时任务心跳")
        verbose_name_plural = _("定时任务心跳")

    def __str__(self) -> str:
        return self.name

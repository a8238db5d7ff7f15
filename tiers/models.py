"""The administrative tree (domain.md §1.1), staff posts (§1.2, §1.4) and API tokens."""

from __future__ import annotations

import pghistory
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

    # --- the tree, from the path (the one place that reads paths; nobody else slices them) ------------

    @staticmethod
    def path_codes(path: str) -> list[str]:
        """The division codes of a path, county first: "500199/500199101/" → ["500199", "500199101"]."""
        return [code for code in path.split("/") if code]

    @staticmethod
    def path_ancestor_paths(path: str) -> list[str]:
        """The paths of the units above the one at `path`, county first (not including it)."""
        codes = Region.path_codes(path)
        return ["".join(f"{code}/" for code in codes[: depth + 1]) for depth in range(len(codes) - 1)]

    @staticmethod
    def path_county(path: str) -> str:
        """The county's path of any path in its tree ("500199/")."""
        codes = Region.path_codes(path)
        return f"{codes[0]}/" if codes else ""

    @staticmethod
    def path_town(path: str) -> str | None:
        """The town's path of a path at town level or below; None for a county."""
        codes = Region.path_codes(path)
        return f"{codes[0]}/{codes[1]}/" if len(codes) >= 2 else None

    @staticmethod
    def path_child(parent_path: str, code: str) -> str:
        """The path of the unit `code` under the unit at `parent_path` ("" for a county): "500199/" + "500199101"."""
        return f"{parent_path}{code}/"

    @staticmethod
    def subtree_q(path: str, field: str = "region__path") -> Q:
        """Rows whose `field` (a path) lies in the subtree at `path`."""
        return Q(**{f"{field}__startswith": path})

    @property
    def codes(self) -> list[str]:
        return Region.path_codes(self.path)

    @property
    def county_code(self) -> str:
        """The division code of the county this unit lies in (the first segment of its path)."""
        return self.codes[0]

    @property
    def county_path(self) -> str:
        return Region.path_county(self.path)

    @property
    def town_path(self) -> str | None:
        return Region.path_town(self.path)

    @property
    def ancestor_paths(self) -> list[str]:
        return Region.path_ancestor_paths(self.path)

    def subtree(self, field: str = "region__path") -> Q:
        """A filter for rows in this unit's subtree: `Minor.objects.filter(village.subtree())`."""
        return Region.subtree_q(self.path, field)

    def county(self) -> Region:
        return self if self.parent_id is None else Region.objects.get(path=self.county_path)

    def town(self) -> Region | None:
        path = self.town_path
        if path is None:
            return None
        return self if path == self.path else Region.objects.get(path=path)


@pghistory.track()
class StaffPost(models.Model):
    """A user's post: a role held in one region. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="posts"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="posts")
    role = models.CharField(_("岗位"), max_length=30, choices=Role.choices)
    title = models.CharField(_("职务名称"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # Partner staff belong to one organisation (issue 5 §1); other posts leave it empty.
    organisation = models.ForeignKey(
        "tiers.Organisation",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["user", "region", "role"], name="staffpost_unique")]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.get_role_display()}"


# The last use is bookkeeping, not a grant: an update that only touches it writes no event.
@pghistory.track(exclude=["last_used_at"])
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


class OrganisationKind(models.TextChoices):
    """Partner departments and institutions (domain.md §11.1 town level, §11.2 county and external)."""

    CIVIL_AFFAIRS_OFFICE = "CIVIL_AFFAIRS_OFFICE", _("民政（社会事务）办")
    POLICE_STATION = "POLICE_STATION", _("派出所")
    PEACE_BUILDING_OFFICE = "PEACE_BUILDING_OFFICE", _("平安办（综治办）")
    EDUCATION_CENTRE = "EDUCATION_CENTRE", _("教管中心（中心学校）")
    SCHOOL = "SCHOOL", _("学校（幼儿园）")
    HEALTH_CENTRE = "HEALTH_CENTRE", _("卫生院（社区卫生服务中心）")
    LABOUR_SECURITY_OFFICE = "LABOUR_SECURITY_OFFICE", _("劳动保障所")
    JUSTICE_OFFICE = "JUSTICE_OFFICE", _("司法所")
    WOMENS_FEDERATION = "WOMENS_FEDERATION", _("妇联")
    YOUTH_LEAGUE = "YOUTH_LEAGUE", _("团委")
    TRADE_UNION = "TRADE_UNION", _("工会")
    ELDERS_COMMITTEE = "ELDERS_COMMITTEE", _("关工委")
    DISABLED_FEDERATION = "DISABLED_FEDERATION", _("残联")
    URBAN_MANAGEMENT = "URBAN_MANAGEMENT", _("城管（市容市政）")
    FINANCE_OFFICE = "FINANCE_OFFICE", _("财政办")
    VILLAGE_COMMITTEE = "VILLAGE_COMMITTEE", _("村（居）委会")
    CIVIL_AFFAIRS_BUREAU = "CIVIL_AFFAIRS_BUREAU", _("区县民政局")
    PUBLIC_SECURITY_BUREAU = "PUBLIC_SECURITY_BUREAU", _("区县公安局")
    EDUCATION_BUREAU = "EDUCATION_BUREAU", _("区县教育局")
    HEALTH_BUREAU = "HEALTH_BUREAU", _("区县卫健委")
    HUMAN_RESOURCES_BUREAU = "HUMAN_RESOURCES_BUREAU", _("区县人社局")
    JUSTICE_BUREAU = "JUSTICE_BUREAU", _("区县司法局")
    MEDICAL_SECURITY_BUREAU = "MEDICAL_SECURITY_BUREAU", _("区县医保局")
    PROCURATORATE = "PROCURATORATE", _("检察院")
    COURT = "COURT", _("法院")
    RESCUE_INSTITUTION = "RESCUE_INSTITUTION", _("救助管理站")
    RESCUE_PROTECTION_CENTRE = "RESCUE_PROTECTION_CENTRE", _("未成年人救助保护中心")
    CHILD_WELFARE_INSTITUTION = "CHILD_WELFARE_INSTITUTION", _("儿童福利院")
    HOSPITAL = "HOSPITAL", _("医院")
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION", _("社会组织（社工机构）")
    OTHER = "OTHER", _("其他")


# Capability flags by kind (domain.md §11.1, from 002 三(七)): R monitor and report, F accept referrals
# and intervene, A assist. Flags in parentheses in the seed (derived from duty text) are included.
ORGANISATION_DEFAULT_FLAGS: dict[str, str] = {
    OrganisationKind.CIVIL_AFFAIRS_OFFICE: "RFA",
    OrganisationKind.POLICE_STATION: "FA",
    OrganisationKind.EDUCATION_CENTRE: "FA",
    OrganisationKind.SCHOOL: "R",
    OrganisationKind.HEALTH_CENTRE: "RFA",
    OrganisationKind.LABOUR_SECURITY_OFFICE: "A",
    OrganisationKind.JUSTICE_OFFICE: "RFA",
    OrganisationKind.WOMENS_FEDERATION: "A",
    OrganisationKind.YOUTH_LEAGUE: "A",
    OrganisationKind.TRADE_UNION: "A",
    OrganisationKind.ELDERS_COMMITTEE: "A",
    OrganisationKind.DISABLED_FEDERATION: "A",
    OrganisationKind.VILLAGE_COMMITTEE: "R",
    OrganisationKind.CIVIL_AFFAIRS_BUREAU: "RFA",
    OrganisationKind.PUBLIC_SECURITY_BUREAU: "FA",
    OrganisationKind.RESCUE_INSTITUTION: "FA",
    OrganisationKind.RESCUE_PROTECTION_CENTRE: "FA",
    OrganisationKind.CHILD_WELFARE_INSTITUTION: "FA",
    OrganisationKind.HOSPITAL: "RFA",
    OrganisationKind.SOCIAL_ORGANISATION: "A",
}


class Organisation(models.Model):
    """A partner department or institution at a town or the county (domain.md §11). Working groups,
    referrals and placements refer to it; partner staff belong to one."""

    kind = models.CharField(_("类型"), max_length=40, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations"
    )
    can_report = models.BooleanField(_("监测报告（R）"), default=False)
    can_accept_referrals = models.BooleanField(_("接收转介、处置（F）"), default=False)
    can_assist = models.BooleanField(_("协助帮扶（A）"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("协作单位")
        verbose_name_plural = _("协作单位")
        ordering = ["region__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def flags(self) -> str:
        return "".join(
            flag
            for flag, on in (("R", self.can_report), ("F", self.can_accept_referrals), ("A", self.can_assist))
            if on
        )

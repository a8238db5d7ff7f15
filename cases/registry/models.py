"""The registry of at-risk minors (台账): minors, guardians, categories, baseline counts, and the two
append-only tables that record every change (MinorEvent) and every read (AccessLog)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.accesslog.recorder import access_note
from tiers.models import Region


class Category(models.Model):
    """A category of the merged taxonomy (domain.md §2.2). Reference data, editable in the admin."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    definition = models.TextField(_("定义"), blank=True)
    source = models.TextField(_("依据"), blank=True)
    requires_note = models.BooleanField(_("须填写说明"), default=False)
    in_four_special_groups = models.BooleanField(_("属于四类特殊群体"), default=False)
    in_key_attention = models.BooleanField(_("属于重点关注群体"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("困境类别")
        verbose_name_plural = _("困境类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the interface language: the English name on English pages, when there is one."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class NoIdReason(models.TextChoices):
    UNREGISTERED = "UNREGISTERED", _("无户籍（未落户）")
    NOT_YET_ISSUED = "NOT_YET_ISSUED", _("已落户，尚未办理身份证")
    IDENTITY_UNKNOWN = "IDENTITY_UNKNOWN", _("身份不明")
    OTHER = "OTHER", _("其他")


class HukouType(models.TextChoices):
    AGRICULTURAL = "AGRICULTURAL", _("农业户口")
    NON_AGRICULTURAL = "NON_AGRICULTURAL", _("非农业户口")
    RESIDENT = "RESIDENT", _("居民户口")
    NONE = "NONE", _("无户籍")


class EducationStatus(models.TextChoices):
    NOT_SCHOOL_AGE = "NOT_SCHOOL_AGE", _("学龄前（未入园）")
    KINDERGARTEN = "KINDERGARTEN", _("幼儿园")
    PRIMARY = "PRIMARY", _("小学")
    JUNIOR_SECONDARY = "JUNIOR_SECONDARY", _("初中")
    SENIOR_SECONDARY = "SENIOR_SECONDARY", _("普通高中")
    VOCATIONAL = "VOCATIONAL", _("中职/技工学校")
    SPECIAL_EDUCATION = "SPECIAL_EDUCATION", _("特殊教育学校")
    HOME_SCHOOLING = "HOME_SCHOOLING", _("送教上门")
    DROPOUT = "DROPOUT", _("辍学")
    NEVER_ENROLLED = "NEVER_ENROLLED", _("适龄未入学")
    WORKING = "WORKING", _("已就业")
    OTHER = "OTHER", _("其他")


class OrphanCareSetting(models.TextChoices):
    SCATTERED = "SCATTERED", _("社会散居")
    CENTRALISED = "CENTRALISED", _("集中供养")


class RiskGrade(models.TextChoices):
    """The four grades of domain.md §3.1 (001 篇四 L90), lowest first."""

    BLUE = "BLUE", _("蓝色")
    YELLOW = "YELLOW", _("黄色")
    ORANGE = "ORANGE", _("橙色")
    RED = "RED", _("红色")

    @classmethod
    def rank(cls, grade: str) -> int:
        """0 for "not yet graded", then 1 (blue) … 4 (red)."""
        return ["", *cls.values].index(grade or "")


class MinorStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("在册")
    CLOSED = "CLOSED", _("已销档")


class ClosedReason(models.TextChoices):
    AGED_OUT = "AGED_OUT", _("已满18周岁")
    MOVED_AWAY = "MOVED_AWAY", _("迁出本辖区")
    DECEASED = "DECEASED", _("死亡")
    NO_LONGER_AT_RISK = "NO_LONGER_AT_RISK", _("困境已消除")
    DUPLICATE = "DUPLICATE", _("重复登记")


class Minor(models.Model):
    """An at-risk minor in the ledger. Ordinary minors are counted only in aggregate (BaselinePopulation)."""

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(_("姓名首字母"), max_length=50, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, null=True, blank=True)
    no_id_reason = models.CharField(_("无身份证号原因"), max_length=20, choices=NoIdReason.choices, blank=True)
    no_id_note = models.CharField(_("无身份证号说明"), max_length=200, blank=True)
    hukou_type = models.CharField(_("户口性质"), max_length=20, choices=HukouType.choices, blank=True)
    hukou_place = models.CharField(_("户籍地"), max_length=200, blank=True)
    hukou_in_district = models.BooleanField(_("户籍在本区县"), default=True)
    region = models.ForeignKey(
        Region, verbose_name=_("现居住地（村/社区或网格）"), on_delete=models.PROTECT, related_name="minors"
    )
    address = models.CharField(_("详细住址"), max_length=200, blank=True)
    # The villagers' group (村民小组: 1组, 2组 …) ledgers give where a village has no grids (issue 12 §1).
    villager_group = models.CharField(_("村民小组"), max_length=50, blank=True)
    education_status = models.CharField(_("就学状况"), max_length=20, choices=EducationStatus.choices, blank=True)
    school_name = models.CharField(_("学校名称"), max_length=100, blank=True)
    orphan_care_setting = models.CharField(
        _("孤儿供养方式"), max_length=12, choices=OrphanCareSetting.choices, blank=True
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("困境类别"), through="MinorCategory", related_name="minors"
    )
    status = models.CharField(_("状态"), max_length=10, choices=MinorStatus.choices, default=MinorStatus.ACTIVE)
    # Written only by cases.registry.services.minor_grade_record, called by the screening services.
    risk_grade = models.CharField(_("风险等级"), max_length=10, choices=RiskGrade.choices, blank=True, db_index=True)
    risk_grade_since = models.DateTimeField(_("定级时间"), null=True, blank=True)
    # Sealed records (e.g. juvenile justice involvement, domain.md §13) are never shown to partners.
    is_sealed = models.BooleanField(_("封存（不向协作单位提供）"), default=False)
    # Set when a deletion request was granted: the personal data were replaced (cases/services/privacy.py).
    anonymised_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    closed_reason = models.CharField(_("销档原因"), max_length=20, choices=ClosedReason.choices, blank=True)
    closed_at = models.DateTimeField(_("销档时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("未成年人")
        verbose_name_plural = _("未成年人")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["name", "birth_date"], name="minor_name_birth_idx"),
            models.Index(fields=["status", "region"], name="minor_status_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__isnull=False, no_id_reason="")
                | (Q(id_number__isnull=True) & ~Q(no_id_reason="")),
                name="minor_id_number_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=MinorStatus.ACTIVE, closed_reason="")
                | (Q(status=MinorStatus.CLOSED) & ~Q(closed_reason="")),
                name="minor_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        # Every record loaded while answering a request is a read of it (cases/accesslog/recorder.py).
        instance = super().from_db(db, field_names, values)
        access_note(instance.pk)
        return instance


class MinorCategory(models.Model):
    minor = models.ForeignKey(Minor, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    class Meta:
        verbose_name = _("未成年人类别")
        verbose_name_plural = _("未成年人类别")
        constraints = [models.UniqueConstraint(fields=["minor", "category"], name="minorcategory_unique")]

    def __str__(self) -> str:
        return f"{self.minor_id}:{self.category_id}"


class GuardianRelation(models.TextChoices):
    FATHER = "FATHER", _("父亲")
    MOTHER = "MOTHER", _("母亲")
    PATERNAL_GRANDFATHER = "PATERNAL_GRANDFATHER", _("祖父")
    PATERNAL_GRANDMOTHER = "PATERNAL_GRANDMOTHER", _("祖母")
    MATERNAL_GRANDFATHER = "MATERNAL_GRANDFATHER", _("外祖父")
    MATERNAL_GRANDMOTHER = "MATERNAL_GRANDMOTHER", _("外祖母")
    SIBLING = "SIBLING", _("兄姐")
    OTHER_RELATIVE = "OTHER_RELATIVE", _("其他亲属")
    STEP_PARENT = "STEP_PARENT", _("继父母")
    ENTRUSTED = "ENTRUSTED", _("受委托照护人")
    INSTITUTION = "INSTITUTION", _("民政部门/机构")
    OTHER = "OTHER", _("其他")


# Situation flags on a guardian (domain.md §2.2 GUARDIANSHIP_ABSENT, GUARDIAN_INCAPABLE,
# DE_FACTO_UNSUPPORTED). Later grading and referral rules read these fields by name.
GUARDIAN_FLAGS = (
    "is_imprisoned",
    "in_drug_rehab",
    "is_seriously_ill",
    "is_disabled",
    "is_deceased",
    "is_missing",
    "works_away",
    "other_situation",
)


class Guardian(models.Model):
    minor = models.ForeignKey(Minor, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(_("与未成年人关系"), max_length=30, choices=GuardianRelation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
    lives_with_minor = models.BooleanField(_("与未成年人共同生活"), default=True)
    is_imprisoned = models.BooleanField(_("服刑在押"), default=False)
    in_drug_rehab = models.BooleanField(_("强制隔离戒毒"), default=False)
    is_seriously_ill = models.BooleanField(_("重病"), default=False)
    is_disabled = models.BooleanField(_("重残"), default=False)
    is_deceased = models.BooleanField(_("死亡"), default=False)
    is_missing = models.BooleanField(_("失联"), default=False)
    works_away = models.BooleanField(_("外出务工"), default=False)
    other_situation = models.BooleanField(_("其他情况"), default=False)
    situation_note = models.CharField(_("情况说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        # A guardian's data are the child's record too (cases/accesslog/recorder.py).
        instance = super().from_db(db, field_names, values)
        access_note(instance.minor_id)
        return instance

    def situation_labels(self) -> list[str]:
        return [str(self._meta.get_field(flag).verbose_name) for flag in GUARDIAN_FLAGS if getattr(self, flag)]


class BaselinePopulation(models.Model):
    """A village's count of all its minors on a date (底数; domain.md §2.2 rule, §12)."""

    region = models.ForeignKey(Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="baselines")
    as_of = models.DateField(_("统计日期"))
    minor_count = models.PositiveIntegerField(_("未成年人总数"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("未成年人底数")
        verbose_name_plural = _("未成年人底数")
        ordering = ["-as_of"]
        constraints = [models.UniqueConstraint(fields=["region", "as_of"], name="baseline_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.as_of}: {self.minor_count}"


class MinorEvent(models.Model):
    """One change to a minor's record (STYLE.md rule 4). Append-only: the history and the audit trail."""

    class Kind(models.TextChoices):
        REGISTERED = "REGISTERED", _("登记")
        UPDATED = "UPDATED", _("修改基本信息")
        GUARDIAN_ADDED = "GUARDIAN_ADDED", _("添加监护人")
        GUARDIAN_CHANGED = "GUARDIAN_CHANGED", _("修改监护人")
        GUARDIAN_REMOVED = "GUARDIAN_REMOVED", _("删除监护人")
        CATEGORY_ADDED = "CATEGORY_ADDED", _("添加类别")
        CATEGORY_REMOVED = "CATEGORY_REMOVED", _("移除类别")
        MOVED = "MOVED", _("迁移居住地")
        MOVE_REQUESTED = "MOVE_REQUESTED", _("申请跨区县迁移")
        MOVE_DECIDED = "MOVE_DECIDED", _("跨区县迁移审核")
        CLOSED = "CLOSED", _("销档")
        REOPENED = "REOPENED", _("恢复在册")
        SEALED = "SEALED", _("封存档案")
        UNSEALED = "UNSEALED", _("解除封存")
        DATA_REQUEST = "DATA_REQUEST", _("更正删除申请")
        CORRECTED = "CORRECTED", _("依申请更正")
        ANONYMISED = "ANONYMISED", _("依申请删除个人信息")
        EMERGENCY_ACCESS = "EMERGENCY_ACCESS", _("紧急调阅")

    minor = models.ForeignKey(Minor, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # [{"field": "...", "label": "...", "from": "...", "to": "..."}], values as shown to people.
    changes = models.JSONField(_("变更内容"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # A document behind the change (a court's notice for sealing); served only by an access-checked view.
    document = models.FileField(_("依据文件"), upload_to="record-documents/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("档案变更记录")
        verbose_name_plural = _("档案变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["minor", "-at"], name="minorevent_minor_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class AccessLog(models.Model):
    """One read or export of minors' records: who, when, which record, from where. Append-only."""

    class Action(models.TextChoices):
        VIEW = "VIEW", _("查看档案")
        LIST = "LIST", _("查看列表")
        SEARCH = "SEARCH", _("检索")
        FORM = "FORM", _("填写表单")
        EXPORT = "EXPORT", _("导出")
        PRINT = "PRINT", _("打印")
        EMERGENCY = "EMERGENCY", _("紧急调阅")

    class Channel(models.TextChoices):
        WEB = "WEB", _("网页")
        API = "API", _("接口")
        SYSTEM = "SYSTEM", _("系统")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    minor = models.ForeignKey(
        Minor, verbose_name=_("未成年人"), null=True, blank=True, on_delete=models.PROTECT, related_name="access_logs"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    path = models.CharField(_("访问地址"), max_length=500, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["minor", "-at"], name="accesslog_minor_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.minor_id}"

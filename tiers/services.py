"""Writes to the administrative tree, staff posts and API tokens (STYLE.md rule 1)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tiers.models import ApiToken, JobHeartbeat, Organisation, Region, StaffPost
from tiers.roles import LEVEL_ORDER, ROLE_POLICIES, Level, Role
from tiers.selectors import forget_posts

_DIVISION_CODE = re.compile(r"^\d{12}$")
_GRID_CODE = re.compile(r"^[0-9A-Za-z-]{1,20}$")


def division_code_check(*, code: str, level: str, parent: Region | None) -> None:
    """Division codes follow the 12-digit statistical code (统计用区划代码): county = 6 digits + 000000,
    town = 9 digits + 000, village = 12 digits, each extending its parent's prefix. Grids get local
    codes (letters, digits, hyphens), conventionally the village code plus a suffix."""
    if level == Level.GRID:
        if not _GRID_CODE.match(code):
            raise ValidationError({"code": _("网格编码只能包含字母、数字和连字符，最长20位。")})
        return
    if not _DIVISION_CODE.match(code):
        raise ValidationError({"code": _("区划代码应为12位数字（统计用区划代码）。")})
    if level == Level.COUNTY and not code.endswith("000000"):
        raise ValidationError({"code": _("区县代码的后6位应为0。")})
    if level == Level.TOWN and (not code.endswith("000") or code.endswith("000000")):
        raise ValidationError({"code": _("乡镇（街道）代码应为9位有效数字加000。")})
    if level == Level.VILLAGE and code.endswith("000"):
        raise ValidationError({"code": _("村（社区）代码的后3位不能全为0。")})
    if parent is not None:
        significant = {Level.COUNTY: 6, Level.TOWN: 9}.get(parent.level)
        if significant and code[:significant] != parent.code[:significant]:
            raise ValidationError({"code": _("区划代码应以上级区划代码的前%(n)d位开头。") % {"n": significant}})


@transaction.atomic
def region_create(*, code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """Add a unit to the tree. A unit sits exactly one level below its parent (domain.md §1.1, §14.3:
    county › town › village › grid, grid optional)."""
    code = code.strip()
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if level == Level.COUNTY:
        if parent is not None:
            raise ValidationError({"parent": _("区县是最高层级，不能有上级。")})
    else:
        if parent is None:
            raise ValidationError({"parent": _("请选择上级区划。")})
        expected_parent_level = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
        if parent.level != expected_parent_level:
            raise ValidationError(
                {
                    "parent": _("%(level)s的上级应为%(parent)s。")
                    % {"level": Level(level).label, "parent": Level(expected_parent_level).label}
                }
            )
    division_code_check(code=code, level=level, parent=parent)
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("该区划代码已存在。")})
    path = Region.path_child(parent.path if parent else "", code)
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent, path=path, depth=len(Region.path_codes(path))
    )


def region_get_or_create(*, code: str, name: str, level: str, parent: Region | None = None) -> Region:
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return region_create(code=code, name=name, level=level, parent=parent)


@transaction.atomic
def region_rename(*, region: Region, name: str) -> Region:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    region.name = name
    region.save(update_fields=["name"])
    return region


@transaction.atomic
def post_assign(
    *, user, region: Region, role: str, title: str = "", phone: str = "", organisation: Organisation | None = None
) -> StaffPost:
    """Give a user a post. The role must fit the region's level (domain.md §1.4). A partner staff post
    names its organisation (issue 5 §1), one of the region's own; given for a post the user already
    holds, the organisation is set on it."""
    policy = ROLE_POLICIES[role]
    if region.level not in policy.levels:
        raise ValidationError(
            {
                "region": _("“%(role)s”岗位只能设在：%(levels)s。")
                % {"role": role, "levels": "、".join(str(Level(level).label) for level in policy.levels)}
            }
        )
    if organisation is not None:
        if role != Role.PARTNER_STAFF:
            raise ValidationError({"organisation": _("只有协作部门工作人员岗位可以设置所属单位。")})
        if organisation.region_id != region.pk:
            raise ValidationError({"organisation": _("所属单位须是岗位所在区划的单位。")})
    post, _created = StaffPost.objects.get_or_create(
        user=user, region=region, role=role, defaults={"title": title, "phone": phone, "organisation": organisation}
    )
    if organisation is not None and post.organisation_id != organisation.pk:
        post.organisation = organisation
        post.save(update_fields=["organisation"])
    forget_posts(user)
    return post


@transaction.atomic
def post_remove(*, post: StaffPost) -> None:
    user = post.user
    post.delete()
    forget_posts(user)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user, name: str, origin: str = ApiToken.Origin.ISSUED, actor=None) -> tuple[ApiToken, str]:
    """Create an API token and return it with its key; the key is not stored and cannot be shown again.
    Tokens obtained with a password expire (API_LOGIN_TOKEN_TTL_DAYS); issued ones last until revoked."""
    key = secrets.token_urlsafe(32)
    expires_at = None
    if origin == ApiToken.Origin.LOGIN:
        expires_at = timezone.now() + timedelta(days=settings.API_LOGIN_TOKEN_TTL_DAYS)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        origin=origin,
        key_prefix=key[:8],
        key_hash=_hash_key(key),
        created_by=actor,
        expires_at=expires_at,
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def partner_tokens_manageable(*, actor):
    """The partner users whose API tokens `actor` may list, issue and revoke (issue 5 §1): a town office
    (or its head) manages the partner users whose post lies within its town. None when the actor
    holds no office post, so a page can answer 404."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from tiers.roles import Role
    from tiers.selectors import user_posts

    prefixes = [
        post.region.path
        for post in user_posts(actor)
        if post.role in (Role.TOWN_OFFICE, Role.TOWN_OFFICE_HEAD) and post.region.is_active
    ]
    if not prefixes:
        return None
    condition = Q()
    for prefix in prefixes:
        condition |= Q(posts__region__path__startswith=prefix)
    return get_user_model().objects.filter(condition, posts__role=Role.PARTNER_STAFF).distinct()


def token_authenticate(*, key: str) -> ApiToken | None:
    """The usable token for `key`, its last use recorded (at most once a minute, to spare writes)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash_key(key)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def heartbeat_record(*, name: str) -> JobHeartbeat:
    """Note that the scheduled job `name` ran now. One row per job (unique name), so two workers
    running the job at once, or a retried message, still leave one row; `runs` counts every run."""
    now = timezone.now()
    if not JobHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1):
        try:
            with transaction.atomic():
                return JobHeartbeat.objects.create(name=name, last_run_at=now, runs=1)
        except IntegrityError:  # created by a concurrent run between the update and the insert
            JobHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    return JobHeartbeat.objects.get(name=name)


SYSTEM_USERNAME = "system"


def system_actor():
    """The account that scheduled jobs act as (closing records at 18, for instance). It cannot log in."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_model(username=SYSTEM_USERNAME, first_name="系统", is_active=False)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            user = user_model.objects.get(username=SYSTEM_USERNAME)
    return user


@transaction.atomic
def organisation_create(
    *, kind: str, name: str, region: Region, phone: str = "", flags: str | None = None
) -> Organisation:
    """Add a partner department or institution; its R/F/A capability flags default to those of its kind
    (domain.md §11.1, from 002 三(七))."""
    from tiers.models import ORGANISATION_DEFAULT_FLAGS, OrganisationKind

    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": _("请选择单位类型。")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写单位名称。")})
    if region.level not in (Level.COUNTY, Level.TOWN):
        raise ValidationError({"region": _("协作单位设在区县或乡镇（街道）。")})
    if Organisation.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": _("该区划已有同名单位。")})
    flags = ORGANISATION_DEFAULT_FLAGS.get(kind, "") if flags is None else flags
    return Organisation.objects.create(
        kind=kind,
        name=name,
        region=region,
        phone=phone.strip(),
        can_report="R" in flags,
        can_accept_referrals="F" in flags,
        can_assist="A" in flags,
    )


# --- Partner onboarding (issue 10 §8) ------------------------------------------------------------------


def _require_manages(actor, organisation: Organisation) -> None:
    from django.core.exceptions import PermissionDenied

    from tiers.selectors import partner_departments_managed

    if not partner_departments_managed(user=actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied


def _history_actor(actor) -> None:
    """Name the acting user in the post's history (pghistory context; ignored outside one)."""
    from tiers.audit import context_user

    context_user(actor)


@transaction.atomic
def partner_staff_attach(*, actor, organisation: Organisation, user, title: str = "", phone: str = "") -> StaffPost:
    """The town office attaches a user to one of its town's departments as partner staff (issue 10 §8;
    issue 5 §1; domain.md §1.4, §11): a PARTNER_STAFF post at the department's town naming it. From then on
    the user sees what is sent to the department (the referral grant sync gives them its live referrals).
    Refused: a disabled account, an administrator, a user holding registry posts (a partner account is
    kept apart from staff accounts: it sees only what its department is sent), and a user already
    attached to a department of this town (detach first). The post's history is kept by pghistory."""
    _require_manages(actor, organisation)
    partner_staff_check(organisation=organisation, user=user)
    _history_actor(actor)
    return post_assign(
        user=user,
        region=organisation.region,
        role=Role.PARTNER_STAFF,
        organisation=organisation,
        title=title.strip(),
        phone=phone.strip(),
    )


def partner_staff_check(*, organisation: Organisation, user) -> None:
    """The rules of attaching `user` to `organisation` as partner staff (issue 10 §8), without the
    question of who attaches: the staff import (issue 12 §2) applies them too. Raises ValidationError."""
    if not user.is_active or user.is_superuser:
        raise ValidationError(
            {"username": [ValidationError(_("该账号不能作为协作部门工作人员。"), code="not_allowed")]}
        )
    posts = list(StaffPost.objects.filter(user=user).select_related("organisation"))
    if any(post.role != Role.PARTNER_STAFF for post in posts):
        raise ValidationError(
            {"username": [ValidationError(_("该账号担任其他工作岗位，请为其另建协作部门账号。"), code="staff_account")]}
        )
    for post in posts:
        if post.region_id == organisation.region_id:
            message = (
                _("该用户已是本单位工作人员。")
                if post.organisation_id == organisation.pk
                else _("该用户已是%(name)s的工作人员，请先解除。") % {"name": post.organisation or "—"}
            )
            raise ValidationError({"username": [ValidationError(message, code="already_attached")]})


@transaction.atomic
def partner_staff_create(
    *,
    actor,
    organisation: Organisation,
    username: str,
    full_name: str,
    email: str = "",
    title: str = "",
    phone: str = "",
) -> tuple[StaffPost, str]:
    """Create a login for a department's staff member and attach it (issue 10 §8). The initial password is
    random, returned once for the town office to hand over, and never stored in clear."""
    from django.contrib.auth import get_user_model

    _require_manages(actor, organisation)
    user_model = get_user_model()
    username = username.strip()
    full_name = full_name.strip()
    errors: dict[str, list[ValidationError]] = {}
    try:
        user_model.username_validator(username)
    except ValidationError:
        errors["username"] = [ValidationError(_("用户名只能包含字母、数字和@/./+/-/_。"), code="invalid")]
    if not username:
        errors["username"] = [ValidationError(_("请填写用户名。"), code="required")]
    elif user_model.objects.filter(username__iexact=username).exists():
        errors["username"] = [ValidationError(_("该用户名已被使用。"), code="taken")]
    if not full_name:
        errors["full_name"] = [ValidationError(_("请填写姓名。"), code="required")]
    if errors:
        raise ValidationError(errors)
    password = secrets.token_urlsafe(9)
    user = user_model(username=username, first_name=full_name[:150], email=email.strip())
    user.set_password(password)
    user.save()
    post = partner_staff_attach(actor=actor, organisation=organisation, user=user, title=title, phone=phone)
    return post, password


@transaction.atomic
def partner_staff_detach(*, actor, post: StaffPost) -> None:
    """The town office detaches a member of staff from one of its departments (issue 10 §8): the post is
    removed (its history kept by pghistory) and the referral grant sync withdraws the department's
    referrals from them. The account stays (it may hold another department's post); when it holds no
    post any more, its API tokens are revoked too, so the department's system stops reading at once."""
    if post.role != Role.PARTNER_STAFF or post.organisation is None:
        raise ValidationError(_("这不是协作部门工作人员岗位。"))
    _require_manages(actor, post.organisation)
    _history_actor(actor)
    user = post.user
    post_remove(post=post)
    if not StaffPost.objects.filter(user=user).exists():
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            token_revoke(token=token)

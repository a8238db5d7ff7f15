"""Importing the tree and the staff from a sheet (issue 12 §2; domain.md §1.1 tiers, §1.2 bodies, §1.4 roles,
§5 working groups, §11.1 town departments).

Both imports check every row first and write nothing while any row is refused (each refusal with its sheet
row, its column and a Chinese message); then they write in one transaction through the tree and post
services. The same file again creates nothing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tiers.imports import rules
from tiers.imports.reading import Row, read_rows
from tiers.models import Organisation, Region, StaffPost
from tiers.roles import LEVEL_ORDER, ROLE_POLICIES, Level, Role
from tiers.services import (
    division_code_check,
    organisation_create,
    partner_staff_check,
    post_assign,
    region_create,
    region_rename,
)


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)d行 %(field)s：%(message)s") % {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class TreeImportResult:
    created: list[Region] = field(default_factory=list)
    renamed: list[Region] = field(default_factory=list)
    unchanged: int = 0
    departments: int = 0  # default departments created for new towns
    prompts: list[str] = field(default_factory=list)  # what is left for a person to do
    errors: list[RowError] = field(default_factory=list)


@dataclass
class StaffImportResult:
    users_created: int = 0
    posts_created: int = 0
    unchanged: int = 0
    passwords: list[tuple[str, str]] = field(default_factory=list)  # (username, one-time password), new users only
    errors: list[RowError] = field(default_factory=list)


def _history(actor, filename: str):
    """Name the importer and the file in the history of what the import writes (pghistory; PostgreSQL
    only, as tiers.audit.HistoryMiddleware: elsewhere there are no triggers to read it)."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    import pghistory

    return pghistory.context(user=actor.pk if actor is not None else None, source=f"import {filename}")


# --- after a town is created -------------------------------------------------------------------------------

_town_handlers: list[Callable[[Region], None]] = []


def on_town_created(handler: Callable[[Region], None]) -> Callable[[Region], None]:
    """Apps built on the tree (cases: the six working groups, domain.md §5) register what a new town needs
    here in their AppConfig.ready(); tiers does not import them (dependencies point one way). Handlers are
    called as handler(region=town) inside the import's transaction, after the town's default departments
    exist."""
    if handler not in _town_handlers:
        _town_handlers.append(handler)
    return handler


def _short(name: str) -> str:
    for suffix in rules.TOWN_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def town_departments_ensure(*, town: Region) -> int:
    """Give a town its default local partner departments (domain.md §11.1: the kinds its working groups are
    led by or draw on), one per kind it has none of yet; names follow rules.TOWN_DEPARTMENTS and stay
    editable in the admin. Returns how many were created. Idempotent."""
    street = town.name.endswith("街道")
    plan = [
        (kind, rules.STREET_DEPARTMENT_OVERRIDES.get(kind, pattern) if street else pattern)
        for kind, pattern in rules.TOWN_DEPARTMENTS
    ]
    plan += list(rules.STREET_DEPARTMENTS_EXTRA) if street else []
    kinds = set(Organisation.objects.filter(region=town).values_list("kind", flat=True))
    county = town.parent
    created = 0
    for kind, pattern in plan:
        name = pattern.format(town=town.name, t=_short(town.name), county=county.name if county else "")
        if kind in kinds or Organisation.objects.filter(region=town, name=name).exists():
            continue
        organisation_create(kind=kind, name=name, region=town)
        created += 1
    return created


# --- the tree ----------------------------------------------------------------------------------------------


def level_from_code(code: str) -> str | None:
    """The level a 12-digit statistical division code stands for (domain.md §1.1; tiers.services.
    division_code_check): 6 significant digits a county, 9 a town, 12 a village. None for other codes."""
    if len(code) != rules.DIVISION_CODE_LENGTH or not code.isdigit():
        return None
    if code.endswith(rules.COUNTY_SUFFIX):
        return Level.COUNTY
    if code.endswith(rules.TOWN_SUFFIX):
        return Level.TOWN
    return Level.VILLAGE


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(name, str(message)) for name, errors in exc.message_dict.items() for message in errors]
    return [("", str(message)) for message in exc.messages]


@dataclass
class _Unit:
    row: int
    code: str
    name: str
    parent_code: str
    level: str


def _compact(text: str) -> str:
    return "".join(text.split())


def _plan_units(rows: list[Row], errors: list[RowError]) -> dict[str, _Unit]:
    units: dict[str, _Unit] = {}
    level_words = "、".join(str(level.label) for level in Level)
    for row in rows:
        values = row.values
        code, name, parent_code = _compact(values["code"]), values["name"].strip(), _compact(values["parent_code"])
        before = len(errors)
        if not code:
            errors.append(RowError(row.number, "code", _("请填写区划代码。")))
            continue
        if code in units:
            errors.append(RowError(row.number, "code", _("区划代码与第%(row)d行重复。") % {"row": units[code].row}))
            continue
        if not name:
            errors.append(RowError(row.number, "name", _("请填写名称。")))
        derived = level_from_code(code)
        level = None
        if values.get("level", "").strip():
            level = rules.LEVEL_WORDS.get(rules.word_key(values["level"]))
            if level is None:
                errors.append(
                    RowError(
                        row.number,
                        "level",
                        _("无法识别的层级“%(word)s”。可用的层级：%(known)s。")
                        % {"word": values["level"].strip(), "known": level_words},
                    )
                )
            elif level != Level.GRID and derived is not None and level != derived:
                errors.append(
                    RowError(
                        row.number,
                        "level",
                        _("层级“%(level)s”与区划代码不符：%(code)s是%(derived)s的代码。")
                        % {"level": Level(level).label, "code": code, "derived": Level(derived).label},
                    )
                )
        else:
            level = derived
            if level is None:
                errors.append(
                    RowError(
                        row.number,
                        "level",
                        _("无法从区划代码判断层级：区划代码应为12位数字；网格请在level列填写“网格”。"),
                    )
                )
        if len(errors) == before:
            units[code] = _Unit(row=row.number, code=code, name=name, parent_code=parent_code, level=level)
    return units


def _check_units(units: dict[str, _Unit], existing: dict[str, Region], errors: list[RowError]) -> None:
    for unit in units.values():
        parent: Region | None = None
        if unit.level == Level.COUNTY:
            if unit.parent_code:
                errors.append(RowError(unit.row, "parent_code", _("区县是最高层级，上级代码应留空。")))
                continue
        else:
            if not unit.parent_code:
                errors.append(RowError(unit.row, "parent_code", _("请填写上级代码。")))
                continue
            if unit.parent_code in units:
                above = units[unit.parent_code]
                parent = Region(code=above.code, level=above.level, name=above.name)
            elif unit.parent_code in existing:
                parent = existing[unit.parent_code]
            else:
                errors.append(
                    RowError(
                        unit.row,
                        "parent_code",
                        _("上级代码%(code)s在文件和系统中都不存在。") % {"code": unit.parent_code},
                    )
                )
                continue
            expected = LEVEL_ORDER[LEVEL_ORDER.index(unit.level) - 1]
            if parent.level != expected:
                errors.append(
                    RowError(
                        unit.row,
                        "parent_code",
                        _("%(level)s的上级应为%(expected)s，%(code)s是%(parent)s。")
                        % {
                            "level": Level(unit.level).label,
                            "expected": Level(expected).label,
                            "code": unit.parent_code,
                            "parent": Level(parent.level).label,
                        },
                    )
                )
                continue
        region = existing.get(unit.code)
        if region is not None:
            held_parent = region.parent.code if region.parent_id else ""
            if region.level != unit.level or held_parent != unit.parent_code:
                errors.append(
                    RowError(
                        unit.row,
                        "code",
                        _("该区划已存在（%(name)s，%(level)s，上级%(parent)s），导入不能改变层级或上级。")
                        % {
                            "name": region.name,
                            "level": region.get_level_display(),
                            "parent": held_parent or "—",
                        },
                    )
                )
                continue
        try:
            division_code_check(code=unit.code, level=unit.level, parent=parent)
        except ValidationError as exc:
            errors.extend(RowError(unit.row, name or "code", message) for name, message in _messages(exc))


def regions_import(*, actor, content: bytes, filename: str, dry_run: bool = False) -> TreeImportResult:
    """Import a tree sheet (issue 12 §2; domain.md §1.1): columns code, name, parent_code and an optional level.
    The level comes from the 12-digit statistical division code (county, town, village); grids need level
    网格 (GRID). A unit that exists with the same place in the tree is left alone, or renamed through
    region_rename when the name changed; codes and places are never changed by an import. A new town gets
    its default departments and whatever apps registered with on_town_created (its six working groups);
    a new county gets a prompt to add its bureaus. Nothing is written while any row is refused; `dry_run`
    does it all and rolls it back, to show what would happen."""
    result = TreeImportResult()
    try:
        rows = read_rows(
            content=content, filename=filename, columns=rules.REGION_COLUMNS, required=rules.REGION_REQUIRED
        )
    except ValidationError as exc:
        result.errors = [RowError(0, name or "file", message) for name, message in _messages(exc)]
        return result
    units = _plan_units(rows, result.errors)
    codes = set(units) | {unit.parent_code for unit in units.values() if unit.parent_code}
    existing = {region.code: region for region in Region.objects.filter(code__in=codes).select_related("parent")}
    _check_units(units, existing, result.errors)
    if result.errors:
        result.errors.sort(key=lambda error: error.row)
        return result
    with transaction.atomic(), _history(actor, filename):
        regions = dict(existing)
        for unit in sorted(units.values(), key=lambda unit: (LEVEL_ORDER.index(unit.level), unit.row)):
            region = existing.get(unit.code)
            if region is not None:
                if region.name != unit.name:
                    result.renamed.append(region_rename(region=region, name=unit.name))
                else:
                    result.unchanged += 1
                continue
            parent = regions.get(unit.parent_code) if unit.parent_code else None
            region = region_create(code=unit.code, name=unit.name, level=unit.level, parent=parent)
            regions[unit.code] = region
            result.created.append(region)
            if region.level == Level.TOWN:
                result.departments += town_departments_ensure(town=region)
                for handler in list(_town_handlers):
                    handler(region=region)
            elif region.level == Level.COUNTY:
                result.prompts.append(
                    _("新建区县%(name)s：请在后台“协作单位”中添加区县民政局等单位，再为其建立六个工作小组。")
                    % {"name": region.name}
                )
        if dry_run:  # everything above ran and was checked; none of it stays
            transaction.set_rollback(True)
    return result


# --- the staff ---------------------------------------------------------------------------------------------


@dataclass
class _Post:
    row: int
    username: str
    name: str
    region: Region
    role: str
    organisation: Organisation | None
    title: str
    phone: str


def _new_password() -> str:
    return secrets.token_urlsafe(9)


def staff_import(*, actor, content: bytes, filename: str, dry_run: bool = False) -> StaffImportResult:
    """Import a staff sheet (issue 12 §2; domain.md §1.2, §1.4): columns username, name, region_code, role,
    organisation (and optional title, phone). Each row gives a user a post through post_assign; the role
    must fit the region's level, and partner staff (协作部门工作人员) name one of the region's departments and
    follow partner_staff_attach's rules (no other posts, one department per town). A new user gets a random
    password returned once (never stored in clear); an existing user keeps theirs. Nothing is written while
    any row is refused; the same sheet again creates nothing; `dry_run` rolls everything back (and returns no
    passwords)."""
    result = StaffImportResult()
    errors = result.errors
    try:
        rows = read_rows(content=content, filename=filename, columns=rules.STAFF_COLUMNS, required=rules.STAFF_REQUIRED)
    except ValidationError as exc:
        result.errors = [RowError(0, name or "file", message) for name, message in _messages(exc)]
        return result
    user_model = get_user_model()
    usernames = {row.values["username"].strip() for row in rows}
    lookup = Q()
    for username in usernames:
        lookup |= Q(username__iexact=username)
    users = {user.username.lower(): user for user in user_model.objects.filter(lookup)} if usernames else {}
    codes = {_compact(row.values["region_code"]) for row in rows}
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    roles_known = "、".join(str(role.label) for role in Role)
    posts: list[_Post] = []
    for row in rows:
        values = row.values
        before = len(errors)
        username = values["username"].strip()
        name = values["name"].strip()
        if not username:
            errors.append(RowError(row.number, "username", _("请填写用户名。")))
        else:
            try:
                user_model.username_validator(username)
            except ValidationError:
                errors.append(RowError(row.number, "username", _("用户名只能包含字母、数字和@/./+/-/_。")))
        if not name and username.lower() not in users:
            errors.append(RowError(row.number, "name", _("请填写姓名。")))
        code = _compact(values["region_code"])
        region = regions.get(code)
        if region is None:
            errors.append(
                RowError(
                    row.number,
                    "region_code",
                    _("区划代码%(code)s不存在（请先导入区划）。") % {"code": code or "—"},
                )
            )
        role = rules.ROLE_WORDS.get(rules.word_key(values["role"])) if values["role"].strip() else None
        if role is None:
            errors.append(
                RowError(
                    row.number,
                    "role",
                    _("无法识别的岗位“%(word)s”。可用的岗位：%(known)s。")
                    % {"word": values["role"].strip(), "known": roles_known},
                )
            )
        organisation = None
        organisation_name = values.get("organisation", "").strip()
        if region is not None and role is not None:
            levels = ROLE_POLICIES[role].levels
            if region.level not in levels:
                errors.append(
                    RowError(
                        row.number,
                        "role",
                        _("“%(role)s”岗位只能设在：%(levels)s；%(region)s是%(level)s。")
                        % {
                            "role": Role(role).label,
                            "levels": "、".join(str(Level(level).label) for level in levels),
                            "region": region.name,
                            "level": region.get_level_display(),
                        },
                    )
                )
            if role == Role.PARTNER_STAFF:
                if not organisation_name:
                    errors.append(RowError(row.number, "organisation", _("协作部门工作人员须填写所属单位。")))
                else:
                    organisation = Organisation.objects.filter(
                        region=region, name=organisation_name, is_active=True
                    ).first()
                    if organisation is None:
                        errors.append(
                            RowError(
                                row.number,
                                "organisation",
                                _("%(region)s没有名为“%(name)s”的协作单位。")
                                % {"region": region.name, "name": organisation_name},
                            )
                        )
            elif organisation_name:
                errors.append(RowError(row.number, "organisation", _("只有协作部门工作人员岗位可以设置所属单位。")))
        if len(errors) == before:
            posts.append(
                _Post(
                    row=row.number,
                    username=username,
                    name=name,
                    region=region,
                    role=role,
                    organisation=organisation,
                    title=values.get("title", "").strip(),
                    phone=values.get("phone", "").strip(),
                )
            )
    _check_partner_rules(posts, users, errors)
    if errors:
        errors.sort(key=lambda error: error.row)
        return result
    with transaction.atomic(), _history(actor, filename):
        for post in posts:
            user = users.get(post.username.lower())
            if user is None:
                password = _new_password()
                user = user_model(username=post.username, first_name=post.name[:150])
                user.set_password(password)
                user.save()
                users[post.username.lower()] = user
                result.users_created += 1
                result.passwords.append((user.username, password))
            held = StaffPost.objects.filter(user=user, region=post.region, role=post.role).first()
            if held is not None and (post.organisation is None or held.organisation_id == post.organisation.pk):
                result.unchanged += 1
                continue
            post_assign(
                user=user,
                region=post.region,
                role=post.role,
                title=post.title,
                phone=post.phone,
                organisation=post.organisation,
            )
            result.posts_created += 1
        if dry_run:  # everything above ran and was checked; none of it stays
            transaction.set_rollback(True)
            result.passwords = []  # these accounts were not kept
    return result


def _check_partner_rules(posts: list[_Post], users: dict, errors: list[RowError]) -> None:
    """partner_staff_attach's rules over the sheet and what exists: a partner account holds partner posts
    only, one department per town; it may not be an administrator or a disabled account."""
    by_user: dict[str, list[_Post]] = {}
    for post in posts:
        by_user.setdefault(post.username.lower(), []).append(post)
    for key, user_posts in by_user.items():
        partner = [post for post in user_posts if post.role == Role.PARTNER_STAFF]
        if not partner:
            user = users.get(key)
            if user is not None and StaffPost.objects.filter(user=user, role=Role.PARTNER_STAFF).exists():
                errors.extend(
                    RowError(post.row, "role", _("该账号是协作部门工作人员，请为其另建工作账号。"))
                    for post in user_posts
                )
            continue
        if len(partner) != len(user_posts):
            other = next(post for post in user_posts if post.role != Role.PARTNER_STAFF)
            errors.extend(
                RowError(
                    post.row,
                    "role",
                    _("协作部门账号不能同时担任其他工作岗位（见第%(row)d行），请另建账号。") % {"row": other.row},
                )
                for post in partner
            )
            continue
        seen: dict[int, _Post] = {}
        for post in partner:
            other = seen.get(post.region.pk)
            if other is not None and other.organisation.pk != post.organisation.pk:
                errors.append(
                    RowError(
                        post.row,
                        "organisation",
                        _("同一账号在一个乡镇只能属于一个单位（见第%(row)d行）。") % {"row": other.row},
                    )
                )
            seen.setdefault(post.region.pk, post)
        user = users.get(key)
        if user is None:
            continue
        for post in partner:
            held = StaffPost.objects.filter(user=user, region=post.region, role=Role.PARTNER_STAFF).first()
            if held is not None and held.organisation_id == post.organisation.pk:
                continue  # already attached here: unchanged
            try:
                partner_staff_check(organisation=post.organisation, user=user)
            except ValidationError as exc:
                errors.extend(RowError(post.row, "username", message) for _name, message in _messages(exc))

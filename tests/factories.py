"""Test data built through the services, the way the product builds it, with factories for the rest."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Gender, GuardianRelation, Minor
from cases.registry.identity import make_id_number
from cases.registry.services import CategoryChoice, minor_register
from tiers.models import Region
from tiers.roles import Level, Role
from tiers.services import post_assign, region_create

User = get_user_model()
_sequence = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("correct-horse-battery")


@dataclass
class Tree:
    """A county with two towns; town A has two villages (the first with a grid), town B one."""

    county: Region
    town_a: Region
    town_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    grid_a1: Region


def make_tree() -> Tree:
    county = region_create(code="330521000000", name="示范县", level=Level.COUNTY)
    town_a = region_create(code="330521100000", name="青山镇", level=Level.TOWN, parent=county)
    town_b = region_create(code="330521101000", name="白水镇", level=Level.TOWN, parent=county)
    village_a1 = region_create(code="330521100201", name="东岭村", level=Level.VILLAGE, parent=town_a)
    village_a2 = region_create(code="330521100202", name="西岭村", level=Level.VILLAGE, parent=town_a)
    village_b1 = region_create(code="330521101201", name="河口村", level=Level.VILLAGE, parent=town_b)
    grid_a1 = region_create(code="330521100201-01", name="东岭村第一网格", level=Level.GRID, parent=village_a1)
    return Tree(county, town_a, town_b, village_a1, village_a2, village_b1, grid_a1)


def make_user(role: str | None = None, region: Region | None = None, username: str | None = None, **fields):
    user = UserFactory(username=username or f"user{next(_sequence)}", **fields)
    if role is not None and region is not None:
        post_assign(user=user, region=region, role=role)
    return user


def valid_id_number(*, birth: date, gender: str = Gender.FEMALE, sequence: int | None = None) -> str:
    return make_id_number(
        address_code="330521", birth=birth, sequence=next(_sequence) if sequence is None else sequence, gender=gender
    )


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) instant: `at("2026-03-01", 10)`."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - timezone.timedelta(days=days)


def minor_payload(**overrides: Any) -> dict[str, Any]:
    birth = overrides.pop("birth_date", years_ago(10, days=40))
    gender = overrides.pop("gender", Gender.FEMALE)
    data = {
        "name": f"测试儿童{next(_sequence)}",
        "gender": gender,
        "birth_date": birth,
        "id_number": valid_id_number(birth=birth, gender=gender),
        "hukou_type": "AGRICULTURAL",
        "hukou_place": "示范县青山镇",
        "address": "东岭村3组12号",
        "education_status": "PRIMARY",
        "school_name": "青山镇中心小学",
    }
    data.update(overrides)
    return data


def guardian_payload(**overrides: Any) -> dict[str, Any]:
    data = {"relation": GuardianRelation.PATERNAL_GRANDMOTHER, "name": "王秀英", "phone": "13800138000"}
    data.update(overrides)
    return data


def register_minor(
    *,
    actor,
    region: Region,
    categories: tuple[str, ...] = ("LEFT_BEHIND",),
    guardians: list[dict[str, Any]] | None = None,
    **data: Any,
) -> Minor:
    return minor_register(
        actor=actor,
        region=region,
        data=minor_payload(**data),
        guardians=[guardian_payload()] if guardians is None else guardians,
        categories=[CategoryChoice(code) for code in categories],
        confirm_possible_duplicate=True,
    )


__all__ = [
    "SHANGHAI",
    "Role",
    "Tree",
    "UserFactory",
    "at",
    "guardian_payload",
    "make_tree",
    "make_user",
    "minor_payload",
    "register_minor",
    "valid_id_number",
    "years_ago",
]

"""The demo's registry, the first builder seed_demo runs: the district's tree, its staff logins and their
posts, about 200 at-risk minors and a baseline count per village.

Everything is written through the services, the way the product writes it (STYLE.md rule 1): the tree
and posts through tiers.services, minors through cases.registry.services (so each record has its
history). The data is generated from a fixed seed, so every run plans the same district; what already
exists (region code, username, ID number, or the same name in the same village) is skipped, and a run
that finds everything in place changes nothing and says so. The district and its logins are in
demo/district.py; demo_minors() gives the other builders the minors of the plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    BaselinePopulation,
    ClosedReason,
    EducationStatus,
    Gender,
    GuardianRelation,
    HukouType,
    Minor,
    NoIdReason,
    OrphanCareSetting,
)
from cases.registry.identity import age_on, make_id_number
from cases.registry.services import CategoryChoice, baseline_record, minor_close, minor_register
from demo import district as demo
from tiers.models import Region, StaffPost
from tiers.roles import Level
from tiers.services import post_assign, region_create

User = get_user_model()

# Profiles of at-risk minors and their weights: left-behind children are by far the largest group in
# the seeds' screening lists (domain.md §2.1, §2.2); orphans and de facto unsupported children are few.
PROFILE_WEIGHTS = {
    "left_behind": 40,
    "low_income": 10,
    "de_facto_unsupported": 8,
    "disabled": 8,
    "single_parent": 7,
    "migrant": 5,
    "guardian_incapable": 5,
    "orphan": 4,
    "severe_illness": 4,
    "dropout": 3,
    "improper_guardianship": 2,
    "other_hardship": 2,
    "vagrant": 1,
}


@dataclass
class PlannedMinor:
    village: demo.DemoVillage
    town: demo.DemoTown
    region_code: str
    data: dict[str, Any]
    guardians: list[dict[str, Any]]
    categories: list[CategoryChoice]
    close: tuple[str, str] | None = None  # (reason, note)


@dataclass
class Tally:
    regions: int = 0
    users: int = 0
    posts: int = 0
    minors: int = 0
    closed: int = 0
    baselines: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def created_anything(self) -> bool:
        return any((self.regions, self.users, self.posts, self.minors, self.closed, self.baselines))


class DemoPlanner:
    """Turns the fixed seed into people. Pure: no database access, the same plan on every run."""

    def __init__(self, *, today: date):
        self.rng = random.Random(demo.DEMO_SEED)
        # Birth dates are counted back from 1 January, so the plan (and the ID numbers) stays the same
        # all year and every planned minor is under 18 on any day of it.
        self.anchor = date(today.year, 1, 1)
        self.used_names: set[str] = set()
        self.used_ids: set[str] = set()

    # --- names ---------------------------------------------------------------------------------
    def _given(self, chars: str) -> str:
        count = 1 if self.rng.random() < 0.2 else 2
        return "".join(self.rng.choice(chars) for _ in range(count))

    def person_name(self, *, surname: str | None = None, gender: str, generation: str) -> str:
        chars = {
            ("child", Gender.MALE): demo.GIVEN_BOY,
            ("child", Gender.FEMALE): demo.GIVEN_GIRL,
            ("parent", Gender.MALE): demo.GIVEN_MAN,
            ("parent", Gender.FEMALE): demo.GIVEN_WOMAN,
            ("grandparent", Gender.MALE): demo.GIVEN_OLD_MAN,
            ("grandparent", Gender.FEMALE): demo.GIVEN_OLD_WOMAN,
        }[(generation, gender)]
        return (surname or self.rng.choice(demo.SURNAMES)) + self._given(chars)

    def unique_child_name(self, *, surname: str, gender: str) -> str:
        # Unique across the demo, so "same name and birth date" never fires between demo minors and a
        # rerun can recognise a minor without an ID number by name and village.
        while True:
            name = self.person_name(surname=surname, gender=gender, generation="child")
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def staff_name(self) -> str:
        gender = self.rng.choice([Gender.MALE, Gender.FEMALE, Gender.FEMALE])  # child directors are mostly women
        return self.person_name(gender=gender, generation="parent")

    # --- identity --------------------------------------------------------------------------------
    def id_number(self, *, birth: date, gender: str) -> str:
        while True:
            number = make_id_number(
                address_code=demo.ADDRESS_CODE, birth=birth, sequence=self.rng.randint(0, 99), gender=gender
            )
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def adult_id_number(self, *, age: int, gender: str) -> str:
        birth = self.anchor - timedelta(days=age * 365 + self.rng.randint(0, 364))
        return make_id_number(
            address_code=demo.ADDRESS_CODE, birth=birth, sequence=self.rng.randint(0, 99), gender=gender
        )

    # --- the registry ----------------------------------------------------------------------------
    def minors(self) -> list[PlannedMinor]:
        villages = [(town, village) for town in demo.DISTRICT for village in town.villages]
        weights = [village.weight for _town, village in villages]
        profiles = list(PROFILE_WEIGHTS)
        profile_weights = list(PROFILE_WEIGHTS.values())
        planned = []
        for index in range(demo.DEMO_MINOR_COUNT):
            town, village = self.rng.choices(villages, weights=weights)[0]
            unregistered = index % (demo.DEMO_MINOR_COUNT // demo.DEMO_UNREGISTERED_COUNT) == 7
            profile = "unregistered" if unregistered else self.rng.choices(profiles, weights=profile_weights)[0]
            if profile == "migrant" and not village.community:
                profile = "left_behind"  # migrant children live in the town's communities
            planned.append(self._minor(town=town, village=village, profile=profile))
        closable = [m for m in planned if m.data.get("id_number")]
        for minor in self.rng.sample(closable, demo.DEMO_CLOSED_COUNT):
            minor.close = self.rng.choice(
                [
                    (ClosedReason.NO_LONGER_AT_RISK, "父母返乡就业，已能有效履行监护职责。"),
                    (ClosedReason.MOVED_AWAY, "随父母迁往外省居住，已告知迁入地民政部门。"),
                    (ClosedReason.NO_LONGER_AT_RISK, "家庭经济状况好转，经评估困境已消除。"),
                ]
            )
        return planned

    def _minor(self, *, town: demo.DemoTown, village: demo.DemoVillage, profile: str) -> PlannedMinor:
        rng = self.rng
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        min_days, max_days = 30, 17 * 365
        if profile in ("dropout", "vagrant"):
            min_days = 13 * 365
        if profile == "unregistered":
            max_days = 8 * 365
        birth = self.anchor - timedelta(days=rng.randint(min_days, max_days))
        age = age_on(birth, self.anchor)
        surname = rng.choice(demo.SURNAMES)
        name = self.unique_child_name(surname=surname, gender=gender)
        region_code = village.code
        if village.grids and rng.random() < 0.7:
            region_code = rng.choice(village.grids)[0]

        data: dict[str, Any] = {
            "name": name,
            "gender": gender,
            "birth_date": birth,
            "address": self._address(village),
            "hukou_type": self._hukou_type(village),
            "hukou_place": f"{demo.PROVINCE}{demo.COUNTY_NAME}{town.name}{village.name}",
            "hukou_in_district": True,
        }
        data.update(self._schooling(town=town, age=age, profile=profile))
        if profile == "unregistered":
            data.update(
                no_id_reason=NoIdReason.UNREGISTERED,
                no_id_note=rng.choice(["非婚生育，出生后未办理户口登记。", "出生医学证明遗失，尚未落户。"]),
                hukou_type=HukouType.NONE,
                hukou_place="",
            )
        else:
            data["id_number"] = self.id_number(birth=birth, gender=gender)
        if profile == "migrant":
            data.update(hukou_in_district=False, hukou_place=rng.choice(demo.MIGRANT_ORIGINS), hukou_type="")

        guardians, codes = self._family(surname=surname, profile=profile)
        if profile == "orphan":
            data["orphan_care_setting"] = (
                OrphanCareSetting.CENTRALISED
                if guardians[0]["relation"] == GuardianRelation.INSTITUTION
                else OrphanCareSetting.SCATTERED
            )
        categories = [CategoryChoice(code, note) for code, note in codes.items()]
        return PlannedMinor(village, town, region_code, data, guardians, categories)

    def _address(self, village: demo.DemoVillage) -> str:
        rng = self.rng
        if village.community:
            return f"{rng.choice(demo.COMMUNITY_STREETS)}{rng.randint(1, 180)}号{rng.randint(1, 12)}栋{rng.randint(1, 3)}单元"
        return f"{village.name}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"

    def _hukou_type(self, village: demo.DemoVillage) -> str:
        if village.community:
            return self.rng.choice([HukouType.RESIDENT, HukouType.NON_AGRICULTURAL, HukouType.RESIDENT])
        return HukouType.AGRICULTURAL if self.rng.random() < 0.85 else HukouType.RESIDENT

    def _schooling(self, *, town: demo.DemoTown, age: int, profile: str) -> dict[str, str]:
        short = town.name
        if profile == "dropout":
            return {"education_status": EducationStatus.DROPOUT, "school_name": ""}
        if profile == "vagrant":
            return {"education_status": EducationStatus.DROPOUT, "school_name": ""}
        if profile == "disabled" and age >= 6:
            if self.rng.random() < 0.5:
                return {"education_status": EducationStatus.SPECIAL_EDUCATION, "school_name": "示范区特殊教育学校"}
            return {"education_status": EducationStatus.HOME_SCHOOLING, "school_name": "示范区特殊教育学校（送教上门）"}
        if age < 3:
            return {"education_status": EducationStatus.NOT_SCHOOL_AGE, "school_name": ""}
        if age < 6:
            return {"education_status": EducationStatus.KINDERGARTEN, "school_name": f"{short}中心幼儿园"}
        if age < 12:
            return {"education_status": EducationStatus.PRIMARY, "school_name": f"{short}中心小学"}
        if age < 15:
            return {"education_status": EducationStatus.JUNIOR_SECONDARY, "school_name": f"{short}初级中学"}
        if self.rng.random() < 0.3:
            return {"education_status": EducationStatus.VOCATIONAL, "school_name": "示范区职业教育中心"}
        return {"education_status": EducationStatus.SENIOR_SECONDARY, "school_name": "示范区第一中学"}

    def _guardian(self, relation: str, name: str, **flags: Any) -> dict[str, Any]:
        return {"relation": relation, "name": name, **flags}

    def _family(self, *, surname: str, profile: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Guardians with situation flags that fit the profile, and the categories they imply."""
        rng = self.rng
        father = self.person_name(surname=surname, gender=Gender.MALE, generation="parent")
        mother = self.person_name(gender=Gender.FEMALE, generation="parent")
        grandma = self.person_name(gender=Gender.FEMALE, generation="grandparent")
        grandpa = self.person_name(surname=surname, gender=Gender.MALE, generation="grandparent")

        def parent_ids() -> dict[str, str]:
            return {"id_number": self.adult_id_number(age=rng.randint(28, 45), gender=Gender.MALE)}

        def away(relation: str, name: str) -> dict[str, Any]:
            place = rng.choice(demo.WORK_PLACES)
            return self._guardian(
                relation, name, works_away=True, lives_with_minor=False, situation_note=f"在{place}务工"
            )

        def grandparent_carer() -> dict[str, Any]:
            if rng.random() < 0.6:
                return self._guardian(GuardianRelation.PATERNAL_GRANDMOTHER, grandma)
            return self._guardian(GuardianRelation.PATERNAL_GRANDFATHER, grandpa)

        codes: dict[str, str] = {}
        if profile == "left_behind":
            guardians = [
                grandparent_carer(),
                {**away(GuardianRelation.FATHER, father), **parent_ids()},
                away(GuardianRelation.MOTHER, mother),
            ]
            codes["LEFT_BEHIND"] = ""
            if rng.random() < 0.15:
                codes["POVERTY"] = ""
            if rng.random() < 0.1:
                codes["LOW_INCOME_FAMILY"] = ""
        elif profile == "de_facto_unsupported":
            in_rehab = rng.random() < 0.3
            father_flags = {"in_drug_rehab": True} if in_rehab else {"is_imprisoned": True}
            note = "强制隔离戒毒中" if in_rehab else f"服刑中，刑期至{self.anchor.year + rng.randint(1, 6)}年"
            mother_flags = {"is_missing": True, "situation_note": "离家多年，联系不上"}
            if rng.random() < 0.3:
                mother_flags = {"is_deceased": True, "situation_note": ""}
            guardians = [
                grandparent_carer(),
                self._guardian(
                    GuardianRelation.FATHER, father, lives_with_minor=False, situation_note=note, **father_flags
                ),
                self._guardian(GuardianRelation.MOTHER, mother, lives_with_minor=False, **mother_flags),
            ]
            codes.update(DE_FACTO_UNSUPPORTED="", CHILD_OF_PRISONER="", DISTRESSED_CHILD="")
        elif profile == "orphan":
            guardians = [
                self._guardian(GuardianRelation.FATHER, father, is_deceased=True, lives_with_minor=False),
                self._guardian(GuardianRelation.MOTHER, mother, is_deceased=True, lives_with_minor=False),
            ]
            if rng.random() < 0.25:
                guardians.insert(0, self._guardian(GuardianRelation.INSTITUTION, "示范区儿童福利院"))
            elif rng.random() < 0.5:
                uncle = self.person_name(surname=surname, gender=Gender.MALE, generation="parent")
                guardians.insert(
                    0, self._guardian(GuardianRelation.OTHER_RELATIVE, uncle, situation_note="伯父，经村委会指定")
                )
            else:
                guardians.insert(0, grandparent_carer())
            codes.update(ORPHAN="", DISTRESSED_CHILD="")
        elif profile == "guardian_incapable":
            father_flags = rng.choice(
                [
                    {"is_seriously_ill": True, "situation_note": "尿毒症，长期透析"},
                    {"is_disabled": True, "situation_note": "肢体一级残疾"},
                ]
            )
            guardians = [
                {**self._guardian(GuardianRelation.FATHER, father, **father_flags), **parent_ids()},
                self._guardian(
                    GuardianRelation.MOTHER,
                    mother,
                    is_missing=True,
                    lives_with_minor=False,
                    situation_note="离家出走，下落不明",
                ),
                grandparent_carer(),
            ]
            codes.update(GUARDIAN_INCAPABLE="", LOW_INCOME_FAMILY="")
        elif profile == "disabled":
            guardians = [
                self._guardian(GuardianRelation.MOTHER, mother),
                {**self._guardian(GuardianRelation.FATHER, father), **parent_ids()},
            ]
            codes["DISABILITY"] = rng.choice(["", "智力残疾二级", "肢体残疾三级", "孤独症谱系障碍"])
            if rng.random() < 0.5:
                codes["DISTRESSED_CHILD"] = ""
            if rng.random() < 0.4:
                codes["LOW_INCOME_FAMILY"] = ""
        elif profile == "severe_illness":
            guardians = [
                self._guardian(GuardianRelation.MOTHER, mother),
                {**self._guardian(GuardianRelation.FATHER, father), **parent_ids()},
            ]
            codes["SEVERE_ILLNESS"] = rng.choice(["白血病，化疗中", "先天性心脏病", "癫痫", "重度抑郁障碍"])
            codes["POVERTY"] = ""
        elif profile == "low_income":
            guardians = [
                {**self._guardian(GuardianRelation.FATHER, father), **parent_ids()},
                self._guardian(GuardianRelation.MOTHER, mother),
            ]
            if rng.random() < 0.3:
                guardians[1].update(is_disabled=True, situation_note="视力残疾二级")
            codes.update(LOW_INCOME_FAMILY="", POVERTY="")
        elif profile == "single_parent":
            parent = rng.choice([(GuardianRelation.MOTHER, mother), (GuardianRelation.FATHER, father)])
            guardians = [self._guardian(*parent)]
            if rng.random() < 0.5:
                guardians[0].update(
                    works_away=True, lives_with_minor=False, situation_note=f"在{rng.choice(demo.WORK_PLACES)}务工"
                )
                guardians.insert(0, grandparent_carer())
            codes["SINGLE_PARENT"] = ""
            if rng.random() < 0.6:
                codes["DIVORCED_FAMILY"] = ""
        elif profile == "migrant":
            guardians = [
                {
                    **self._guardian(GuardianRelation.FATHER, father, situation_note="在本地建筑工地务工"),
                    **parent_ids(),
                },
                self._guardian(GuardianRelation.MOTHER, mother),
            ]
            codes["MIGRANT"] = ""
            if rng.random() < 0.3:
                codes["POVERTY"] = ""
        elif profile == "dropout":
            guardians = [grandparent_carer(), away(GuardianRelation.FATHER, father)]
            codes["DROPOUT"] = ""
            if rng.random() < 0.5:
                codes["IDLE_MINOR"] = ""
            if rng.random() < 0.5:
                codes["LEFT_BEHIND"] = ""
        elif profile == "improper_guardianship":
            guardians = [
                self._guardian(
                    GuardianRelation.FATHER, father, other_situation=True, situation_note="长期酗酒，有家暴史"
                ),
                self._guardian(GuardianRelation.MOTHER, mother),
            ]
            codes.update(IMPROPER_GUARDIANSHIP="", VIOLENCE_ABUSE_VICTIM="")
        elif profile == "vagrant":
            guardians = [
                self._guardian(
                    GuardianRelation.MOTHER,
                    mother,
                    works_away=True,
                    lives_with_minor=False,
                    situation_note="外出务工，很少联系",
                )
            ]
            codes.update(VAGRANT_BEGGING="多次离家出走，曾由救助站护送返乡", IDLE_MINOR="")
        elif profile == "other_hardship":
            guardians = [
                {**self._guardian(GuardianRelation.FATHER, father), **parent_ids()},
                self._guardian(GuardianRelation.MOTHER, mother),
            ]
            codes["OTHER_SPECIAL_HARDSHIP"] = rng.choice(
                ["家中房屋因火灾损毁，暂住亲戚家", "父亲因工伤事故丧失劳动能力"]
            )
        elif profile == "unregistered":
            guardians = [self._guardian(GuardianRelation.MOTHER, mother, situation_note="无固定收入")]
            codes.update(UNREGISTERED="", POVERTY="")
        else:  # pragma: no cover - every profile is handled above
            raise ValueError(profile)
        return guardians, codes

    def baseline(self, village: demo.DemoVillage) -> int:
        return self.rng.randint(900, 2200) if village.community else self.rng.randint(250, 800)


def seed_registry() -> Tally:
    """The tree, the logins and their posts, the minors (some closed) and the baseline counts."""
    tally = Tally()
    planner = DemoPlanner(today=timezone.localdate())
    regions = _seed_regions(tally)
    users = _seed_users(tally, planner, regions)
    _seed_minors(tally, planner, regions, users)
    _seed_baselines(tally, planner, regions, users)
    return tally


def demo_minors():
    """The minors of the demo's plan (by ID number, or by name inside the demo county for those without one):
    the rows the other builders work on, so a child someone registered in the demo district is left alone."""
    planner = DemoPlanner(today=timezone.localdate())
    _staff_names(planner)  # drawn before the minors, as seed_registry draws them
    planned = planner.minors()
    numbers = [p.data["id_number"] for p in planned if p.data.get("id_number")]
    names = [p.data["name"] for p in planned if not p.data.get("id_number")]
    county = Region.objects.filter(code=demo.COUNTY_CODE).first()
    unnumbered = Q(pk__in=[])
    if county is not None and names:
        unnumbered = county.subtree() & Q(name__in=names, id_number__isnull=True)
    return Minor.objects.filter(Q(id_number__in=numbers) | unnumbered)


def _region(
    tally: Tally, regions: dict[str, Region], *, code: str, name: str, level: str, parent: Region | None
) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = region_create(code=code, name=name, level=level, parent=parent)
        tally.regions += 1
    regions[code] = region
    return region


def _seed_regions(tally: Tally) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    county = _region(tally, regions, code=demo.COUNTY_CODE, name=demo.COUNTY_NAME, level=Level.COUNTY, parent=None)
    for town in demo.DISTRICT:
        town_region = _region(tally, regions, code=town.code, name=town.name, level=Level.TOWN, parent=county)
        for village in town.villages:
            village_region = _region(
                tally, regions, code=village.code, name=village.name, level=Level.VILLAGE, parent=town_region
            )
            for grid_code, grid_name in village.grids:
                _region(tally, regions, code=grid_code, name=grid_name, level=Level.GRID, parent=village_region)
    return regions


def _staff_names(planner: DemoPlanner) -> dict[str, str]:
    """The logins' display names. Drawn for every login without a fixed name, before the minors, so names
    (and the minors after them) stay stable across runs."""
    return {login.username: login.display_name or planner.staff_name() for login in demo.DEMO_LOGINS}


def _seed_users(tally: Tally, planner: DemoPlanner, regions: dict[str, Region]) -> dict[str, Any]:
    users: dict[str, Any] = {}
    # One hash for the one shared password: hashing it per account would take seconds.
    password_hash = make_password(demo.DEMO_PASSWORD)
    names = _staff_names(planner)
    for login in demo.DEMO_LOGINS:
        display_name = names[login.username]
        user = User.objects.filter(username=login.username).first()
        if user is None:
            superuser = login.role is None
            user = User.objects.create(
                username=login.username,
                password=password_hash,
                first_name="系统管理员" if superuser else display_name,
                is_staff=superuser,
                is_superuser=superuser,
            )
            tally.users += 1
        users[login.username] = user
        if login.role is not None:
            region = regions[login.region_code]
            if not StaffPost.objects.filter(user=user, region=region, role=login.role).exists():
                post_assign(user=user, region=region, role=login.role, title=login.title)
                tally.posts += 1
    return users


def _seed_minors(tally: Tally, planner: DemoPlanner, regions: dict[str, Region], users: dict[str, Any]) -> None:
    for planned in planner.minors():
        director = users[f"{planned.village.slug}_director"]
        region = regions[planned.region_code]
        number = planned.data.get("id_number")
        # Minors without an ID number are recognised by name in their village (names are unique in the demo).
        same_name = Minor.objects.filter(regions[planned.village.code].subtree(), name=planned.data["name"])
        if (number and Minor.objects.filter(id_number=number).exists()) or same_name.exists():
            continue
        minor = minor_register(
            actor=director,
            region=region,
            data=planned.data,
            guardians=planned.guardians,
            categories=planned.categories,
            # Demo names are unique within the demo; a same-name record made by someone trying the
            # system is not a reason to stop seeding.
            confirm_possible_duplicate=True,
        )
        tally.minors += 1
        if planned.close is not None:
            reason, note = planned.close
            minor_close(actor=users[f"{planned.town.slug}_office"], minor=minor, reason=reason, note=note)
            tally.closed += 1


def _seed_baselines(tally: Tally, planner: DemoPlanner, regions: dict[str, Region], users: dict[str, Any]) -> None:
    as_of = planner.anchor
    for town in demo.DISTRICT:
        for village in town.villages:
            count = planner.baseline(village)
            region = regions[village.code]
            if BaselinePopulation.objects.filter(region=region).exists():
                continue
            baseline_record(
                actor=users[f"{village.slug}_director"],
                region=region,
                as_of=as_of,
                minor_count=count,
                note="年度摸底排查",
            )
            tally.baselines += 1

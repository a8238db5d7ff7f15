"""The demo district used by `manage.py seed_demo`, and its logins (the README lists the same ones;
tests/demo/test_seed_demo.py checks that they agree).

Everything here is invented. The county code 500199 is a district code that the national division
code list (GB/T 2260) does not assign, so the generated identity numbers cannot be anyone's; names of
people are drawn from character lists with a fixed seed; no phone numbers are generated, because any
well-formed mobile number may belong to someone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tiers.roles import Role

# One password for every demo account, printed by seed_demo and shown in the README.
DEMO_PASSWORD = "minorprot-demo"  # noqa: S105 - published on purpose: demo accounts only
# Fixed seed: every machine gets the same people, names and categories.
DEMO_SEED = 20230214
DEMO_MINOR_COUNT = 200
DEMO_UNREGISTERED_COUNT = 4
DEMO_CLOSED_COUNT = 10

ADDRESS_CODE = "500199"  # the county's first six digits; also the address part of demo ID numbers
PROVINCE = "重庆市"
COUNTY_CODE = "500199000000"
COUNTY_NAME = "示范区"


@dataclass(frozen=True)
class DemoVillage:
    code: str
    name: str
    slug: str  # for the child director's login
    community: bool = False  # 社区 (urban) rather than 村 (rural)
    grids: tuple[tuple[str, str], ...] = ()  # (local code, name)
    weight: int = 10  # share of the district's registered minors


@dataclass(frozen=True)
class DemoTown:
    code: str
    name: str
    slug: str
    villages: tuple[DemoVillage, ...] = field(default_factory=tuple)


DISTRICT: tuple[DemoTown, ...] = (
    DemoTown(
        "500199001000",
        "文昌街道",
        "wenchang",
        (
            DemoVillage(
                "500199001001",
                "文昌社区",
                "wenchangsq",
                community=True,
                grids=(("500199001001-01", "文昌社区第一网格"), ("500199001001-02", "文昌社区第二网格")),
                weight=8,
            ),
            DemoVillage("500199001002", "滨河社区", "binhe", community=True, weight=7),
            DemoVillage("500199001003", "桂园社区", "guiyuan", community=True, weight=6),
        ),
    ),
    DemoTown(
        "500199101000",
        "青溪镇",
        "qingxi",
        (
            DemoVillage("500199101001", "青溪社区", "qingxisq", community=True, weight=6),
            DemoVillage(
                "500199101201",
                "柏树村",
                "baishu",
                grids=(("500199101201-01", "柏树村第一网格"), ("500199101201-02", "柏树村第二网格")),
                weight=11,
            ),
            DemoVillage("500199101202", "龙井村", "longjing", weight=9),
            DemoVillage("500199101203", "白鹤村", "baihe", weight=9),
            DemoVillage("500199101204", "双河村", "shuanghe", weight=8),
        ),
    ),
    DemoTown(
        "500199102000",
        "石门镇",
        "shimen",
        (
            DemoVillage("500199102001", "石门社区", "shimensq", community=True, weight=6),
            DemoVillage("500199102201", "桃源村", "taoyuan", grids=(("500199102201-01", "桃源村第一网格"),), weight=10),
            DemoVillage("500199102202", "新华村", "xinhua", weight=9),
            DemoVillage("500199102203", "杉木村", "shanmu", weight=11),
        ),
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str | None  # None: the Django-admin superuser, who holds no post
    region_code: str | None
    title: str
    # A fixed name keeps the login out of the planner's draws: logins added later (the partner staff of
    # issue 5) must not shift the fixed seed's sequence, or the registry would no longer be the same.
    display_name: str = ""


def _logins() -> tuple[DemoLogin, ...]:
    logins = [
        DemoLogin("admin", None, None, "系统管理员（Django admin）"),
        DemoLogin("county_civil", Role.COUNTY_CIVIL_AFFAIRS, COUNTY_CODE, "区民政局儿童福利科"),
        DemoLogin("leadership", Role.LEADERSHIP_VIEWER, COUNTY_CODE, "区未成年人保护工作领导小组"),
    ]
    for town in DISTRICT:
        logins += [
            DemoLogin(f"{town.slug}_office", Role.TOWN_OFFICE, town.code, f"{town.name}民政办"),
            DemoLogin(f"{town.slug}_head", Role.TOWN_OFFICE_HEAD, town.code, f"{town.name}民政办主任"),
            DemoLogin(f"{town.slug}_leader", Role.TOWN_LEADER, town.code, f"{town.name}分管领导"),
            DemoLogin(f"{town.slug}_supervisor", Role.CHILD_SUPERVISOR, town.code, f"{town.name}儿童督导员"),
        ]
    for town in DISTRICT:
        for village in town.villages:
            logins.append(
                DemoLogin(f"{village.slug}_director", Role.CHILD_DIRECTOR, village.code, f"{village.name}儿童主任")
            )
    logins += [
        DemoLogin("baishu_grid1", Role.GRID_HEAD, "500199101201-01", "柏树村第一网格网格长"),
        DemoLogin("partner_police", Role.PARTNER_STAFF, "500199101000", "青溪派出所（协作部门）"),
        # Partner staff of issue 5 (referrals and reports); demo/referrals.py gives each post its organisation.
        DemoLogin("partner_education", Role.PARTNER_STAFF, "500199101000", "青溪教育管理中心（协作部门）", "冉秋雪"),
        DemoLogin("partner_school", Role.PARTNER_STAFF, "500199101000", "青溪中心小学（协作部门）", "牟晓燕"),
        DemoLogin("partner_health", Role.PARTNER_STAFF, "500199101000", "青溪卫生院（协作部门）", "谭建波"),
        DemoLogin(
            "partner_rescue", Role.PARTNER_STAFF, COUNTY_CODE, "示范区未成年人救助保护中心（协作部门）", "向丽萍"
        ),
    ]
    return tuple(logins)


DEMO_LOGINS: tuple[DemoLogin, ...] = _logins()

# --- invented names: surname + given-name characters ----------------------------------------------
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢冉向谭秦牟陶"
)
GIVEN_BOY = "浩宇轩子博文杰俊明晨睿泽瑞然阳鑫磊鹏豪航凯宏志远峻皓楠嘉诚翔逸铭锦林亮斌旭华平"
GIVEN_GIRL = "欣怡梓涵雨萱诗琪婷佳悦思可馨雅静妍彤琳瑶梦蕊芸晓雪丽娜月婉紫萌璐倩慧颖玲丹芳"
GIVEN_MAN = "伟军勇强斌涛刚波辉鹏林峰杰明俊亮超磊平华建兵江"
GIVEN_WOMAN = "丽娟敏静燕艳霞芳玲红萍琴梅丹英秋莉蓉雪慧群"
GIVEN_OLD_MAN = "德国建明永长福贵金光成华兴荣海树才富中正"
GIVEN_OLD_WOMAN = "秀桂玉素淑兰英珍芬芳凤琴翠莲梅菊群华霞"

WORK_PLACES = ("广东东莞", "广东深圳", "浙江义乌", "浙江宁波", "福建晋江", "江苏苏州", "四川成都", "重庆主城", "上海")
MIGRANT_ORIGINS = ("四川省广安市", "贵州省遵义市", "湖北省恩施州", "湖南省湘西州", "四川省达州市")
COMMUNITY_STREETS = ("文昌路", "滨河路", "桂园路", "新街", "青溪大道", "石门路", "学府路")

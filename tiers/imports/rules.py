"""What the tree and staff sheets may hold (issue 12 §2). Every word list of the two imports lives here."""

from __future__ import annotations

import re

from tiers.models import OrganisationKind as K
from tiers.roles import Level, Role

# Largest file accepted by the admin upload (the command reads any size).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# Header names (lower-cased, spaces removed) → field. English names first, the usual Chinese ones after.
REGION_COLUMNS: dict[str, str] = {
    "code": "code",
    "区划代码": "code",
    "代码": "code",
    "编码": "code",
    "name": "name",
    "名称": "name",
    "区划名称": "name",
    "parent_code": "parent_code",
    "parent": "parent_code",
    "上级代码": "parent_code",
    "上级区划代码": "parent_code",
    "level": "level",
    "层级": "level",
}
REGION_REQUIRED = ("code", "name", "parent_code")

STAFF_COLUMNS: dict[str, str] = {
    "username": "username",
    "用户名": "username",
    "账号": "username",
    "name": "name",
    "姓名": "name",
    "region_code": "region_code",
    "region": "region_code",
    "区划代码": "region_code",
    "role": "role",
    "岗位": "role",
    "organisation": "organisation",
    "organization": "organisation",
    "所属单位": "organisation",
    "title": "title",
    "职务": "title",
    "职务名称": "title",
    "phone": "phone",
    "联系电话": "phone",
}
STAFF_REQUIRED = ("username", "name", "region_code", "role")


def word_key(text: str) -> str:
    """How a header or a word is compared: lower case, without spaces and brackets (村（社区） = 村社区)."""
    return re.sub(r"[\s\u3000（）()]", "", str(text)).lower()


# Words a sheet may use for a level (domain.md §1.1): the code, the label, and the usual short names.
LEVEL_WORDS: dict[str, str] = {
    **{word_key(level.value): level.value for level in Level},
    **{word_key(level.label): level.value for level in Level},
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "县区": Level.COUNTY,
    "乡镇": Level.TOWN,
    "镇": Level.TOWN,
    "乡": Level.TOWN,
    "街道": Level.TOWN,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "村社区": Level.VILLAGE,
    "网格": Level.GRID,
    "村民小组": Level.GRID,
}

# Words a sheet may use for a role (domain.md §1.4): the code or its label.
ROLE_WORDS: dict[str, str] = {
    **{word_key(role.value): role.value for role in Role},
    **{word_key(role.label): role.value for role in Role},
}

# The statistical division code (统计用区划代码, domain.md §1.1): 12 digits; a county has 6 significant
# digits (+000000), a town 9 (+000), a village all 12. Grids have local codes and need the level column.
DIVISION_CODE_LENGTH = 12
COUNTY_SUFFIX = "000000"
TOWN_SUFFIX = "000"

# The local partner departments a new town gets at once (domain.md §11.1; the kinds the six working groups
# of §5 are led by or draw on). {town} is the town's name, {t} its name without 镇/乡/街道, {county} the
# county's name. A 街道 gets a community health service centre and an urban-management squad instead.
TOWN_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    (K.CIVIL_AFFAIRS_OFFICE, "{town}民政和社会事务办"),
    (K.POLICE_STATION, "{county}公安局{t}派出所"),
    (K.EDUCATION_CENTRE, "{t}教育管理中心"),
    (K.JUSTICE_OFFICE, "{county}司法局{t}司法所"),
    (K.LABOUR_SECURITY_OFFICE, "{town}劳动保障所"),
    (K.HEALTH_CENTRE, "{t}卫生院"),
    (K.WOMENS_FEDERATION, "{town}妇联"),
    (K.YOUTH_LEAGUE, "共青团{town}委员会"),
    (K.DISABLED_FEDERATION, "{town}残疾人联合会"),
    (K.TRADE_UNION, "{town}总工会"),
    (K.ELDERS_COMMITTEE, "{town}关心下一代工作委员会"),
)
STREET_DEPARTMENT_OVERRIDES: dict[str, str] = {K.HEALTH_CENTRE: "{town}社区卫生服务中心"}
STREET_DEPARTMENTS_EXTRA: tuple[tuple[str, str], ...] = ((K.URBAN_MANAGEMENT, "{town}综合行政执法中队"),)
TOWN_NAME_SUFFIXES = ("街道", "镇", "乡")

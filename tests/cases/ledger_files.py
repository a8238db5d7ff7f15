"""Realistic, messy ledger files for the import tests: built with openpyxl the way towns' Excel looks."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

from cases.registry.identity import check_character, make_id_number

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def id_for(birth: date, gender: str, sequence: int = 1) -> str:
    return make_id_number(address_code="330521", birth=birth, sequence=sequence, gender=gender)


def id_ending_in_x(birth: date, gender: str) -> str:
    for sequence in range(100):
        number = id_for(birth, gender, sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character in 100 sequences")


def bad_checksum(number: str) -> str:
    wrong = "0" if check_character(number[:17]) != "0" else "1"
    return number[:17] + wrong


# Header as many towns draw it: two header rows, 监护人 merged over name / relation / phone.
HEADER_TOP = [
    "序号",
    "村（社区）",
    "网格",
    "姓　名",
    "性别",
    "出生年月",
    "身份证号",
    "困境类型",
    "监护人",
    None,
    None,
    "监护人情况",
    "就学情况",
    "风险等级",
    "备注",
    "照片",
]
HEADER_BOTTOM = [None, None, None, None, None, None, None, None, "姓名", "与儿童关系", "联系电话"]


def workbook_bytes(rows: list[list], *, title: bool = True, two_row_header: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    if title:
        sheet.append(["青山镇困境儿童台账（2026年）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER_TOP))
        sheet.append(["填报单位：青山镇民政办", None, None, None, None, "填报日期：2026年11月"])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
    top = sheet.max_row + 1 if title else 1
    if two_row_header:
        sheet.append(HEADER_TOP)
        sheet.append(HEADER_BOTTOM)
        sheet.merge_cells(start_row=top, start_column=9, end_row=top, end_column=11)
        for column in [*range(1, 9), *range(12, len(HEADER_TOP) + 1)]:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    else:
        sheet.append(
            [
                "序号",
                "村（社区）",
                "网格",
                "姓名",
                "性别",
                "出生日期",
                "身份证号码",
                "困境类型",
                "监护人姓名",
                "与儿童关系",
                "监护人联系电话",
                "监护人情况",
                "就学情况",
                "风险等级",
                "备注",
            ]
        )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def child(
    seq,
    village,
    name,
    gender,
    birth,
    id_number,
    categories,
    guardian=("王秀英", "奶奶", "13800138000"),
    situation="外出务工",
    school="小学",
    grade="",
    note="",
    grid="",
):
    return [seq, village, grid, name, gender, birth, id_number, categories, *guardian, situation, school, grade, note]


ZHANG_BIRTH = date(2015, 3, 4)
LI_BIRTH = date(2014, 6, 1)
SUN_BIRTH = date(2012, 3, 4)
ZHANG_ID = id_for(ZHANG_BIRTH, "M", 11)
LI_ID = id_ending_in_x(LI_BIRTH, "F")
SUN_ID = id_for(SUN_BIRTH, "F", 12)


def messy_rows(*, elsewhere) -> list[list]:
    """Twelve children and the usual noise; rows 1, 2, 3 and 12 are good, the rest each have one defect.
    Sheet rows: title 1–2, header 3–4, so 序号 n is on sheet row n + 4 (blank row 5 shifts the rest)."""
    return [
        # 1: full-width space in the name, full-width digits in the ID, an Excel date, a grid by name.
        child(
            1,
            "东岭村",
            "张　三",
            "男",
            datetime(2015, 3, 4),
            ZHANG_ID.translate(FULL_WIDTH),
            "留守儿童、残疾儿童",
            grade="红色",
            grid="第一网格",
        ),
        # 2: villagers' group instead of a grid, lower-case x, dotted date, two categories with ，.
        child(
            2,
            "东岭村",
            "李小花",
            "女",
            "2014.6.1",
            LI_ID.lower(),
            "留守，低保家庭",
            guardian=("李大山", "爷爷", "13900139000"),
            situation="正常",
            school="初中",
            grade="黄",
            grid="1组",
        ),
        # 3: no ID, reason in the remark; slash date; 村 written without its suffix.
        child(
            3,
            "西岭",
            "王五",
            "男",
            "2016/07/08",
            "",
            "单亲家庭",
            guardian=("王大", "父亲", ""),
            situation="重病",
            note="未落户",
        ),
        [None] * 15,  # a blank row between children
        # 4: no ID and no reason.
        child(4, "西岭村", "赵六", "女", "2016-7-9", "", "留守儿童"),
        # 5: a check character that does not match.
        child(5, "东岭村", "钱七", "女", "2013年5月6日", bad_checksum(id_for(date(2013, 5, 6), "F", 3)), "留守儿童"),
        # 6: the same ID as row 1.
        child(6, "东岭村", "张三", "男", "2015-03-04", ZHANG_ID, "留守儿童"),
        # 7: a word no synonym knows.
        child(7, "东岭村", "周九", "男", "2015-1-2", id_for(date(2015, 1, 2), "M", 4), "孤残"),
        # 8: a village of another town.
        child(8, "河口村", "吴十", "女", "2015-1-3", id_for(date(2015, 1, 3), "F", 5), "留守儿童"),
        # 9: eighteen or older.
        child(9, "东岭村", "郑大", "男", "2005-01-01", id_for(date(2005, 1, 1), "M", 6), "留守儿童"),
        # 10: already registered in town B.
        child(
            10,
            "东岭村",
            "冯二",
            "男" if elsewhere.gender == "M" else "女",
            elsewhere.birth_date,
            elsewhere.id_number,
            "留守儿童",
        ),
        # 11: a date that is no date.
        child(11, "东岭村", "陈三", "女", "去年", id_for(date(2015, 4, 4), "F", 7), "留守儿童"),
        # 12: three categories split by / and ；, a grandmother on the mother's side, blue.
        child(
            12,
            "东岭村",
            "孙八",
            "女",
            "2012-3-4",
            SUN_ID,
            "事实孤儿/父母服刑；辍学",
            guardian=("刘桂兰", "外婆", "0571-12345678"),
            situation="服刑",
            school="辍学",
            grade="蓝",
        ),
        ["合计", None, None, "12人"],
        ["填表人：李四", None, None, None, None, "审核人：王五"],
    ]

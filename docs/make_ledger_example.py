"""Write docs/ledger-example.xlsx: a small town ledger as towns keep it (title rows, a two-row header,
mixed date writings, several categories in a cell, colour grades, a villagers' group, a child without an
ID number, a 合计 row), for the demo town 青山镇 of seed_demo. Usage: .venv/bin/python docs/make_ledger_example.py
Import it with: manage.py import_ledger docs/ledger-example.xlsx --town <青山镇's code> --dry-run"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font  # noqa: E402

from cases.registry.identity import make_id_number  # noqa: E402


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    header = ["序号", "村（社区）", "网格", "姓名", "性别", "出生日期", "身份证号码", "困境类型", "监护人"]
    header += [None, None, "监护人情况", "就学情况", "风险等级", "备注"]
    sheet.append(["青山镇困境儿童台账（示例）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["填报单位：青山镇民政办", None, None, None, None, None, None, "填报日期：2026年11月"])
    sheet.append(header)
    sheet.append([None] * 8 + ["姓名", "与儿童关系", "联系电话"])
    sheet.merge_cells(start_row=3, start_column=9, end_row=3, end_column=11)
    for column in [*range(1, 9), *range(12, len(header) + 1)]:
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)

    def number(birth: date, gender: str, sequence: int) -> str:
        return make_id_number(address_code="330521", birth=birth, sequence=sequence, gender=gender)

    rows = [
        [
            1,
            "东岭村",
            "第一网格",
            "张　小明",
            "男",
            datetime(2015, 3, 4),
            number(date(2015, 3, 4), "M", 41),
            "留守儿童、残疾儿童",
            "王秀英",
            "奶奶",
            "13800138000",
            "外出务工",
            "小学",
            "橙色",
            "",
        ],
        [
            2,
            "东岭村",
            "1组",
            "李小花",
            "女",
            "2014.6.1",
            number(date(2014, 6, 1), "F", 42),
            "留守，低保家庭",
            "李大山",
            "爷爷",
            "13900139000",
            "正常",
            "初中",
            "黄",
            "",
        ],
        [
            3,
            "西岭村",
            "",
            "王小五",
            "男",
            "2016/07/08",
            "",
            "单亲家庭",
            "王大",
            "父亲",
            "",
            "重病",
            "幼儿园",
            "",
            "未落户",
        ],
        [
            4,
            "西岭村",
            "2组",
            "孙八妹",
            "女",
            "2012年3月4日",
            number(date(2012, 3, 4), "F", 43),
            "事实孤儿/父母服刑；辍学",
            "刘桂兰",
            "外婆",
            "0571-12345678",
            "服刑",
            "辍学",
            "红",
            "",
        ],
        ["合计", None, None, "4人"],
    ]
    for row in rows:
        sheet.append(row)
    for letter, width in zip(
        "ABCDEFGHIJKLMNO", (6, 10, 10, 10, 6, 12, 21, 24, 10, 10, 15, 12, 10, 10, 10), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    out = ROOT / "docs" / "ledger-example.xlsx"
    workbook.save(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Excel exports (issue 6 §4): the ledger is the registry list as filtered on screen, only where the
user may export, in the access log row by row; and the generic tables → workbook builder."""

from __future__ import annotations

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessLog, Gender
from reporting.exports.xlsx import tables_workbook, xlsx_response
from screening.grading.services import grade_set, helper_assign
from screening.visits.services.plan import visit_plan_refresh
from screening.visits.services.visits import visit_log
from tests.factories import guardian_payload, make_user, register_minor, years_ago
from tiers.roles import Role
from tiers.services import post_assign

HEADERS = [
    "序号",
    "乡镇（街道）",
    "村（社区）",
    "网格",
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "身份证号码",
    "户籍地",
    "就学状况",
    "困境类别",
    "风险等级",
    "定级时间",
    "监护人",
    "一对一帮扶人",
    "最近走访日期",
    "下次应走访日期",
    "个案阶段",
    "状态",
    "登记时间",
]


def _workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(response) -> list[dict]:
    sheet = _workbook(response).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def _export(client, params=None):
    return client.get(reverse("ledger_export"), params or {})


@pytest.fixture
def town_a_registry(tree, town_officer, minor_a1, minor_b1):
    """Town A: 张三 (A1, left behind), an orphan in A1, a child in A2, one on A1's grid, an orange one;
    town B: 李四."""
    register_minor(actor=town_officer, region=tree.village_a1, name="孤儿甲", categories=("ORPHAN",))
    register_minor(actor=town_officer, region=tree.village_a2, name="西岭儿童", gender=Gender.MALE)
    register_minor(actor=town_officer, region=tree.grid_a1, name="网格儿童")
    orange = register_minor(actor=town_officer, region=tree.village_a2, name="橙色儿童")
    grade_set(actor=town_officer, minor=orange, grade="ORANGE", reason="父母外出务工，祖母重病")
    return orange


# --- the file is the registry as filtered on screen ----------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        lambda tree: {},
        lambda tree: {"region": tree.village_a2.pk},
        lambda tree: {"region": tree.village_a1.pk},
        lambda tree: {"risk_grade": "ORANGE"},
        lambda tree: {"category": "ORPHAN"},
        lambda tree: {"q": "zs"},
        lambda tree: {"gender": "M"},
        lambda tree: {"region": tree.village_a2.pk, "risk_grade": "ORANGE"},
    ],
    ids=["none", "village-a2", "village-a1-with-grid", "grade", "category", "search", "gender", "village-and-grade"],
)
def test_export_rows_equal_the_registry_list_for_the_same_query(client, tree, town_officer, town_a_registry, params):
    query = params(tree)
    client.force_login(town_officer)
    listed = client.get(reverse("registry_list"), query).context["page"].paginator.object_list

    rows = _rows(_export(client, query))

    assert sorted((row["姓名"], row["身份证号码"]) for row in rows) == sorted((m.name, m.id_number) for m in listed)
    assert rows  # every case above selects someone, so the comparison is not between two empty lists


def test_export_filtered_to_a_village_contains_only_that_village(client, tree, town_officer, town_a_registry):
    client.force_login(town_officer)

    rows = _rows(_export(client, {"region": tree.village_a2.pk}))

    assert sorted(row["姓名"] for row in rows) == ["橙色儿童", "西岭儿童"]
    assert {row["村（社区）"] for row in rows} == {"西岭村"}


def test_headers_are_the_chinese_ledger_columns_and_frozen(client, town_officer, minor_a1):
    client.force_login(town_officer)

    sheet = _workbook(_export(client)).worksheets[0]

    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["I"].width >= 20  # an 18-digit ID number fits


def test_rows_are_grouped_by_village_and_numbered(client, tree, town_officer, town_a_registry):
    client.force_login(town_officer)

    rows = _rows(_export(client))

    assert [row["序号"] for row in rows] == list(range(1, len(rows) + 1))
    villages = [row["村（社区）"] for row in rows]
    assert villages == sorted(villages, key=["东岭村", "西岭村"].index)


def test_id_number_stays_text_and_dates_are_dates(client, town_officer, minor_a1):
    client.force_login(town_officer)

    sheet = _workbook(_export(client)).worksheets[0]
    id_cell, birth_cell, registered_cell = sheet["I2"], sheet["G2"], sheet["U2"]

    assert id_cell.data_type == "s"
    assert id_cell.value == minor_a1.id_number
    assert id_cell.number_format == "@"
    assert birth_cell.is_date
    assert birth_cell.value.date() == minor_a1.birth_date
    assert birth_cell.number_format == "yyyy-mm-dd"
    assert registered_cell.value.date() == timezone.localdate(minor_a1.created_at)


def test_a_child_without_id_number_shows_the_reason(client, tree, town_officer):
    register_minor(
        actor=town_officer, region=tree.village_a1, name="无证儿童", id_number="", no_id_reason="NOT_YET_ISSUED"
    )
    client.force_login(town_officer)

    (row,) = _rows(_export(client))

    assert row["身份证号码"] == "无身份证号：已落户，尚未办理身份证"


def test_row_shows_place_grade_guardians_helper_visits_and_case(client, tree, town_officer):
    minor = register_minor(
        actor=town_officer,
        region=tree.grid_a1,
        name="王小明",
        gender=Gender.MALE,
        birth_date=years_ago(9, days=3),
        categories=("LEFT_BEHIND", "ORPHAN"),
        guardians=[
            guardian_payload(relation="FATHER", name="王大", phone="13900139000", works_away=True),
            guardian_payload(name="李秀兰", phone=""),
        ],
    )
    grade_set(actor=town_officer, minor=minor, grade="ORANGE", reason="父亲外出务工，无人照料")
    helper_assign(actor=town_officer, minor=minor, name="赵帮扶", phone="13700137000", organisation="镇妇联")
    visited_at = timezone.now() - datetime.timedelta(days=2)
    visit_log(actor=town_officer, minor=minor, visited_at=visited_at)
    visit_plan_refresh(minor_ids=[minor.pk])
    client.force_login(town_officer)

    (row,) = _rows(_export(client))

    assert (row["乡镇（街道）"], row["村（社区）"], row["网格"]) == ("青山镇", "东岭村", "东岭村第一网格")
    assert (row["姓名"], row["性别"], row["年龄"]) == ("王小明", "男", 9)
    assert row["困境类别"] == "、".join(
        link.category.label for link in minor.category_links.order_by("category__sort_order")
    )
    assert "、" in row["困境类别"]
    assert row["风险等级"] == "橙色"
    assert row["定级时间"].date() == timezone.localdate()
    assert row["监护人"] == "父亲 王大 13900139000 [外出务工]；祖母 李秀兰"
    assert row["一对一帮扶人"] == "赵帮扶 13700137000（镇妇联）"
    assert row["最近走访日期"].date() == timezone.localdate(visited_at)
    assert row["下次应走访日期"].date() == minor.visit_plan.next_due_on
    assert row["个案阶段"] == "发现报告"
    assert row["状态"] == "在册"
    assert row["就学状况"] == "小学（青山镇中心小学）"


# --- reach and roles ----------------------------------------------------------------------------


def test_town_officer_export_never_contains_another_towns_child(client, tree, town_officer, town_a_registry):
    client.force_login(town_officer)

    for query in ({}, {"region": tree.village_b1.pk}, {"q": "ls"}, {"q": "李四"}):
        rows = _rows(_export(client, query))
        assert "李四" not in {row["姓名"] for row in rows}, query
        assert "白水镇" not in {row["乡镇（街道）"] for row in rows}, query


def test_outsider_exports_only_their_own_town(client, outsider, town_a_registry):
    client.force_login(outsider)

    assert [row["姓名"] for row in _rows(_export(client))] == ["李四"]


def test_export_is_limited_to_where_the_user_may_export_not_only_where_they_may_read(
    client, tree, town_officer, minor_a1, minor_b1
):
    # A town leader of A who is also child director in B1: reads B1, but may export only in town A.
    user = make_user(Role.TOWN_LEADER, tree.town_a, username="leader_and_director")
    post_assign(user=user, region=tree.village_b1, role=Role.CHILD_DIRECTOR)
    client.force_login(user)
    listed = {m.name for m in client.get(reverse("registry_list")).context["page"].paginator.object_list}

    rows = _rows(_export(client))

    assert listed == {"张三", "李四"}
    assert [row["姓名"] for row in rows] == ["张三"]


def test_county_officer_exports_the_whole_county(client, county_officer, town_a_registry):
    client.force_login(county_officer)

    assert {row["乡镇（街道）"] for row in _rows(_export(client))} == {"青山镇", "白水镇"}


@pytest.mark.parametrize("persona", ["child_director", "leadership_viewer", "partner_user"])
def test_a_post_that_may_not_export_gets_403_with_a_chinese_message(client, request, minor_a1, persona):
    client.force_login(request.getfixturevalue(persona))

    response = _export(client)

    assert response.status_code == 403
    assert "不能导出台账" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_anonymous_export_redirects_to_login(client, minor_a1):
    response = _export(client)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_export_answers_get_only(client, town_officer, minor_a1):
    client.force_login(town_officer)

    assert client.post(reverse("ledger_export")).status_code == 405


# --- access log ---------------------------------------------------------------------------------


def test_every_exported_child_gets_one_export_row_in_the_access_log(client, tree, town_officer, town_a_registry):
    client.force_login(town_officer)

    rows = _rows(_export(client, {"region": tree.village_a2.pk, "q": "橙色"}))

    logs = list(AccessLog.objects.filter(action=AccessLog.Action.EXPORT))
    assert [log.minor_id for log in logs] == [town_a_registry.pk]
    assert len(rows) == 1
    (log,) = logs
    assert (log.user, log.channel) == (town_officer, AccessLog.Channel.WEB)
    assert log.detail == {
        "export": "ledger",
        "filters": {"q": "橙色", "region": tree.village_a2.code},
        "rows": 1,
    }
    assert log.path.startswith(reverse("ledger_export"))


def test_access_log_rows_match_the_exported_children(client, town_officer, town_a_registry):
    client.force_login(town_officer)

    rows = _rows(_export(client))

    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=town_officer)
    assert logged.count() == len(rows) == 5
    assert sorted(log.minor.name for log in logged) == sorted(row["姓名"] for row in rows)
    assert {log.detail["rows"] for log in logged} == {5}


# --- response -----------------------------------------------------------------------------------


def test_file_name_names_the_filtered_place_and_the_day(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)
    today = timezone.localdate().strftime("%Y%m%d")

    response = _export(client, {"region": tree.village_a1.pk})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(f'台账_东岭村_{today}.xlsx')}"
    assert "no-store" in response["Cache-Control"]


def test_file_name_without_a_place_filter_says_all(client, town_officer, minor_a1):
    client.force_login(town_officer)
    today = timezone.localdate().strftime("%Y%m%d")

    response = _export(client)

    assert quote(f"台账_全部_{today}.xlsx") in response["Content-Disposition"]


def test_export_takes_a_fixed_number_of_queries_whatever_the_number_of_children(client, tree, town_officer):
    def queries_for_export() -> int:
        client.force_login(town_officer)
        with CaptureQueriesContext(connection) as captured:
            response = _export(client, {"risk_grade": "", "category": "LEFT_BEHIND"})
        assert response.status_code == 200
        return len(captured)

    def add_children(count: int) -> None:
        for number in range(count):
            minor = register_minor(
                actor=town_officer,
                region=tree.village_a1 if number % 2 else tree.grid_a1,
                guardians=[guardian_payload(), guardian_payload(name="王大", relation="FATHER")],
            )
            helper_assign(actor=town_officer, minor=minor, name=f"帮扶人{number}")
            visit_log(actor=town_officer, minor=minor)
        visit_plan_refresh()

    add_children(2)
    few = queries_for_export()
    add_children(6)
    many = queries_for_export()

    assert len(_rows(_export(client, {"category": "LEFT_BEHIND"}))) == 8
    assert many == few
    assert many <= 20


# --- the button on the registry list ------------------------------------------------------------


def test_registry_list_offers_the_export_with_the_current_filters(client, tree, town_officer, minor_a1):
    client.force_login(town_officer)

    content = client.get(reverse("registry_list"), {"risk_grade": "ORANGE", "q": "zs"}).content.decode()

    assert "导出 Excel" in content
    assert f'href="{reverse("ledger_export")}?risk_grade=ORANGE&amp;q=zs"' in content


def test_registry_list_hides_the_export_from_a_child_director(client, child_director, minor_a1):
    client.force_login(child_director)

    response = client.get(reverse("registry_list"))

    assert response.status_code == 200
    assert "导出 Excel" not in response.content.decode()


# --- tables → workbook --------------------------------------------------------------------------


def _tables_book(tables: list[dict], title: str = "青山镇 2026年第三季度") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(tables_workbook(title=title, tables=tables)))


def test_tables_workbook_has_one_sheet_per_table_with_the_values():
    book = _tables_book(
        [
            {"title": "按风险等级", "columns": ["等级", "人数"], "rows": [["红色", 2], ["橙色", 5]]},
            {
                "title": "走访及时率",
                "columns": ["村（社区）", "应走访", "按时", "及时率"],
                "rows": [["东岭村", 8, 6, 0.75], ["西岭村", 0, 0, None]],
                "percent_columns": [3],
            },
        ]
    )

    assert book.sheetnames == ["按风险等级", "走访及时率"]
    assert list(book["按风险等级"].values) == [("等级", "人数"), ("红色", 2), ("橙色", 5)]
    visits = book["走访及时率"]
    assert list(visits.values) == [
        ("村（社区）", "应走访", "按时", "及时率"),
        ("东岭村", 8, 6, 0.75),
        ("西岭村", 0, 0, None),
    ]
    assert visits["D2"].number_format == "0.0%"
    assert visits["C2"].number_format == "General"
    assert visits["A1"].font.b
    assert visits.freeze_panes == "A2"
    assert visits.column_dimensions["A"].width >= 10
    assert book.properties.title == "青山镇 2026年第三季度"


def test_tables_workbook_sheet_names_follow_excels_rules():
    long = "各村（社区）困境儿童按类别分布及四类特殊群体人数统计表（含网格）"
    book = _tables_book(
        [
            {"title": "按类别/村[2026]:?*", "columns": ["a"], "rows": []},
            {"title": long, "columns": ["a"], "rows": []},
            {"title": long, "columns": ["a"], "rows": []},
            {"title": "", "columns": ["a"], "rows": []},
        ]
    )

    names = book.sheetnames
    assert names[0] == "按类别_村_2026____"
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == 4
    assert names[1] == long[:31]
    assert names[2].endswith(" (2)")
    assert names[3]


def test_tables_workbook_writes_formula_like_text_as_text():
    book = _tables_book([{"title": "t", "columns": ["=名称"], "rows": [['=HYPERLINK("http://x")', "a\x07b"]]}])

    sheet = book["t"]
    assert sheet["A1"].value == "=名称"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["B2"].value == "ab"


def test_tables_workbook_with_dates_writes_date_cells():
    day = datetime.date(2026, 9, 30)
    moment = timezone.make_aware(datetime.datetime(2026, 9, 30, 16, 30))

    sheet = _tables_book([{"title": "t", "columns": ["日期", "时间"], "rows": [[day, moment]]}])["t"]

    assert sheet["A2"].is_date and sheet["A2"].value == datetime.datetime(2026, 9, 30)
    assert sheet["B2"].value == timezone.localtime(moment).replace(tzinfo=None)


def test_xlsx_response_sends_the_file_with_an_rfc5987_name():
    content = tables_workbook(title="t", tables=[{"title": "t", "columns": ["a"], "rows": [[1]]}])

    response = xlsx_response(content, "走访及时率_青山镇.xlsx")

    assert response.content == content
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('走访及时率_青山镇.xlsx')}"
    assert response["Content-Length"] == str(len(content))

"""The figures as tables and charts, in the reader's language: one source for the dashboard page, its
Excel download and the PDF analysis report, so all three always show the same numbers.

A table is `{"key", "title", "columns", "rows", "percent_columns"}` (percent columns hold fractions
0..1 or None); a chart is a spec of reporting.charts. Labels are looked up here, at display time: the
frozen figures hold only codes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases.casework.models import CaseStage, InterventionLevel, PlacementType
from cases.models import BenefitProgramme, Category, ClosedReason, RiskGrade, Track
from referrals.models import ReferralStatus, ReportChannel
from reporting import charts
from reporting.figures import GRADES, UNGRADED
from tiers.models import OrganisationKind
from tiers.roles import Level


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def grade_label(code: str) -> str:
    return _("未定级") if code in ("", UNGRADED) else _label(RiskGrade, code)


def percent_text(value: float | None, digits: int = 1) -> str:
    """0.8285 → "82.9%"; "—" when there was nothing to divide by. Pages, Excel labels and the PDF share it."""
    return "—" if value is None or value == "" else f"{float(value) * 100:.{int(digits)}f}%"


def _by_count(item: tuple[str, int | str]) -> tuple[int, str]:
    """Largest count first; a suppressed small cell ("<5", reporting.small_cells) after the counted ones."""
    code, n = item
    return (-n if isinstance(n, int) else 0, code)


def _table(key: str, title: str, columns: list[str], rows: list[list], percent_columns=()) -> dict:
    return {"key": key, "title": title, "columns": columns, "rows": rows, "percent_columns": list(percent_columns)}


def child_level_label(figures: dict) -> str:
    level = figures["region"]["level"]
    return {Level.COUNTY: _("乡镇（街道）"), Level.TOWN: _("村（社区）"), Level.VILLAGE: _("网格")}.get(
        level, _("下级")
    )


def figure_tables(figures: dict) -> list[dict]:
    """Every table of the dashboard and report, in display order."""
    registry, changes, visits = figures["registry"], figures["changes"], figures["visits"]
    cases, referrals, intake = figures["cases"], figures["referrals"], figures["intake"]
    categories = {c.code: c.label for c in Category.objects.all()}
    programmes = {p.code: p.name for p in BenefitProgramme.objects.all()}
    tables = []

    tables.append(
        _table(
            "children",
            _("按%(level)s分布") % {"level": child_level_label(figures)},
            [
                child_level_label(figures),
                _("在册困境未成年人"),
                _("未成年人底数"),
                _("占比"),
                _("红色"),
                _("橙色"),
                _("黄色"),
                _("蓝色"),
                _("本季度应走访"),
                _("按时走访"),
                _("走访及时率"),
                _("当前逾期未访"),
            ],
            [
                [
                    child["name"],
                    child["active"],
                    child["baseline"],
                    child["at_risk_rate"],
                    *[child["grades"].get(grade, 0) for grade in GRADES],
                    child["visits_due"],
                    child["visits_on_time"],
                    child["visit_rate"],
                    child["overdue_now"] if figures["live"] else "—",
                ]
                for child in figures["children"]
            ],
            percent_columns=(3, 10),
        )
    )
    tables.append(
        _table(
            "grades",
            _("按风险等级"),
            [_("风险等级"), _("人数")],
            [[grade_label(grade), registry["grades"].get(grade, 0)] for grade in [*GRADES, UNGRADED]],
        )
    )
    category_rows = sorted(registry["categories"].items(), key=_by_count)
    tables.append(
        _table(
            "categories",
            _("按困境类别（一人可有多个类别）"),
            [_("类别"), _("人数")],
            [[categories.get(code, code), n] for code, n in category_rows]
            + [
                [_("其中：四类特殊群体"), registry["four_special_groups"]],
                [_("其中：重点关注群体"), registry["key_attention"]],
            ],
        )
    )
    tables.append(
        _table(
            "changes",
            _("本季度变化"),
            [pgettext("a counted item in a table", "项目"), _("人数")],
            [
                [_("新增登记"), changes["registered"]],
                [_("销档"), changes["closed"]],
                *[
                    [_("销档：%(reason)s") % {"reason": _label(ClosedReason, r)}, n]
                    for r, n in changes["closed_by_reason"].items()
                ],
                [_("首次定级"), changes["first_graded"]],
                [_("等级上调"), changes["upgrades"]],
                [_("等级下调"), changes["downgrades"]],
            ],
        )
    )
    order = [UNGRADED, *reversed(GRADES)]
    tables.append(
        _table(
            "matrix",
            _("等级变化矩阵（行：原等级，列：新等级）"),
            [_("原等级 \\ 新等级"), *[grade_label(g) for g in reversed(GRADES)]],
            [
                [grade_label(old), *[changes["matrix"].get(old, {}).get(new, 0) for new in reversed(GRADES)]]
                for old in order
                if old in changes["matrix"]
            ],
        )
    )
    tables.append(
        _table(
            "visits",
            _("走访落实（按风险等级）"),
            [_("风险等级"), _("应走访"), _("按时走访"), _("及时率")],
            [
                [grade_label(grade), row["due"], row["on_time"], row["rate"]]
                for grade, row in sorted(visits["grades"].items(), key=lambda item: order.index(item[0]) * -1)
            ]
            + [[_("合计"), visits["due"], visits["on_time"], visits["rate"]]],
            percent_columns=(3,),
        )
    )
    tables.append(
        _table(
            "stages",
            _("在办个案（按阶段）"),
            [_("阶段"), _("个案数")],
            [
                [_label(CaseStage, stage), cases["stages"].get(stage, 0)]
                for stage in CaseStage.values
                if stage != "CLOSED"
            ]
            + [[_("本季度立案"), cases["opened"]], [_("本季度结案"), cases["closed"]]],
        )
    )
    tables.append(
        _table(
            "tracks",
            _("帮扶措施（按工作组）"),
            [_("工作组"), _("进行中"), _("其中逾期"), _("本季度完成")],
            [
                [_label(Track, track), row["open"], row["overdue"], row["done"]]
                for track, row in cases["tracks"].items()
            ],
        )
    )
    tables.append(
        _table(
            "interventions",
            _("监护干预（本季度，按层级）"),
            [_("干预层级"), _("次数")],
            [[_label(InterventionLevel, int(level)), n] for level, n in sorted(cases["interventions"].items())],
        )
    )
    tables.append(
        _table(
            "placements",
            _("在安置（按方式）"),
            [_("安置方式"), _("人数")],
            [[_label(PlacementType, kind), n] for kind, n in cases["placements"].items()],
        )
    )
    tables.append(
        _table(
            "enrolments",
            _("享受救助帮扶项目（按项目）"),
            [_("项目"), _("人数")],
            [[programmes.get(code, code), n] for code, n in cases["enrolments"].items()],
        )
    )
    statuses = [s for s in ReferralStatus.values if s != ReferralStatus.DRAFT]
    tables.append(
        _table(
            "referrals",
            _("本季度转介（按接收单位类型和状态）"),
            [_("接收单位类型"), *[_label(ReferralStatus, s) for s in statuses], _("合计")],
            [
                [_label(OrganisationKind, kind), *[row.get(s, 0) for s in statuses], sum(row.values())]
                for kind, row in referrals["kinds"].items()
            ],
        )
    )
    tables.append(
        _table(
            "organisations",
            _("各单位办理时效"),
            [
                _("接收单位"),
                _("本季度转介"),
                _("接收数"),
                _("接收用时中位数（小时）"),
                _("反馈数"),
                _("反馈用时中位数（天）"),
            ],
            [
                [
                    org["name"],
                    org["sent"],
                    org["accepted"],
                    "—" if org["median_accept_hours"] is None else org["median_accept_hours"],
                    org["feedback"],
                    "—" if org["median_feedback_days"] is None else org["median_feedback_days"],
                ]
                for org in referrals["organisations"]
            ],
        )
    )
    tables.append(
        _table(
            "intake",
            _("报告受理（按来源渠道）"),
            [_("来源渠道"), _("件数")],
            [[_label(ReportChannel, channel), n] for channel, n in intake["channels"].items()]
            + [
                [_("合计"), intake["received"]],
                [
                    _("分流用时中位数（小时）"),
                    "—" if intake["median_triage_hours"] is None else intake["median_triage_hours"],
                ],
            ],
        )
    )
    resources = figures["resources"]
    tables.append(
        _table(
            "resources",
            _("保护资源需求预估（按工作组）"),
            [_("工作组"), _("可能需要帮扶的儿童"), _("在办措施"), _("逾期措施")],
            [
                [_label(Track, track), row["children"], row["open"], row["overdue"]]
                for track, row in resources["tracks"].items()
            ]
            + [[_("每月应走访人次"), resources["visits_per_month"], "", ""]],
        )
    )
    return tables


def trend_table(trend: list[dict]) -> dict:
    return _table(
        "trend",
        _("近八个季度主要指标"),
        [_("季度"), _("在册"), _("红色"), _("橙色"), _("新增登记"), _("走访及时率"), _("在办个案"), _("转介")],
        [
            [
                point["label"],
                point["summary"]["active"],
                point["summary"]["grades"].get("RED", 0),
                point["summary"]["grades"].get("ORANGE", 0),
                point["summary"]["registered"],
                point["summary"]["visit_rate"],
                point["summary"]["cases_open"],
                point["summary"]["referrals_sent"],
            ]
            for point in trend
        ],
        percent_columns=(5,),
    )


def table_for_display(table: dict) -> dict:
    """The same table with percentages formatted for a page or a PDF."""
    percent = set(table["percent_columns"])
    return {
        **table,
        "rows": [[percent_text(v) if i in percent else v for i, v in enumerate(row)] for row in table["rows"]],
    }


GRADE_COLOURS = {**charts.GRADE_COLOURS, UNGRADED: "#adb5bd"}


def figure_charts(figures: dict, trend: list[dict] | None = None) -> dict[str, dict]:
    """Chart specs (reporting.charts) by key. Each chart's numbers are also in a table of figure_tables."""
    from reporting.charts import chart_spec

    registry, cases, visits = figures["registry"], figures["cases"], figures["visits"]
    categories = {c.code: c.label for c in Category.objects.all()}
    charts: dict[str, dict] = {}
    grades = [*GRADES, UNGRADED]
    charts["grades"] = chart_spec(
        kind="pie",
        title=_("风险等级分布"),
        labels=[grade_label(g) for g in grades],
        series=[{"name": _("人数"), "values": [registry["grades"].get(g, 0) for g in grades]}],
        label_colors=[GRADE_COLOURS[g] for g in grades],
    )
    children = figures["children"]
    charts["children"] = chart_spec(
        kind="stacked_bar",
        title=_("各%(level)s困境未成年人（按等级）") % {"level": child_level_label(figures)},
        labels=[child["name"] for child in children],
        series=[
            {
                "name": grade_label(g),
                "values": [child["grades"].get(g, 0) for child in children],
                "color": GRADE_COLOURS[g],
            }
            for g in grades
        ],
    )
    # A small cell shown as "<5" (reporting.small_cells) is in the table only, not drawn.
    top = [item for item in sorted(registry["categories"].items(), key=_by_count) if isinstance(item[1], int)][:12]
    charts["categories"] = chart_spec(
        kind="hbar",
        title=_("主要困境类别"),
        labels=[categories.get(code, code) for code, _n in top],
        series=[{"name": _("人数"), "values": [n for _code, n in top]}],
    )
    visit_grades = [g for g in grades if g in visits["grades"]]
    charts["visits"] = chart_spec(
        kind="bar",
        title=_("走访及时率（按等级）"),
        labels=[grade_label(g) for g in visit_grades],
        series=[
            {
                "name": _("及时率（%）"),
                "values": [round((visits["grades"][g]["rate"] or 0) * 100, 1) for g in visit_grades],
            }
        ],
        unit="%",
        label_colors=[GRADE_COLOURS[g] for g in visit_grades],
    )
    charts["tracks"] = chart_spec(
        kind="stacked_bar",
        title=_("帮扶措施（按工作组）"),
        labels=[_label(Track, t) for t in cases["tracks"]],
        series=[
            {"name": _("进行中（未逾期）"), "values": [r["open"] - r["overdue"] for r in cases["tracks"].values()]},
            {
                "name": _("逾期"),
                "values": [r["overdue"] for r in cases["tracks"].values()],
                "color": GRADE_COLOURS["RED"],
            },
            {"name": _("本季度完成"), "values": [r["done"] for r in cases["tracks"].values()], "color": "#198754"},
        ],
    )
    if trend:
        charts["trend"] = chart_spec(
            kind="line",
            title=_("近八个季度趋势"),
            labels=[point["label"] for point in trend],
            series=[
                {"name": _("在册"), "values": [p["summary"]["active"] for p in trend]},
                {
                    "name": _("红色+橙色"),
                    "values": [
                        p["summary"]["grades"].get("RED", 0) + p["summary"]["grades"].get("ORANGE", 0) for p in trend
                    ],
                    "color": GRADE_COLOURS["ORANGE"],
                },
                {"name": _("在办个案"), "values": [p["summary"]["cases_open"] for p in trend]},
            ],
        )
    return charts

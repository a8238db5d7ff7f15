"""The chart contract (reporting.charts): validation, the ECharts option for the dashboard, the SVG for
the PDF report, the template tags, and ECharts being served from static/ (no CDN on the intranet)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy

from reporting.charts import (
    GRADE_COLOURS,
    ChartSpecError,
    chart_spec,
    chart_svg,
    echarts_option,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, under test


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def rects_filled(root: ET.Element, colour: str) -> list[ET.Element]:
    """Bars and segments drawn in that colour, not the legend's keys: a bar's own fill (on its group), or
    else its series' colour, given by the class ``color-N`` in the chart's stylesheet."""
    stylesheet = "".join(style.text or "" for style in root.iter(f"{SVG}style"))
    series_fill = dict(re.findall(r"\.color-(\d+) a:visited\{stroke:[^;]*;fill:(#[0-9a-f]{6})\}", stylesheet))
    found = []
    for series in root.iter(f"{SVG}g"):
        classes = (series.get("class") or "").split()
        number = next((name.removeprefix("color-") for name in classes if name.startswith("color-")), None)
        if "series" not in classes or number is None:
            continue
        for bar in series.iter(f"{SVG}g"):
            if "bar" not in (bar.get("class") or "").split():
                continue
            if (bar.get("fill") or series_fill.get(number)) == colour:
                found.append(bar.find(f"{SVG}rect"))
    return found


def village_bars(values, **extra):
    return chart_spec(
        kind="bar",
        title="各村困境儿童数",
        labels=["东风村", "红旗村", "向阳村"][: len(values)],
        series=[{"name": "人数", "values": values, "color": "#123456"}],
        **extra,
    )


# --- chart_spec ------------------------------------------------------------------------------------


def test_chart_spec_rejects_a_series_with_fewer_values_than_labels():
    with pytest.raises(ChartSpecError, match="2 values for 3 labels"):
        chart_spec(kind="bar", title="t", labels=["a", "b", "c"], series=[{"name": "s", "values": [1, 2]}])


def test_chart_spec_rejects_an_unknown_kind():
    with pytest.raises(ChartSpecError, match="Unknown chart kind"):
        chart_spec(kind="donut", title="t", labels=["a"], series=[{"name": "s", "values": [1]}])


def test_chart_spec_rejects_a_colour_that_is_not_hex():
    with pytest.raises(ChartSpecError, match="#rrggbb"):
        chart_spec(kind="bar", title="t", labels=["a"], series=[{"name": "s", "values": [1], "color": "red"}])


def test_chart_spec_rejects_a_pie_with_two_series():
    with pytest.raises(ChartSpecError, match="exactly one series"):
        chart_spec(
            kind="pie", title="t", labels=["a"], series=[{"name": "s", "values": [1]}, {"name": "u", "values": [2]}]
        )


def test_chart_spec_rejects_negative_values_in_a_stacked_bar():
    with pytest.raises(ChartSpecError, match="negative"):
        chart_spec(kind="stacked_bar", title="t", labels=["a"], series=[{"name": "s", "values": [-1]}])


def test_chart_spec_rejects_text_where_a_number_belongs():
    with pytest.raises(ChartSpecError, match="not a number"):
        chart_spec(kind="bar", title="t", labels=["a"], series=[{"name": "s", "values": ["3"]}])


def test_chart_spec_turns_lazy_labels_and_decimals_into_plain_json():
    spec = chart_spec(
        kind="bar",
        title=gettext_lazy("风险等级"),
        labels=[gettext_lazy("红色")],
        series=[{"name": gettext_lazy("人数"), "values": [Decimal("2.5")]}],
    )

    assert json.loads(json.dumps(spec)) == {
        "kind": "bar",
        "title": "风险等级",
        "labels": ["红色"],
        "series": [{"name": "人数", "values": [2.5]}],
        "unit": "",
    }


# --- SVG -------------------------------------------------------------------------------------------


def test_svg_is_a_standalone_svg_document():
    root = parse(chart_svg(village_bars([1, 2, 3]), width=500, height=250))

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 500 250"
    assert root.get("font-family") == "Noto Sans CJK SC, Noto Sans SC, sans-serif"


@pytest.mark.parametrize("kind", ["bar", "hbar", "stacked_bar", "line", "pie"])
def test_svg_needs_nothing_from_outside(kind):
    """The PDF is made on a server without internet: no script, no linked stylesheet, font or image."""
    spec = chart_spec(kind=kind, title="t", labels=["东风村", "红旗村"], series=[{"name": "s", "values": [1, 2]}])

    svg = chart_svg(spec)

    root = parse(svg)
    assert not svg.startswith("<?xml")  # inline in the report's HTML
    assert list(root.iter(f"{SVG}script")) == []
    assert [e for e in root.iter() if any(name.endswith("href") for name in e.attrib)] == []
    stylesheet = "".join(style.text or "" for style in root.iter(f"{SVG}style"))
    assert "@import" not in stylesheet
    assert "url(" not in stylesheet


def test_bar_heights_are_proportional_to_the_values():
    root = parse(chart_svg(village_bars([10, 20, 40])))

    heights = [float(rect.get("height")) for rect in rects_filled(root, "#123456")]
    assert len(heights) == 3
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)
    assert heights[2] == pytest.approx(4 * heights[0], rel=0.01)


def test_bars_stand_on_the_same_baseline():
    root = parse(chart_svg(village_bars([10, 20, 40])))

    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in rects_filled(root, "#123456")}
    assert len(bottoms) == 1


def test_title_labels_and_values_are_drawn_as_text():
    words = texts(parse(chart_svg(village_bars([10, 20, 40]))))

    assert "各村困境儿童数" in words
    assert {"东风村", "红旗村", "向阳村"} <= set(words)
    assert {"10", "20", "40"} <= set(words)


def test_the_value_axis_ends_on_a_round_number_above_the_largest_value():
    words = texts(parse(chart_svg(village_bars([10, 20, 87]))))

    assert "100" in words
    assert "87" in words  # the bar's own label


def test_axis_ticks_for_small_counts_are_whole_numbers():
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0, 0.3) == [0, 0.1, 0.2, 0.3]
    assert nice_ticks(0, 870)[-1] == 1000


def test_xml_special_characters_are_escaped():
    spec = chart_spec(
        kind="bar",
        title='A<B & "C"',
        labels=["<script>x</script>"],
        series=[{"name": "人数", "values": [1]}],
    )

    svg = chart_svg(spec)

    words = texts(parse(svg))
    assert 'A<B & "C"' in words
    assert "<script>x</script>" in words
    assert "<script>" not in svg


def test_a_chart_with_only_zeros_and_gaps_says_there_is_no_data():
    root = parse(chart_svg(village_bars([0, None, 0])))

    assert "暂无数据" in texts(root)
    assert rects_filled(root, "#123456") == []


def test_a_chart_with_data_does_not_say_there_is_none():
    assert "暂无数据" not in texts(parse(chart_svg(village_bars([0, 1, 0]))))


def test_a_legend_names_the_series_only_when_there_are_several():
    one = chart_spec(kind="bar", title="t", labels=["a"], series=[{"name": "本季度", "values": [1]}])
    two = chart_spec(
        kind="bar",
        title="t",
        labels=["a"],
        series=[{"name": "本季度", "values": [1]}, {"name": "上季度", "values": [2]}],
    )

    assert "本季度" not in texts(parse(chart_svg(one)))
    assert {"本季度", "上季度"} <= set(texts(parse(chart_svg(two))))


def test_a_bar_chart_by_grade_uses_the_grade_colours():
    grades = ["RED", "ORANGE", "YELLOW", "BLUE"]
    spec = chart_spec(
        kind="bar",
        title="风险等级",
        labels=["红色", "橙色", "黄色", "蓝色"],
        series=[{"name": "人数", "values": [1, 2, 3, 4]}],
        label_colors=[GRADE_COLOURS[grade] for grade in grades],
    )

    root = parse(chart_svg(spec))

    assert GRADE_COLOURS == {"RED": "#dc3545", "ORANGE": "#fd7e14", "YELLOW": "#ffc107", "BLUE": "#0d6efd"}
    for grade in grades:
        assert len(rects_filled(root, GRADE_COLOURS[grade])) == 1


def test_stacked_bars_pile_up_to_the_total():
    spec = chart_spec(
        kind="stacked_bar",
        title="t",
        labels=["东风村"],
        series=[
            {"name": "红色", "values": [10], "color": GRADE_COLOURS["RED"]},
            {"name": "蓝色", "values": [30], "color": GRADE_COLOURS["BLUE"]},
        ],
    )

    root = parse(chart_svg(spec))

    (red,) = rects_filled(root, GRADE_COLOURS["RED"])
    (blue,) = rects_filled(root, GRADE_COLOURS["BLUE"])
    assert float(blue.get("height")) == pytest.approx(3 * float(red.get("height")), rel=0.01)
    assert float(blue.get("y")) + float(blue.get("height")) == pytest.approx(float(red.get("y")))
    assert "40" in texts(root)


def test_a_missing_value_breaks_the_line():
    spec = chart_spec(
        kind="line",
        title="t",
        labels=["Q1", "Q2", "Q3", "Q4", "Q5"],
        series=[{"name": "s", "values": [1, 2, None, 4, 5]}],
    )

    root = parse(chart_svg(spec))

    lines = [path for path in root.iter(f"{SVG}path") if {"line", "reactive"} <= set(path.get("class", "").split())]
    assert [len(re.findall(r"[ML]", line.get("d"))) for line in lines] == [2, 2]
    assert len(list(root.iter(f"{SVG}circle"))) == 4


def test_pie_slices_show_their_percentages():
    spec = chart_spec(kind="pie", title="t", labels=["留守儿童", "孤儿"], series=[{"name": "s", "values": [1, 3]}])

    root = parse(chart_svg(spec))

    assert len(list(root.iter(f"{SVG}path"))) == 2
    assert {"25%", "75%"} <= set(texts(root))


def test_long_labels_are_cut_short_with_an_ellipsis():
    long_name = "一个名字特别特别特别特别特别特别长的村民委员会"
    spec = chart_spec(kind="hbar", title="t", labels=[long_name, "东风村"], series=[{"name": "s", "values": [1, 2]}])

    words = texts(parse(chart_svg(spec, width=400)))

    assert long_name not in words
    assert any(word.endswith("…") and long_name.startswith(word[:-1]) for word in words)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_weasyprint_keeps_the_chart_text_as_text(tmp_path: Path):
    from weasyprint import HTML

    spec = chart_spec(
        kind="bar", title="风险等级分布", labels=["红色", "蓝色"], series=[{"name": "s", "values": [7, 9]}]
    )
    pdf = tmp_path / "chart.pdf"
    HTML(string=f"<html><body>{chart_svg(spec)}</body></html>").write_pdf(pdf)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "风险等级分布" in text
    assert "红色" in text


# --- ECharts option --------------------------------------------------------------------------------


def test_bar_option_puts_labels_on_the_category_axis_and_values_in_the_series():
    option = echarts_option(village_bars([1, 2, 3]))

    assert option["xAxis"]["type"] == "category"
    assert option["xAxis"]["data"] == ["东风村", "红旗村", "向阳村"]
    assert option["yAxis"]["type"] == "value"
    (series,) = option["series"]
    assert (series["type"], series["name"], series["data"]) == ("bar", "人数", [1, 2, 3])
    assert series["itemStyle"]["color"] == "#123456"
    assert "legend" not in option


def test_hbar_option_puts_labels_down_the_side_in_table_order():
    spec = chart_spec(kind="hbar", title="t", labels=["a", "b"], series=[{"name": "s", "values": [1, 2]}])

    option = echarts_option(spec)

    assert option["yAxis"]["type"] == "category"
    assert option["yAxis"]["data"] == ["a", "b"]
    assert option["yAxis"]["inverse"] is True
    assert option["xAxis"]["type"] == "value"
    assert option["series"][0]["data"] == [1, 2]


def test_stacked_option_stacks_every_series_together():
    spec = chart_spec(
        kind="stacked_bar",
        title="t",
        labels=["a", "b"],
        series=[{"name": "红色", "values": [1, 0]}, {"name": "蓝色", "values": [3, 4]}],
    )

    option = echarts_option(spec)

    assert [series["stack"] for series in option["series"]] == ["total", "total"]
    assert [series["name"] for series in option["series"]] == ["红色", "蓝色"]
    assert option["series"][1]["data"] == [3, 4]
    assert option["series"][0]["data"][0] == 1
    assert option["series"][0]["data"][1]["value"] == 0
    assert "legend" in option


def test_line_option_leaves_gaps_for_missing_values():
    spec = chart_spec(kind="line", title="t", labels=["Q1", "Q2", "Q3"], series=[{"name": "s", "values": [1, None, 3]}])

    (series,) = echarts_option(spec)["series"]

    assert series["type"] == "line"
    assert series["data"] == [1, None, 3]
    assert series["connectNulls"] is False


def test_pie_option_pairs_each_label_with_its_value_and_colour():
    spec = chart_spec(
        kind="pie",
        title="t",
        labels=["红色", "蓝色"],
        series=[{"name": "人数", "values": [2, 5]}],
        label_colors=[GRADE_COLOURS["RED"], GRADE_COLOURS["BLUE"]],
    )

    (series,) = echarts_option(spec)["series"]

    assert series["type"] == "pie"
    assert [(item["name"], item["value"], item["itemStyle"]["color"]) for item in series["data"]] == [
        ("红色", 2, "#dc3545"),
        ("蓝色", 5, "#0d6efd"),
    ]


def test_an_empty_option_says_there_is_no_data():
    option = echarts_option(village_bars([0, 0]))

    assert option["graphic"][0]["style"]["text"] == "暂无数据"


def test_option_has_the_unit_on_the_value_axis_and_is_json():
    option = echarts_option(village_bars([1, 2], unit="人"))

    assert option["yAxis"]["name"] == "单位：人"
    assert json.loads(json.dumps(option)) == option


def test_option_refuses_a_hand_built_spec_that_does_not_hold():
    spec = village_bars([1, 2])
    spec["series"][0]["values"].append(3)

    with pytest.raises(ChartSpecError):
        echarts_option(spec)


# --- template tags ---------------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load reporting_charts %}" + source).render(Context(context))


def test_echart_tag_writes_a_container_pointing_at_its_option():
    spec = village_bars([1, 2, 3])

    html = render("{% echart spec height=320 %}", spec=spec)

    container = re.search(
        r'<div class="chart" id="([^"]+)" data-chart="([^"]+)" style="([^"]+)" aria-hidden="true">', html
    )
    assert container is not None
    chart_id, option_id, style = container.groups()
    assert option_id == f"{chart_id}-option"
    assert "height: 320px" in style
    script = re.search(rf'<script id="{re.escape(option_id)}" type="application/json">(.*?)</script>', html, re.S)
    assert script is not None
    assert json.loads(script.group(1)) == echarts_option(spec)


def test_echart_tag_gives_each_chart_its_own_id():
    html = render("{% echart spec %}{% echart spec %}", spec=village_bars([1]))

    ids = re.findall(r'data-chart="([^"]+)"', html)
    assert len(ids) == 2
    assert ids[0] != ids[1]


def test_echart_tag_escapes_text_that_would_close_the_script():
    spec = chart_spec(kind="bar", title="</script><b>x</b>", labels=["a"], series=[{"name": "s", "values": [1]}])

    html = render("{% echart spec %}", spec=spec)

    assert "</script><b>" not in html


def test_echart_tag_refuses_a_height_that_is_not_a_length():
    with pytest.raises(TemplateSyntaxError):
        render('{% echart spec height="1px;background:url(x)" %}', spec=village_bars([1]))


def test_chart_svg_tag_outputs_the_svg_unescaped():
    html = render("{% chart_svg spec width=500 height=200 %}", spec=village_bars([1, 2]))

    assert html.startswith("<svg ")
    assert parse(html).get("viewBox") == "0 0 500 200"


# --- static files ----------------------------------------------------------------------------------


def test_echarts_and_the_chart_script_are_served_from_static():
    echarts = finders.find("vendor/echarts/echarts.min.js")
    assert echarts is not None
    assert Path(echarts).stat().st_size > 500_000
    assert finders.find("vendor/echarts/LICENSE") is not None
    assert finders.find("js/charts.js") is not None

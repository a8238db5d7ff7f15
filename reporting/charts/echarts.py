"""The ECharts option of a spec, for the dashboard (static/js/charts.js passes it to setOption unchanged)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from reporting.charts.spec import (
    _MUTED,
    FONT_FAMILY,
    PALETTE,
    ChartSpec,
    _all_integers,
    _is_empty,
    _label_colour,
    _series_colour,
    _text_width,
    _unit_caption,
    _uses_label_colours,
    _validated,
)


def echarts_option(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The ECharts option for a spec; ``static/js/charts.js`` passes it to ``setOption`` unchanged.

    Built here so the browser needs no chart logic of its own and the dashboard and PDF agree on
    colours, order and the empty state. Only JSON values are used (no JavaScript formatter functions).
    """
    spec = _validated(spec)
    kind = spec["kind"]
    option: dict[str, Any] = {
        "color": list(PALETTE),
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "item" if kind == "pie" else "axis"},
    }
    top = 16
    if spec["title"]:
        option["title"] = {"text": spec["title"], "left": "center", "textStyle": {"fontSize": 14}}
        top = 44
    if _is_empty(spec):
        option["graphic"] = [
            {
                "type": "text",
                "left": "center",
                "top": "middle",
                "style": {"text": _("暂无数据"), "fontSize": 14, "fill": _MUTED},
            }
        ]
    if kind == "pie":
        option.update(_echarts_pie(spec, top=top))
        return option

    legend = len(spec["series"]) > 1
    if legend:
        option["legend"] = {"type": "scroll", "bottom": 0}
    option["grid"] = {
        "left": 8,
        "right": 24,
        "top": top + (16 if spec["unit"] else 0),
        "bottom": 32 if legend else 8,
        "containLabel": True,
    }
    category_axis: dict[str, Any] = {"type": "category", "data": spec["labels"], "axisTick": {"alignWithLabel": True}}
    value_axis: dict[str, Any] = {"type": "value", "minInterval": 1 if _all_integers(spec) else 0}
    if spec["unit"]:
        value_axis["name"] = _unit_caption(spec["unit"])
    if kind == "hbar":
        # Categories read top to bottom in the order given, like the table beside the chart.
        category_axis["inverse"] = True
        category_axis["axisLabel"] = {"width": 110, "overflow": "truncate", "ellipsis": "…"}
        option["xAxis"], option["yAxis"] = value_axis, category_axis
    else:
        category_axis["axisLabel"] = {"interval": 0, "hideOverlap": True}
        if _labels_too_wide(spec["labels"]):
            category_axis["axisLabel"].update({"rotate": 35, "width": 100, "overflow": "truncate", "ellipsis": "…"})
        if kind == "line":
            category_axis["boundaryGap"] = True
        option["xAxis"], option["yAxis"] = category_axis, value_axis

    series_options = []
    for index, series in enumerate(spec["series"]):
        colour = _series_colour(series, index)
        item: dict[str, Any] = {
            "name": series["name"],
            "itemStyle": {"color": colour},
            "labelLayout": {"hideOverlap": True},
        }
        if kind == "line":
            item.update(
                {
                    "type": "line",
                    "data": series["values"],
                    "connectNulls": False,
                    "showAllSymbol": True,
                    "lineStyle": {"color": colour},
                    "label": {"show": len(spec["series"]) == 1, "position": "top"},
                }
            )
        else:
            data: list[Any] = series["values"]
            if kind == "stacked_bar":
                # A zero segment has no height; its "0" would sit on the neighbouring segment.
                data = [{"value": 0, "label": {"show": False}} if value == 0 else value for value in data]
            elif _uses_label_colours(spec):
                data = [
                    {"value": value, "itemStyle": {"color": _label_colour(spec, i, colour)}}
                    for i, value in enumerate(series["values"])
                ]
            item.update({"type": "bar", "data": data, "barMaxWidth": 48})
            if kind == "stacked_bar":
                item["stack"] = "total"
                item["label"] = {"show": True, "position": "inside"}
            else:
                item["label"] = {"show": True, "position": "right" if kind == "hbar" else "top"}
        series_options.append(item)
    option["series"] = series_options
    return option


def _echarts_pie(spec: ChartSpec, *, top: int) -> dict[str, Any]:
    series = spec["series"][0] if spec["series"] else {"name": spec["title"], "values": []}
    data = []
    for index, (label, value) in enumerate(zip(spec["labels"], series["values"], strict=True)):
        item: dict[str, Any] = {
            "name": label,
            "value": value or 0,
            "itemStyle": {"color": _label_colour(spec, index, PALETTE[index % len(PALETTE)])},
        }
        if not value:
            # A zero slice has no area; its label would sit on top of its neighbour's.
            item["label"] = {"show": False}
            item["labelLine"] = {"show": False}
        data.append(item)
    return {
        "legend": {"type": "scroll", "bottom": 0},
        "series": [
            {
                "type": "pie",
                "name": series["name"],
                "radius": "60%",
                "center": ["50%", f"{52 if top > 16 else 48}%"],
                "data": data,
                "percentPrecision": 1,  # as in the SVG and the report's tables
                "label": {"formatter": "{b}：{d}%"},
            }
        ],
    }


def _labels_too_wide(labels: Sequence[str]) -> bool:
    """A guess in Python of whether category labels would collide on a dashboard-width chart."""
    return sum(_text_width(label, 12) + 8 for label in labels) > 520

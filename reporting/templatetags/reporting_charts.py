"""Template tags for charts (reporting.charts).

    {% load reporting_charts %}
    {% echart spec height=280 %}      dashboard: a container drawn by static/js/charts.js with ECharts
    {% chart_svg spec %}              PDF report: the chart as inline SVG (WeasyPrint runs no JavaScript)

Both take the same spec (reporting.charts.chart_spec), so the dashboard and the report show the same chart.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from reporting import charts

register = template.Library()

_CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(px|rem|em|vh|%)$")


def _css_height(height: int | str) -> str:
    """A bare number means pixels; anything else must be a plain CSS length (it lands in a style attribute)."""
    text = str(height).strip()
    if text.isdigit():
        return f"{text}px"
    if not _CSS_LENGTH.match(text):
        raise template.TemplateSyntaxError(f"echart: height {height!r} is not a CSS length.")
    return text


@register.simple_tag
def echart(spec: Mapping[str, Any], height: int | str = 280) -> SafeString:
    """The chart container and, beside it, its ECharts option as ``json_script``.

    The container carries ``data-chart`` with the id of that script element; charts.js finds it there.
    Ids are random rather than counted so two fragments swapped in by htmx never collide. The container
    is ``aria-hidden``: the chart repeats the table that must sit next to it, and a screen reader should
    read the table once, not an unlabelled drawing.
    """
    chart_id = f"chart-{uuid.uuid4().hex[:12]}"
    option_id = f"{chart_id}-option"
    return format_html(
        '<div class="chart" id="{}" data-chart="{}" style="height: {}; width: 100%;" aria-hidden="true"></div>{}',
        chart_id,
        option_id,
        _css_height(height),
        json_script(charts.echarts_option(spec), option_id),
    )


@register.simple_tag(name="chart_svg")
def chart_svg_tag(spec: Mapping[str, Any], width: int = 640, height: int = 300) -> SafeString:
    """The chart as inline SVG; safe because reporting.charts escapes every piece of text it draws."""
    return mark_safe(charts.chart_svg(spec, width=int(width), height=int(height)))  # noqa: S308

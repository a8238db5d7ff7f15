"""Charts for the leadership dashboard and the quarterly analysis report (issue 6).

One contract, two renderers. A chart is described once, as a plain JSON-serialisable dict (a *spec*):

    {"kind": "bar" | "hbar" | "stacked_bar" | "line" | "pie",
     "title": str,
     "labels": [str, ...],
     "series": [{"name": str, "values": [number or None, ...], "color": optional "#rrggbb"}],
     "unit": str,                                   # "" when there is none
     "label_colors": optional ["#rrggbb" or None, ...]}   # one per label, see chart_spec()

- On screen, ECharts draws it. ``echarts_option(spec)`` turns the spec into an ECharts *option* here, in
  Python, so that ``static/js/charts.js`` stays a few lines that only call ``setOption``. The JSON embedded
  in the page (``{% echart %}``) is therefore the option, not the spec.
- In the PDF, WeasyPrint runs no JavaScript, so ``chart_svg(spec)`` draws the same chart as a standalone
  SVG string on the server with pygal (pure Python; ECharts' own server-side SVG needs Node). pygal writes
  text as ``<text>``, so the PDF keeps the Chinese as text, set in the Noto CJK fonts on the server.

Both renderers use the same palette and the fixed risk-grade colours, so a chart looks the same on the
dashboard and in the report. Every chart is decorative: its numbers are always in a table next to it.

Rooms: spec (the contract, its checks and what both renderers share), echarts, svg.
"""

from reporting.charts.echarts import echarts_option
from reporting.charts.spec import (
    FONT_FAMILY,
    GRADE_COLOURS,
    KINDS,
    PALETTE,
    ChartSeries,
    ChartSpec,
    ChartSpecError,
    chart_spec,
    format_number,
)
from reporting.charts.svg import chart_svg, nice_ticks

__all__ = [
    "FONT_FAMILY",
    "GRADE_COLOURS",
    "KINDS",
    "PALETTE",
    "ChartSeries",
    "ChartSpec",
    "ChartSpecError",
    "chart_spec",
    "chart_svg",
    "echarts_option",
    "format_number",
    "nice_ticks",
]

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
  SVG string on the server, in pure Python (no plotting dependency on government servers).

Both renderers use the same palette and the fixed risk-grade colours, so a chart looks the same on the
dashboard and in the report. Every chart is decorative: its numbers are always in a table next to it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NotRequired, TypedDict
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

KINDS = ("bar", "hbar", "stacked_bar", "line", "pie")

# ECharts' own default palette, set explicitly so the SVG in the PDF uses the very same colours.
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc")

# Risk grades (cases.models.RiskGrade values) always have these colours, whatever the chart.
GRADE_COLOURS = {"RED": "#dc3545", "ORANGE": "#fd7e14", "YELLOW": "#ffc107", "BLUE": "#0d6efd"}

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, sans-serif"

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TEXT = "#212529"
_MUTED = "#6c757d"
_GRID = "#dee2e6"
_AXIS = "#adb5bd"


class ChartSeries(TypedDict):
    name: str
    values: list[int | float | None]
    color: NotRequired[str]


class ChartSpec(TypedDict):
    kind: str
    title: str
    labels: list[str]
    series: list[ChartSeries]
    unit: str
    label_colors: NotRequired[list[str | None]]


class ChartSpecError(ValueError):
    """A spec that cannot be drawn: a programming error in the caller, not bad user input."""


# --------------------------------------------------------------------------------------------------
# The contract
# --------------------------------------------------------------------------------------------------


def chart_spec(
    *,
    kind: str,
    title: str,
    labels: Iterable[Any],
    series: Iterable[Mapping[str, Any]],
    unit: str = "",
    label_colors: Sequence[str | None] | None = None,
) -> ChartSpec:
    """Build and validate a chart spec.

    Validation happens here rather than in the renderers so that a bad chart fails in the selector or
    view that built it, with a message naming the problem, instead of as a blank chart on screen.
    Labels and names are turned into ``str`` (they are often lazy translations of TextChoices labels)
    and Decimals into floats, so the result is plain JSON and can be stored in a quarterly snapshot.

    ``label_colors`` (optional, one colour or None per label) colours the slices of a pie and the bars
    of a single-series bar or hbar chart, e.g. ``[GRADE_COLOURS[g] for g in grades]`` for a chart by grade.
    It is ignored by the other kinds, whose colours belong to the series.
    """
    if kind not in KINDS:
        raise ChartSpecError(f"Unknown chart kind {kind!r}; expected one of {', '.join(KINDS)}.")
    label_list = [str(label) for label in labels]
    clean_series: list[ChartSeries] = []
    for index, item in enumerate(series):
        if "name" not in item or "values" not in item:
            raise ChartSpecError(f"Series {index} needs a 'name' and 'values'.")
        values = [_clean_value(value, kind=kind, series=index) for value in item["values"]]
        if len(values) != len(label_list):
            raise ChartSpecError(
                f"Series {item['name']!s} has {len(values)} values for {len(label_list)} labels; they must match."
            )
        clean: ChartSeries = {"name": str(item["name"]), "values": values}
        colour = item.get("color")
        if colour:
            clean["color"] = _clean_colour(colour)
        clean_series.append(clean)
    if kind == "pie" and len(clean_series) > 1:
        raise ChartSpecError("A pie chart has exactly one series.")
    spec: ChartSpec = {
        "kind": kind,
        "title": str(title),
        "labels": label_list,
        "series": clean_series,
        "unit": str(unit),
    }
    if label_colors is not None:
        colours = [_clean_colour(colour) if colour else None for colour in label_colors]
        if len(colours) != len(label_list):
            raise ChartSpecError(f"{len(colours)} label colours for {len(label_list)} labels; they must match.")
        spec["label_colors"] = colours
    return spec


def _clean_value(value: Any, *, kind: str, series: int) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ChartSpecError(f"Series {series}: {value!r} is not a number.")
    number: int | float = value if isinstance(value, int) else float(value)
    if isinstance(number, float) and not math.isfinite(number):
        raise ChartSpecError(f"Series {series}: {value!r} is not a finite number.")
    if number < 0 and kind in ("pie", "stacked_bar"):
        raise ChartSpecError(f"Series {series}: a {kind} chart cannot show the negative value {value!r}.")
    return number


def _clean_colour(colour: Any) -> str:
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise ChartSpecError(f"Colour {colour!r} is not of the form #rrggbb.")
    return colour.lower()


def _validated(spec: Mapping[str, Any]) -> ChartSpec:
    """Specs may come back from JSON (a frozen snapshot): check them again before drawing."""
    try:
        return chart_spec(**spec)
    except TypeError as exc:
        raise ChartSpecError(f"Not a chart spec: {exc}") from exc


def _is_empty(spec: ChartSpec) -> bool:
    return not any(value for series in spec["series"] for value in series["values"])


def _series_colour(series: ChartSeries, index: int) -> str:
    return series.get("color") or PALETTE[index % len(PALETTE)]


def _label_colour(spec: ChartSpec, index: int, default: str) -> str:
    colours = spec.get("label_colors")
    return (colours[index] if colours else None) or default


def _uses_label_colours(spec: ChartSpec) -> bool:
    return bool(spec.get("label_colors")) and spec["kind"] in ("bar", "hbar") and len(spec["series"]) == 1


def _unit_caption(unit: str) -> str:
    return _("单位：%(unit)s") % {"unit": unit}


def format_number(value: int | float | None) -> str:
    """Numbers as the report prints them: thousands separated, at most two decimals, no trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------------------
# ECharts
# --------------------------------------------------------------------------------------------------


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


def _all_integers(spec: ChartSpec) -> bool:
    return all(isinstance(value, int) for series in spec["series"] for value in series["values"] if value is not None)


def _labels_too_wide(labels: Sequence[str]) -> bool:
    """A guess in Python of whether category labels would collide on a dashboard-width chart."""
    return sum(_text_width(label, 12) + 8 for label in labels) > 520


# --------------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------------


def chart_svg(spec: Mapping[str, Any], *, width: int = 640, height: int = 300) -> str:
    """The chart as a standalone ``<svg>`` element, for the PDF report (WeasyPrint runs no JavaScript).

    Only basic SVG is used (rect, line, polyline, circle, path, text; no CSS, no dominant-baseline)
    because WeasyPrint's SVG support is partial. Text sizes are estimated (CJK characters one em wide,
    Latin about half), which is enough to lay out labels and truncate the long ones with "…".
    """
    spec = _validated(spec)
    canvas = _Canvas(width, height)
    top = 12
    if spec["title"]:
        canvas.text(width / 2, top + 14, _fit(spec["title"], width - 24, 15), size=15, anchor="middle", weight="bold")
        top += 28
    if _is_empty(spec):
        canvas.text(width / 2, (top + height) / 2 + 5, _("暂无数据"), size=14, anchor="middle", fill=_MUTED)
    elif spec["kind"] == "pie":
        _draw_pie(canvas, spec, top=top)
    elif spec["kind"] == "hbar":
        _draw_hbar(canvas, spec, top=top)
    else:
        _draw_columns(canvas, spec, top=top)
    return canvas.render(title=spec["title"])


class _Canvas:
    """Collects SVG elements; every piece of text goes through ``text()`` and is escaped there."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.parts: list[str] = []

    def add(self, tag: str, **attributes: Any) -> None:
        self.parts.append(f"<{tag} {_attributes(attributes)}/>")

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: float = 11,
        anchor: str = "start",
        fill: str = _TEXT,
        weight: str | None = None,
        rotate: float | None = None,
    ) -> None:
        attributes: dict[str, Any] = {"x": x, "y": y, "font-size": size, "fill": fill}
        if anchor != "start":
            attributes["text-anchor"] = anchor
        if weight:
            attributes["font-weight"] = weight
        if rotate is not None:
            attributes["transform"] = f"rotate({_num(rotate)} {_num(x)} {_num(y)})"
        self.parts.append(f"<text {_attributes(attributes)}>{escape(content)}</text>")

    def render(self, *, title: str) -> str:
        head = {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": self.width,
            "height": self.height,
            "viewBox": f"0 0 {self.width} {self.height}",
            "font-family": FONT_FAMILY,
            "role": "img",
        }
        if title:
            head["aria-label"] = title
        inner = "".join(self.parts)
        caption = f"<title>{escape(title)}</title>" if title else ""
        return f"<svg {_attributes(head)}>{caption}{inner}</svg>"


def _attributes(attributes: Mapping[str, Any]) -> str:
    return " ".join(
        f"{name}={quoteattr(_num(value) if isinstance(value, float) else str(value))}"
        for name, value in attributes.items()
    )


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text_width(text: str, size: float) -> float:
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif char in "il.,:;|!'()[] ":
            width += 0.32
        else:
            width += 0.6
    return width * size


def _fit(text: str, max_width: float, size: float) -> str:
    """Cut ``text`` to ``max_width`` with a trailing "…" (village names can be long)."""
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def _text_colour_on(background: str) -> str:
    """Dark text on light fills (yellow grade), white on dark ones, for labels inside bars and slices."""
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return _TEXT if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def nice_ticks(low: float, high: float, *, integer: bool = False, count: int = 5) -> list[float]:
    """Axis ticks on round numbers (1, 2 or 5 × 10ⁿ) covering [low, high]; the last is the axis maximum.

    Counts of children get whole-number steps: "0.5 children" on an axis reads as an error.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    step = (1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10) * 10**exponent
    if integer:
        step = max(step, 1)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _bottom_legend(canvas: _Canvas, spec: ChartSpec) -> float:
    """Draw the series legend along the bottom edge (only with two or more series); return its height."""
    if len(spec["series"]) < 2:
        return 0.0
    rows: list[list[tuple[str, str, float]]] = [[]]
    row_width = 0.0
    limit = canvas.width - 24
    for index, series in enumerate(spec["series"]):
        name = _fit(series["name"], limit / 2, 11)
        item_width = 16 + _text_width(name, 11) + 14
        if rows[-1] and row_width + item_width > limit:
            rows.append([])
            row_width = 0.0
        rows[-1].append((name, _series_colour(series, index), item_width))
        row_width += item_width
    height = 18.0 * len(rows) + 4
    y = canvas.height - height + 4
    for row in rows:
        x = (canvas.width - sum(item[2] for item in row)) / 2
        for name, colour, item_width in row:
            canvas.add("rect", x=x, y=y + 2, width=10, height=10, fill=colour, rx=2, **{"class": "legend-key"})
            canvas.text(x + 14, y + 11, name, size=11)
            x += item_width
        y += 18
    return height


def _draw_columns(canvas: _Canvas, spec: ChartSpec, *, top: float) -> None:
    """Vertical bars (grouped or stacked) and lines: categories along the bottom, values up the side."""
    kind, labels, all_series = spec["kind"], spec["labels"], spec["series"]
    legend_height = _bottom_legend(canvas, spec)
    if spec["unit"]:
        canvas.text(12, top + 10, _unit_caption(spec["unit"]), size=10, fill=_MUTED)
        top += 16
    top += 16  # room for the value labels above the tallest bar

    if kind == "stacked_bar":
        totals = [sum(series["values"][i] or 0 for series in all_series) for i in range(len(labels))]
        low, high = 0.0, float(max(totals))
    else:
        values = [value for series in all_series for value in series["values"] if value is not None]
        low, high = float(min(values)), float(max(values))
    ticks = nice_ticks(low, high, integer=_all_integers(spec))
    tick_texts = [format_number(tick) for tick in ticks]
    left = 12 + max(_text_width(text, 10) for text in tick_texts) + 6
    right = canvas.width - 12
    band = (right - left) / len(labels)

    # Category labels: level when they fit their band, otherwise slanted and cut to a fixed length.
    label_size = 11
    fits = max(_text_width(label, label_size) for label in labels) <= band - 4
    slant = 35.0 if band >= 28 else 45.0  # steeper when crowded, so neighbouring labels do not touch
    if fits:
        shown = labels
        label_height = 18.0
        every = 1
    else:
        max_label = min(110.0, canvas.height * 0.3)
        shown = [_fit(label, max_label, label_size) for label in labels]
        longest = max(_text_width(label, label_size) for label in shown)
        label_height = longest * math.sin(math.radians(slant)) + label_size + 8
        every = max(1, math.ceil((label_size + 3) / (band * math.sin(math.radians(slant)))))
    bottom = canvas.height - 8 - legend_height - label_height

    def y_of(value: float) -> float:
        return bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        canvas.add("line", x1=left, y1=y, x2=right, y2=y, stroke=_GRID if tick else _AXIS, **{"stroke-width": 1})
        canvas.text(left - 6, y + 3.5, text, size=10, anchor="end", fill=_MUTED)
    canvas.add("line", x1=left, y1=top, x2=left, y2=bottom, stroke=_AXIS, **{"stroke-width": 1})

    for index, label in enumerate(shown):
        if index % every:
            continue
        x = left + band * (index + 0.5)
        if fits:
            canvas.text(x, bottom + 15, label, size=label_size, anchor="middle")
        else:
            canvas.text(x + 4, bottom + 12, label, size=label_size, anchor="end", rotate=-slant)

    if kind == "line":
        _draw_lines(canvas, spec, left=left, band=band, y_of=y_of)
    elif kind == "stacked_bar":
        _draw_stacks(canvas, spec, left=left, band=band, y_of=y_of)
    else:
        _draw_grouped_bars(canvas, spec, left=left, band=band, y_of=y_of)


def _draw_grouped_bars(canvas: _Canvas, spec: ChartSpec, *, left: float, band: float, y_of: Any) -> None:
    count = len(spec["series"])
    group = band * 0.7
    bar = min(group / count, 48)
    start_offset = (band - bar * count) / 2
    room = band * 0.95 if count == 1 else bar + 4
    for s_index, series in enumerate(spec["series"]):
        colour = _series_colour(series, s_index)
        for index, value in enumerate(series["values"]):
            if value is None:
                continue
            x = left + band * index + start_offset + bar * s_index
            fill = _label_colour(spec, index, colour) if _uses_label_colours(spec) else colour
            y_value, y_zero = y_of(value), y_of(0)
            canvas.add("rect", x=x, y=min(y_value, y_zero), width=bar, height=abs(y_zero - y_value), fill=fill)
            text = format_number(value)
            if _text_width(text, 10) <= room:
                y = y_value - 4 if value >= 0 else y_value + 12
                canvas.text(x + bar / 2, y, text, size=10, anchor="middle")


def _draw_stacks(canvas: _Canvas, spec: ChartSpec, *, left: float, band: float, y_of: Any) -> None:
    bar = min(band * 0.6, 48)
    for index in range(len(spec["labels"])):
        x = left + band * index + (band - bar) / 2
        running = 0.0
        for s_index, series in enumerate(spec["series"]):
            value = series["values"][index]
            if not value:
                continue
            colour = _series_colour(series, s_index)
            y_top, y_bottom = y_of(running + value), y_of(running)
            canvas.add("rect", x=x, y=y_top, width=bar, height=y_bottom - y_top, fill=colour)
            text = format_number(value)
            if y_bottom - y_top >= 13 and _text_width(text, 10) <= bar:
                canvas.text(
                    x + bar / 2,
                    (y_top + y_bottom) / 2 + 3.5,
                    text,
                    size=10,
                    anchor="middle",
                    fill=_text_colour_on(colour),
                )
            running += value
        if running:
            total = format_number(running)
            if _text_width(total, 10) <= band * 0.95:
                canvas.text(x + bar / 2, y_of(running) - 4, total, size=10, anchor="middle")


def _draw_lines(canvas: _Canvas, spec: ChartSpec, *, left: float, band: float, y_of: Any) -> None:
    single = len(spec["series"]) == 1
    for s_index, series in enumerate(spec["series"]):
        colour = _series_colour(series, s_index)
        points = [
            None if value is None else (left + band * (index + 0.5), y_of(value))
            for index, value in enumerate(series["values"])
        ]
        # A missing value breaks the line: a gap says "no figure", a bridged line would invent one.
        runs: list[list[tuple[float, float]]] = [[]]
        for point in points:
            if point is None:
                runs.append([])
            else:
                runs[-1].append(point)
        for run in runs:
            if len(run) > 1:
                canvas.add(
                    "polyline",
                    points=" ".join(f"{_num(x)},{_num(y)}" for x, y in run),
                    fill="none",
                    stroke=colour,
                    **{"stroke-width": 2, "stroke-linejoin": "round"},
                )
        for point, value in zip(points, series["values"], strict=True):
            if point is None:
                continue
            canvas.add("circle", cx=point[0], cy=point[1], r=3, fill="#ffffff", stroke=colour, **{"stroke-width": 2})
            text = format_number(value)
            if single and _text_width(text, 10) <= band * 0.95:
                canvas.text(point[0], point[1] - 7, text, size=10, anchor="middle")


def _draw_hbar(canvas: _Canvas, spec: ChartSpec, *, top: float) -> None:
    """Horizontal bars: category names down the left (long village names need the width), values across."""
    labels, all_series = spec["labels"], spec["series"]
    legend_height = _bottom_legend(canvas, spec)
    if spec["unit"]:
        canvas.text(12, top + 10, _unit_caption(spec["unit"]), size=10, fill=_MUTED)
        top += 18
    values = [value for series in all_series for value in series["values"] if value is not None]
    ticks = nice_ticks(float(min(values)), float(max(values)), integer=_all_integers(spec))
    tick_texts = [format_number(tick) for tick in ticks]
    label_size = 11
    shown = [_fit(label, canvas.width * 0.3, label_size) for label in labels]
    left = 12 + max(_text_width(label, label_size) for label in shown) + 8
    value_room = max(_text_width(format_number(value), 10) for value in values) + 6
    right = canvas.width - 12 - max(value_room, _text_width(tick_texts[-1], 10) / 2)
    bottom = canvas.height - 8 - legend_height - 16
    band = (bottom - top) / len(labels)

    def x_of(value: float) -> float:
        return left + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    for tick, text in zip(ticks, tick_texts, strict=True):
        x = x_of(tick)
        canvas.add("line", x1=x, y1=top, x2=x, y2=bottom, stroke=_GRID if tick else _AXIS, **{"stroke-width": 1})
        canvas.text(x, bottom + 13, text, size=10, anchor="middle", fill=_MUTED)
    canvas.add("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=_AXIS, **{"stroke-width": 1})

    every = max(1, math.ceil(12 / band))
    for index, label in enumerate(shown):
        if index % every == 0:
            canvas.text(left - 6, top + band * (index + 0.5) + 4, label, size=label_size, anchor="end")

    count = len(all_series)
    bar = min(band * 0.7 / count, 32)
    start_offset = (band - bar * count) / 2
    for s_index, series in enumerate(all_series):
        colour = _series_colour(series, s_index)
        for index, value in enumerate(series["values"]):
            if value is None:
                continue
            y = top + band * index + start_offset + bar * s_index
            fill = _label_colour(spec, index, colour) if _uses_label_colours(spec) else colour
            x_value, x_zero = x_of(value), x_of(0)
            canvas.add("rect", x=min(x_value, x_zero), y=y, width=abs(x_value - x_zero), height=bar, fill=fill)
            if bar >= 8:
                text = format_number(value)
                if value >= 0:
                    canvas.text(x_value + 4, y + bar / 2 + 3.5, text, size=10)
                else:
                    canvas.text(x_value - 4, y + bar / 2 + 3.5, text, size=10, anchor="end")


def _draw_pie(canvas: _Canvas, spec: ChartSpec, *, top: float) -> None:
    """Slices clockwise from twelve o'clock with percentages; a legend on the right lists every label,
    zeros included (in a report, "红色 0" is itself a finding)."""
    values = [value or 0 for value in spec["series"][0]["values"]]
    total = float(sum(values))
    bottom = canvas.height - 12
    radius = max(10.0, min((bottom - top) / 2, canvas.width * 0.22))
    cx, cy = 12 + radius + 8, (top + bottom) / 2
    colours = [_label_colour(spec, index, PALETTE[index % len(PALETTE)]) for index in range(len(values))]

    angle = -math.pi / 2
    for value, colour in zip(values, colours, strict=True):
        if not value:
            continue
        share = value / total
        sweep = share * 2 * math.pi
        if share >= 0.9999:
            canvas.add("circle", cx=cx, cy=cy, r=radius, fill=colour)
        else:
            x0, y0 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            x1, y1 = cx + radius * math.cos(angle + sweep), cy + radius * math.sin(angle + sweep)
            large = 1 if sweep > math.pi else 0
            canvas.add(
                "path",
                d=f"M{_num(cx)},{_num(cy)} L{_num(x0)},{_num(y0)} A{_num(radius)},{_num(radius)} 0 {large} 1 {_num(x1)},{_num(y1)} Z",
                fill=colour,
                stroke="#ffffff",
                **{"stroke-width": 1},
            )
        if share >= 0.05:
            middle = angle + sweep / 2
            distance = 0 if share >= 0.9999 else radius * 0.62
            tx, ty = cx + distance * math.cos(middle), cy + distance * math.sin(middle)
            canvas.text(tx, ty + 4, _percent(share), size=11, anchor="middle", fill=_text_colour_on(colour))
        angle += sweep

    x = cx + radius + 28
    available = canvas.width - 12 - x - 16
    row = 20.0
    rows = len(values)
    every_row = min(row, (bottom - top) / max(rows, 1))
    y = cy - every_row * rows / 2
    for label, value, colour in zip(spec["labels"], values, colours, strict=True):
        canvas.add(
            "rect", x=x, y=y + every_row / 2 - 6, width=10, height=10, fill=colour, rx=2, **{"class": "legend-key"}
        )
        size = min(11, every_row - 2)
        figures = f"  {format_number(value)}（{_percent(value / total)}）"
        text = _fit(label, available - _text_width(figures, size), size) + figures
        canvas.text(x + 16, y + every_row / 2 + 3.5, text, size=size)
        y += every_row


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"

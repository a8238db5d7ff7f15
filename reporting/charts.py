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
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, NotRequired, TypedDict

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
# SVG (pygal)
# --------------------------------------------------------------------------------------------------

_PYGAL_CHARTS = {"bar": "Bar", "hbar": "HorizontalBar", "stacked_bar": "StackedBar", "line": "Line", "pie": "Pie"}


def chart_svg(spec: Mapping[str, Any], *, width: int = 640, height: int = 300) -> str:
    """The chart as a standalone ``<svg>`` element, for the PDF report (WeasyPrint runs no JavaScript).

    pygal draws it; text stays ``<text>`` (so the PDF keeps the Chinese as text, in the Noto CJK fonts
    installed on the server) and the output is self-contained: its stylesheet is inline and the
    script pygal adds for browsers is removed, so nothing is fetched when the PDF is made.
    """
    import pygal  # imported here: only the report's worker draws SVG, the pages need only echarts_option

    spec = _validated(spec)
    series_colours = _pygal_colours(spec)
    config, legend_shift = _pygal_config(spec, width=width, height=height)
    chart = getattr(pygal, _PYGAL_CHARTS[spec["kind"]])(style=_pygal_style(spec, series_colours), **config)
    if not _is_empty(spec):  # with no series pygal writes its "no data" text instead of a chart
        _add_series(chart, spec, series_colours)
    chart.add_xml_filter(partial(_finish_svg, spec=spec, legend_shift=legend_shift))
    return chart.render(is_unicode=True)


def _pygal_colours(spec: ChartSpec) -> list[str]:
    """One colour per pygal series: the spec's series, or, for a pie, its labels (one series per slice)."""
    if spec["kind"] == "pie":
        return [_label_colour(spec, index, PALETTE[index % len(PALETTE)]) for index in range(len(spec["labels"]))]
    return [_series_colour(series, index) for index, series in enumerate(spec["series"])]


def _pygal_style(spec: ChartSpec, colours: list[str]) -> Any:
    from pygal.style import Style

    stacked = spec["kind"] in ("stacked_bar", "pie")  # values printed inside the shapes: contrast with the fill
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=_TEXT,
        foreground_strong=_TEXT,
        foreground_subtle=_MUTED,
        colors=tuple(colours) or PALETTE,
        value_colors=tuple(_text_colour_on(colour) for colour in colours) if stacked else (),
        opacity="1",
        opacity_hover="1",
        stroke_width="2",
        stroke_width_hover="2",
        transition="0s",
        font_family=FONT_FAMILY,
        title_font_size=15,
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=11,
        value_font_size=10,
        value_label_font_size=10,
        no_data_font_size=14,
        guide_stroke_color=_GRID,
        guide_stroke_dasharray="1,0",
        major_guide_stroke_color=_AXIS,
        major_guide_stroke_dasharray="1,0",
    )


def _pygal_config(spec: ChartSpec, *, width: int, height: int) -> tuple[dict[str, Any], float]:
    """pygal's options for the spec, and how far its bottom legend must move down (see _fit_labels)."""
    kind, labels = spec["kind"], spec["labels"]
    several = len(spec["series"]) > 1
    unit = spec["unit"]
    config: dict[str, Any] = {
        "width": width,
        "height": height,
        "explicit_size": True,
        "disable_xml_declaration": True,
        "js": [],  # no script links: the PDF is made offline
        "title": spec["title"] or None,
        "no_data_text": _("暂无数据"),
        "margin": 10,
        "spacing": 8,
        "legend_box_size": 10,
        "show_legend": several or kind == "pie",
        "legend_at_bottom": kind != "pie",
        "legend_at_bottom_columns": len(spec["series"]) if several else None,  # one row (five grades at most)
        "print_values": kind != "line" or not several,
        "print_zeroes": False,
        # The unit goes with every number ("72.5%") rather than in a caption turned on its side.
        "value_formatter": (lambda value: format_number(value) + unit) if unit else format_number,
        "show_x_guides": False,
        "tooltip_fancy_mode": False,
        "truncate_label": -1,  # labels are cut here, by their width in CJK text (see _fit_labels)
        "truncate_legend": -1,
    }
    if kind == "pie":
        return config, 0.0
    if _is_empty(spec):
        hidden = {"show_legend": False, "show_x_labels": False, "show_y_labels": False, "show_y_guides": False}
        return {**config, **hidden}, 0.0
    values = [value for series in spec["series"] for value in series["values"] if value is not None]
    if kind == "stacked_bar":
        values = [sum(series["values"][i] or 0 for series in spec["series"]) for i in range(len(labels))]
    ticks = nice_ticks(float(min(values)), float(max(values)), integer=_all_integers(spec))
    config.update(
        {
            "y_labels": ticks,  # round numbers, whole ones for counts of children
            "include_x_axis": True,
            "print_values_position": "center" if kind == "stacked_bar" else "top",
        }
    )
    if kind == "line":
        config["allow_interruptions"] = True  # a gap says "no figure"; a bridged line would invent one
        config["dots_size"] = 3
    labels_config, legend_shift = _fit_labels(labels, kind=kind, width=width, height=height)
    return {**config, **labels_config}, legend_shift


def _fit_labels(labels: list[str], *, kind: str, width: int, height: int) -> tuple[dict[str, Any], float]:
    """Category labels cut to fit (village names can be long), slanted when crowded, with room made for them.

    pygal reserves room for a label of n characters as if each were 0.6 em wide; a Chinese character is a
    whole em, so the margin on the labels' side is widened by the difference (and the bottom legend, which
    pygal places by its own estimate, is moved down by as much).
    """
    size = 11
    if kind == "hbar":
        shown = [_fit(label, width * 0.3, size) for label in reversed(labels)]  # pygal draws bottom up
        return {"x_labels": shown, "margin_left": 10 + _underestimate(shown, size)}, 0.0
    band = (width - 60) / max(len(labels), 1)
    if max(_text_width(label, size) for label in labels) <= band - 4:
        return {"x_labels": labels}, 0.0
    slant = 35 if band >= 28 else 45  # steeper when crowded, so neighbouring labels do not touch
    shown = [_fit(label, min(110.0, height * 0.3), size) for label in labels]
    extra = _underestimate(shown, size) * math.sin(math.radians(slant))
    # Slanted up to the right and ending under their tick ("backwards" in pygal), so none runs off the edge.
    return {"x_labels": shown, "x_label_rotation": 360 - slant, "margin_bottom": 10 + extra}, extra


def _underestimate(labels: list[str], size: float) -> float:
    return max(
        0.0, max(_text_width(label, size) for label in labels) - max(len(label) for label in labels) * 0.6 * size
    )


def _fit(text: str, max_width: float, size: float) -> str:
    """Cut ``text`` to ``max_width`` with a trailing "…"."""
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def _add_series(chart: Any, spec: ChartSpec, colours: list[str]) -> None:
    kind = spec["kind"]
    if kind == "pie":
        values = [value or 0 for value in spec["series"][0]["values"]]
        total = float(sum(values))
        for label, value in zip(spec["labels"], values, strict=True):
            # One series per slice; the legend lists every label with its count and share, zeros included
            # (in a report, "红色 0" is itself a finding). Shares under 5% are not written on the slice.
            share = value / total
            chart.add(
                f"{label}  {format_number(value)}（{_percent(share)}）",
                [value],
                formatter=lambda v, total=total: _percent(v / total) if v / total >= 0.05 else "",
            )
        return
    for index, series in enumerate(spec["series"]):
        values: list[Any] = list(series["values"])
        if kind == "hbar":
            values.reverse()  # pygal draws the first category at the bottom; the table reads top down
        if kind == "stacked_bar":
            values = [value or 0 for value in values]
        elif _uses_label_colours(spec):
            label_colours = [_label_colour(spec, i, colours[index]) for i in range(len(values))]
            if kind == "hbar":
                label_colours.reverse()
            values = [{"value": v, "color": c} for v, c in zip(values, label_colours, strict=True)]
        chart.add(series["name"], values)


def _finish_svg(root: Any, *, spec: ChartSpec, legend_shift: float) -> Any:
    """Last touches on pygal's tree: no script, the CJK font on the root, stack totals above the stacks."""
    for script in list(root.iter("script")):
        script.getparent().remove(script)
    for path in root.iter("path"):
        # pygal closes a slice with a zero-radius arc back to the centre; SVG draws that as a straight line,
        # WeasyPrint as a spike across the page. Drop it: the closing "z" draws the same line.
        if "slice" in _classes(path):
            path.set("d", _ZERO_ARC.sub("", path.get("d")))
    root.set("font-family", FONT_FAMILY)
    root.set("role", "img")
    if spec["title"]:
        root.set("aria-label", spec["title"])
    for element in root.iter():
        # pygal colours a bar of its own in a style attribute; WeasyPrint reads style attributes inside the
        # HTML as HTML CSS too and warns about fill and stroke, so they become SVG attributes. Legend ids
        # (for pygal's script) repeat in every chart of the report: dropped.
        if not isinstance(element.tag, str):  # pygal's comments
            continue
        if (element.get("style") or "").startswith("fill:"):
            for declaration in element.attrib.pop("style").split(";"):
                name, _colon, value = declaration.partition(":")
                if name.strip() in ("fill", "stroke") and value.strip():
                    element.set(name.strip(), value.strip())
        if (element.get("id") or "").startswith("activate-serie"):
            del element.attrib["id"]
    for group in root.iter("g"):
        if legend_shift and "legends" in _classes(group):
            group.set("transform", f"{group.get('transform', '')} translate(0 {legend_shift:.2f})".strip())
        if "text-overlay" in _classes(group) and spec["kind"] in ("hbar", "pie"):
            for text in group.iter("text"):
                # An hbar's value just after the end of its bar, not across it; a slice's share centred on
                # the slice (pygal writes text-anchor="left", which SVG does not know).
                text.set("text-anchor", "start" if spec["kind"] == "hbar" else "middle")
    if spec["kind"] == "stacked_bar" and not _is_empty(spec):
        _add_stack_totals(root, spec)
    return root


_ZERO_ARC = re.compile(r"\s*A0(?:\.0*)? 0(?:\.0*)? 0 [01] [01] [-\d.]+ [-\d.]+")


def _classes(element: Any) -> list[str]:
    return (element.get("class") or "").split()


def _add_stack_totals(root: Any, spec: ChartSpec) -> None:
    """pygal labels each segment; a stacked bar also shows its total above it, as on the dashboard."""
    # One <g class="bars"> per series, holding one <g class="bar"><rect …/> per category, in order.
    columns = [[bar.find("rect") for bar in bars.findall("g")] for bars in root.iter("g") if "bars" in _classes(bars)]
    overlay = next(g for g in root.iter("g") if "text-overlay" in _classes(g))
    for index in range(len(spec["labels"])):
        total = sum(series["values"][index] or 0 for series in spec["series"])
        if not total:
            continue
        rects = [column[index] for column in columns]
        top = min(float(rect.get("y")) for rect in rects)
        centre = float(rects[0].get("x")) + float(rects[0].get("width")) / 2
        text = overlay.makeelement(
            "text", {"x": f"{centre:.2f}", "y": f"{top - 4:.2f}", "text-anchor": "middle", "class": "value total"}
        )
        text.text = format_number(total)
        overlay.append(text)


def _text_width(text: str, size: float) -> float:
    """Estimated text width: CJK characters one em wide, Latin about half."""
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif char in "il.,:;|!'()[] ":
            width += 0.32
        else:
            width += 0.6
    return width * size


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


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"

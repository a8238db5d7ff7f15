"""The chart as a standalone SVG for the PDF report, drawn with pygal (WeasyPrint runs no JavaScript)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from reporting.charts.spec import (
    _AXIS,
    _GRID,
    _MUTED,
    _TEXT,
    FONT_FAMILY,
    PALETTE,
    ChartSpec,
    _all_integers,
    _is_empty,
    _label_colour,
    _series_colour,
    _text_width,
    _uses_label_colours,
    _validated,
    format_number,
)

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

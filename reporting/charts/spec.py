"""The chart contract both renderers read: a spec checked once (chart_spec), the palette and the fixed
risk-grade colours, the font, and the helpers both use (colours of series and labels, number format, text
width)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
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


def _all_integers(spec: ChartSpec) -> bool:
    return all(isinstance(value, int) for series in spec["series"] for value in series["values"] if value is not None)


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

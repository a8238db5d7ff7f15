"""Small formatting filters for the reporting pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(fraction: float | None, digits: int = 1) -> str:
    """0.8285 → "82.9%"; "—" when there is nothing to divide by."""
    if fraction is None or fraction == "":
        return "—"
    return f"{float(fraction) * 100:.{int(digits)}f}%"

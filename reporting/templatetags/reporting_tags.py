"""Small formatting filters for the reporting pages."""

from __future__ import annotations

from django import template

from reporting.dashboard.tables import percent_text

register = template.Library()


@register.filter
def percent(fraction: float | None, digits: int = 1) -> str:
    """0.8285 → "82.9%"; "—" when there is nothing to divide by."""
    return percent_text(fraction, digits)

"""Small cells of sensitive categories (issue 10 §4; domain.md §13: protect victims' privacy, no personal data
in dashboards). In a village, "2 children involved in a criminal case" points at two families; so for
figures-only logins (the leadership viewer) a village-level count of a sensitive category below
settings.MINORPROT_SMALL_CELL is shown as "<N". The figures themselves stay exact (snapshots, staff pages):
this is a view of them, applied wherever a figures-only login reads them (dashboard page and tables, the
figures API). The one function is `small_cells_suppressed`."""

from __future__ import annotations

from django.conf import settings

from tiers.roles import Level

# domain.md §2.2: justice-involved, crime victims, victims of violence or abuse.
SENSITIVE_CATEGORIES = ("JUSTICE_INVOLVED", "CRIME_VICTIM", "VIOLENCE_ABUSE_VICTIM")
SMALL_CELL_LEVELS = (Level.VILLAGE, Level.GRID)


def small_cell_threshold() -> int:
    return int(getattr(settings, "MINORPROT_SMALL_CELL", 5))


def small_cells_suppressed(figures: dict, *, user) -> dict:
    """`figures` as `user` may read them: for a figures-only login and a village (or grid), each sensitive
    category's count below the threshold becomes the text "<N". Other readers get `figures` unchanged."""
    from cases.privacy.sealing.selectors import figures_only

    if figures.get("region", {}).get("level") not in SMALL_CELL_LEVELS or not figures_only(user):
        return figures
    threshold = small_cell_threshold()
    categories = dict(figures["registry"]["categories"])
    for code in SENSITIVE_CATEGORIES:
        n = categories.get(code, 0)
        if isinstance(n, int) and n < threshold:
            categories[code] = f"<{threshold}"
    return {**figures, "registry": {**figures["registry"], "categories": categories}}

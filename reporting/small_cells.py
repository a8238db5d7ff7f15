"""Small cells of sensitive categories (issue 10 §4; domain.md §13: protect victims' privacy, no personal data
in dashboards). In a village, "2 children involved in a criminal case" points at two families; so for
figures-only logins (the leadership viewer) a village-level count of a sensitive category below
settings.MINORPROT_SMALL_CELL is shown as "<N". The figures themselves stay exact (snapshots, staff pages):
this is a view of them, applied wherever a figures-only login reads them (dashboard page and tables, the
figures API). The one function is `small_cells_suppressed`; the counts derived from those categories (the
children a working-group track is likely to serve, the key-attention total) are suppressed the same way."""

from __future__ import annotations

from django.conf import settings

from tiers.roles import Level

# domain.md §2.2: justice-involved, crime victims, victims of violence or abuse.
SENSITIVE_CATEGORIES = ("JUSTICE_INVOLVED", "CRIME_VICTIM", "VIOLENCE_ABUSE_VICTIM")
SMALL_CELL_LEVELS = (Level.VILLAGE, Level.GRID)


def small_cell_threshold() -> int:
    return int(getattr(settings, "MINORPROT_SMALL_CELL", 5))


def _small(n, threshold: int):
    return f"<{threshold}" if isinstance(n, int) and n < threshold else n


def small_cells_suppressed(figures: dict, *, user) -> dict:
    """`figures` as `user` may read them: for a figures-only login and a village (or grid), each count below
    the threshold that is drawn from a sensitive category becomes the text "<N" — the sensitive categories'
    own counts, the children likely to need each working-group track whose categories include a sensitive
    one (cases.tracks / resources.tracks "children"), and the key-attention total (it counts crime victims).
    Other readers get `figures` unchanged."""
    from cases.privacy.sealing.selectors import figures_only
    from reporting.figures import track_categories

    if figures.get("region", {}).get("level") not in SMALL_CELL_LEVELS or not figures_only(user):
        return figures
    threshold = small_cell_threshold()
    registry = dict(figures["registry"])
    categories = dict(registry["categories"])
    for code in SENSITIVE_CATEGORIES:
        categories[code] = _small(categories.get(code, 0), threshold)
    registry["categories"] = categories
    registry["key_attention"] = _small(registry.get("key_attention", 0), threshold)
    result = {**figures, "registry": registry}
    sensitive_tracks = {track for track, codes in track_categories().items() if set(codes) & set(SENSITIVE_CATEGORIES)}
    for section in ("cases", "resources"):
        tracks = (figures.get(section) or {}).get("tracks")
        if not tracks:
            continue
        shown = {
            track: {**row, "children": _small(row.get("children"), threshold)} if track in sensitive_tracks else row
            for track, row in tracks.items()
        }
        result[section] = {**figures[section], "tracks": shown}
    return result

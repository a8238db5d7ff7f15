"""Excel workbooks (.xlsx) for downloads: cells written safely, tables as sheets, and the HTTP response.

Workbooks are built in openpyxl's write-only mode, which streams rows to the file instead of holding
a sheet in memory, so a county's ledger (tens of thousands of rows) stays light. Text from the
registry is always written as text: a name or note beginning with "=" must never become a formula.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
TEXT_FORMAT = "@"

_SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True)
_HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
_MIN_WIDTH = 6
_MAX_WIDTH = 60


def cell(sheet, value: Any, *, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    """One cell of a write-only sheet. Strings stay strings (never formulas), aware datetimes are
    shown in local time (Excel has no time zones), lazy translations are resolved."""
    value = cell_value(value)
    result = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl turns any string starting with "=" into a formula; registry text is data.
        result.data_type = "s"
    if number_format is None:
        if isinstance(value, datetime.datetime):
            number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            number_format = DATE_FORMAT
    if number_format:
        result.number_format = number_format
    if bold:
        result.font = _HEADER_FONT
        result.alignment = _HEADER_ALIGNMENT
    return result


def row_cells(sheet, values: Sequence[Any], *, formats: dict[int, str] | None = None) -> list[Any]:
    """A row for `sheet.append`. Plain values where openpyxl writes them right by itself (numbers,
    dates as yyyy-mm-dd, ordinary text), which is several times faster on a large sheet; a cell
    object where a format is asked for (`formats` by 0-based column), for datetimes, and for text
    that openpyxl would otherwise take for a formula."""
    formats = formats or {}
    row: list[Any] = []
    for index, value in enumerate(values):
        value = cell_value(value)
        if index in formats or isinstance(value, datetime.datetime) or (isinstance(value, str) and value[:1] == "="):
            row.append(cell(sheet, value, number_format=formats.get(index)))
        else:
            row.append(value)
    return row


def cell_value(value: Any) -> Any:
    """A value openpyxl can write: numbers, dates and naive datetimes as they are, the rest as text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    # Control characters make the file unreadable to Excel; they carry nothing a reader needs.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def display_width(value: Any) -> int:
    """Approximate column width of a value: CJK and other wide characters count double."""
    value = cell_value(value)
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def set_column_widths(sheet, widths: Sequence[float]) -> None:
    """Column widths; on a write-only sheet this must happen before the first row is appended."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(_MIN_WIDTH, min(_MAX_WIDTH, width))


def header_row(sheet, columns: Iterable[Any]) -> list[WriteOnlyCell]:
    return [cell(sheet, column, bold=True) for column in columns]


def sheet_titles(names: Iterable[Any]) -> list[str]:
    """Sheet names Excel accepts: at most 31 characters, none of [ ] : * ? / \\, not empty, not
    starting or ending with an apostrophe, not "History", and unique (case-insensitively)."""
    titles: list[str] = []
    taken: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = _SHEET_FORBIDDEN.sub("_", cell_value(name) or "").strip().strip("'").strip()
        if not base or base.casefold() == "history":
            base = f"Sheet{position}" if not base else f"{base}_"
        base = base[:_SHEET_TITLE_MAX]
        title, copy = base, 1
        while title.casefold() in taken:
            copy += 1
            suffix = f" ({copy})"
            title = base[: _SHEET_TITLE_MAX - len(suffix)].rstrip("'") + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tables_workbook(*, title: str, tables: list[dict]) -> bytes:
    """A workbook with one sheet per table: bold header row (frozen), widths from the content,
    columns listed in `percent_columns` formatted as 0.0% (their values are fractions: 0.25 → 25.0%).

    Each table is {"title": str, "columns": [str, ...], "rows": [[value, ...], ...],
    "percent_columns": [int, ...] (optional, 0-based)}."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = cell_value(title)
    for table, sheet_title in zip(tables, sheet_titles(t["title"] for t in tables), strict=True):
        sheet = workbook.create_sheet(title=sheet_title)
        columns = list(table["columns"])
        rows = [list(row) for row in table["rows"]]
        percent = set(table.get("percent_columns") or ())
        widths = [display_width(column) + 2 for column in columns]
        for row in rows:
            for index, value in enumerate(row[: len(widths)]):
                widths[index] = max(widths[index], (8 if index in percent else display_width(value)) + 2)
        set_column_widths(sheet, widths)
        sheet.freeze_panes = "A2"
        sheet.append(header_row(sheet, columns))
        formats = dict.fromkeys(percent, PERCENT_FORMAT)
        for row in rows:
            sheet.append(row_cells(sheet, row, formats=formats))
    if not tables:
        # A workbook needs at least one sheet to open.
        workbook.create_sheet(title=sheet_titles([title])[0])
    return workbook_bytes(workbook)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as a download. The name is sent per RFC 6266/5987 (filename*=utf-8''…), so a
    Chinese name arrives intact; exports hold personal data, so nothing may cache them."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response

"""The access log as an Excel workbook (issue 10 §2). Built here rather than with reporting.xlsx:
reporting depends on cases, not the other way round (STYLE.md layout). Same habits: write-only mode,
registry text always written as text (a name beginning with "=" never becomes a formula)."""

from __future__ import annotations

import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDTHS = (18, 14, 14, 12, 10, 22, 10, 8, 16, 50)


def _cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime):
        result = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        result.number_format = "yyyy-mm-dd hh:mm:ss"
    elif value is None or isinstance(value, int):
        result = WriteOnlyCell(sheet, value=value)
    else:
        result = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        result.data_type = "s"
    if bold:
        result.font = Font(bold=True)
    return result


def access_log_workbook(entries) -> tuple[bytes, list[int]]:
    """The rows as a workbook, and the ids of the children they name (for the export's own log rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("访问日志")[:31])
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    columns = [
        _("时间"),
        _("用户"),
        _("用户名"),
        _("未成年人"),
        _("档案编号"),
        _("现居住地"),
        _("操作"),
        _("渠道"),
        _("IP地址"),
        _("访问地址"),
    ]
    sheet.append([_cell(sheet, column, bold=True) for column in columns])
    minor_ids: dict[int, None] = {}
    for entry in entries:
        minor_ids[entry.minor_id] = None
        values = [
            entry.at,
            entry.user.get_full_name() or entry.user.username,
            entry.user.username,
            entry.minor.name,
            entry.minor_id,
            entry.minor.region.name,
            entry.get_action_display(),
            entry.get_channel_display(),
            entry.ip_address or "",
            entry.path,
        ]
        sheet.append([_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), list(minor_ids)


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response

"""Reading the uploaded file (issue 12 §1): its size, and the first sheet's rows streamed from an .xlsx
(openpyxl read-only) or a .csv (UTF-8 or GB18030)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from cases.imports.rules import MAX_FILE_BYTES, MAX_FILE_MB
from cases.imports.services.errors import LedgerFileError


def _is_csv(file_name: str) -> bool:
    return file_name.lower().endswith(".csv")


def read_sheet(data: bytes, file_name: str) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, cell values) for every row of the first sheet, streamed."""
    lower = file_name.lower()
    if _is_csv(lower):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise LedgerFileError(_("无法识别CSV文件的编码，请另存为UTF-8编码的CSV或Excel文件。"), code="encoding")
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            yield number, tuple(row)
        return
    if not lower.endswith((".xlsx", ".xlsm")):
        raise LedgerFileError(_("请上传Excel（.xlsx）或CSV文件；旧版.xls请先另存为.xlsx。"), code="file_type")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerFileError(_("无法读取该Excel文件，请确认文件未损坏且为.xlsx格式。"), code="unreadable") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, row
    finally:
        workbook.close()


def estimate_rows(data: bytes, file_name: str) -> int:
    """The number of rows of the first sheet, without reading them: the lines of a .csv, the dimension an
    .xlsx records (a file without one counts by its size). Decides whether a worker takes the file."""
    lower = file_name.lower()
    if _is_csv(lower):
        return data.count(b"\n") + 1
    if not lower.endswith((".xlsx", ".xlsm")):
        raise LedgerFileError(_("请上传Excel（.xlsx）或CSV文件；旧版.xls请先另存为.xlsx。"), code="file_type")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerFileError(_("无法读取该Excel文件，请确认文件未损坏且为.xlsx格式。"), code="unreadable") from None
    try:
        rows = workbook.worksheets[0].max_row if workbook.worksheets else None
    finally:
        workbook.close()
    return rows if rows else len(data) // 80


def _read_upload(upload: IO[bytes] | bytes) -> bytes:
    data = upload if isinstance(upload, bytes) else upload.read()
    if len(data) > MAX_FILE_BYTES:
        raise LedgerFileError(_("文件超过%(mb)sMB，请分批导入。") % {"mb": MAX_FILE_MB}, code="too_large")
    return data


def _stored_name(file_name: str) -> str:
    return "ledger.csv" if _is_csv(file_name) else "ledger.xlsx"

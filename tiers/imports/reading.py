"""Reading a tree or staff sheet (.csv or .xlsx, first sheet) into numbered rows (issue 12 §2)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tiers.imports.rules import word_key


@dataclass
class Row:
    number: int  # the row's number in the sheet (the header is row 1 when it is the first line)
    values: dict[str, str]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in Excel: 500199000000.0 → "500199000000"
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _raw_rows(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
            raise ValidationError({"file": _("无法读取该Excel文件，请确认是.xlsx格式。")}) from exc
        try:
            sheet = workbook.worksheets[0]
            return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": _("无法识别CSV文件的编码，请保存为UTF-8。")})
        return [[_text(value) for value in row] for row in csv.reader(io.StringIO(text))]
    raise ValidationError({"file": _("请上传.xlsx或.csv文件。")})


def read_rows(*, content: bytes, filename: str, columns: dict[str, str], required: tuple[str, ...]) -> list[Row]:
    """The sheet's rows as {field: text}, numbered as in the sheet. The header is the first row naming a
    required column (title rows above it are skipped); its names are matched through `columns`; blank rows are skipped. A missing required column, or an
    unknown one, is an error for the whole file."""
    raw = _raw_rows(content, filename)
    if not any(any(row) for row in raw):
        raise ValidationError({"file": _("文件是空的。")})
    # The header is the first row naming a required column; title rows above it are skipped.
    header_index = next(
        (i for i, row in enumerate(raw) if any(columns.get(word_key(name)) in required for name in row if name)),
        None,
    )
    if header_index is None:
        raise ValidationError({"file": _("找不到表头：第一行应为列名（%(known)s）。") % {"known": ", ".join(required)}})
    fields: list[str | None] = []
    unknown = []
    for name in raw[header_index]:
        field = columns.get(word_key(name)) if name else None
        if name and field is None:
            unknown.append(name)
        fields.append(field)
    if unknown:
        raise ValidationError(
            {
                "file": _("无法识别的列：%(columns)s。可用的列：%(known)s。")
                % {
                    "columns": "、".join(unknown),
                    "known": "、".join(dict.fromkeys(columns.values())),
                }
            }
        )
    missing = [field for field in required if field not in fields]
    if missing:
        raise ValidationError({"file": _("缺少必填列：%(columns)s。") % {"columns": "、".join(missing)}})
    rows = []
    for index in range(header_index + 1, len(raw)):
        cells = raw[index]
        if not any(cells):
            continue
        values = {field: "" for field in fields if field}
        for field, cell in zip(fields, cells, strict=False):
            if field:
                values[field] = cell
        rows.append(Row(number=index + 1, values=values))
    return rows

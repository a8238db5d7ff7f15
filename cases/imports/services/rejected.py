"""The refused rows of a batch as a workbook (issue 12 §1), ready to fix and import again."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from cases.imports.models import ImportBatch


def rejected_rows_workbook(batch: ImportBatch) -> bytes:
    """The refused rows as an .xlsx: the file's own header with a message column, ready to fix and re-import."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("拒收行"))
    width = max(
        [cell["column"] + 1 for cell in batch.headers] + [len(r.get("values", [])) for r in batch.rejected_rows] + [0]
    )
    header = [""] * width
    for cell in batch.headers:
        header[cell["column"]] = cell["text"]
    sheet.append([*header, _("错误说明"), _("原行号")])
    for rejected in batch.rejected_rows:
        values = list(rejected.get("values", []))[:width]
        values += [""] * (width - len(values))
        message = "；".join(f"{e['field']}：{e['message']}" for e in rejected["errors"])
        sheet.append([*values, message, rejected["row"]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Finding the header of a ledger (issue 12 §1): below title rows, possibly over two rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cases.imports.models import SynonymKind
from cases.imports.rules import COLUMNS, HEADER_MIN_COLUMNS, IGNORE, REQUIRED_COLUMNS
from cases.imports.services.errors import LedgerFileError
from cases.imports.services.synonyms import Vocabulary
from cases.imports.services.text import _compact


@dataclass
class Header:
    row: int  # the last sheet row of the header (data start below it)
    columns: dict[str, int]  # column key → index
    cells: list[dict[str, Any]]  # [{"column": i, "text": …, "key": …}]
    unknown: list[str]


def _header_score(row: tuple, vocab: Vocabulary) -> int:
    return sum(1 for cell in row if vocab.lookup(SynonymKind.HEADER, cell) not in (None, IGNORE))


def find_header(rows: list[tuple[int, tuple]], vocab: Vocabulary) -> Header:
    """The header is the row (among the first ones) whose cells name the most known columns; title rows
    and merged cells above it are skipped. A second header row below it (监护人 over 姓名/关系/电话) is
    read together with it, the upper cell naming the group of the lower ones."""
    best, best_score = None, 0
    for index, (_number, row) in enumerate(rows):
        score = _header_score(row, vocab)
        if score > best_score:
            best, best_score = index, score
    if best is None or best_score < HEADER_MIN_COLUMNS:
        raise LedgerFileError(_("没有找到表头：请确认表格中有“姓名”“村（社区）”“身份证号码”等列名。"), code="no_header")
    number, top = rows[best]
    below = rows[best + 1][1] if best + 1 < len(rows) else ()
    width = max(len(top), len(below))

    def known(label: str) -> bool:
        return vocab.lookup(SynonymKind.HEADER, label) not in (None, IGNORE)

    uppers = [_compact(top[i]) if i < len(top) else "" for i in range(width)]
    lowers = [_compact(below[i]) if i < len(below) else "" for i in range(width)]
    groups: list[str] = []
    group = ""
    for upper in uppers:
        group = upper or group
        groups.append(group)
    # The row below is a second header row when at least two of its cells name columns.
    two_rows = sum(1 for i in range(width) if lowers[i] and (known(groups[i] + lowers[i]) or known(lowers[i]))) >= 2
    labels: list[str] = []
    for i in range(width):
        upper, lower = uppers[i], lowers[i]
        if two_rows and lower:
            combined = groups[i] + lower
            labels.append(combined if known(combined) else upper if upper and known(upper) else lower)
        else:
            labels.append(upper)
    columns: dict[str, int] = {}
    cells: list[dict[str, Any]] = []
    unknown: list[str] = []
    for i, label in enumerate(labels):
        if not label:
            continue
        key = vocab.lookup(SynonymKind.HEADER, label)
        if key is None:
            unknown.append(label)
        elif key != IGNORE and key in COLUMNS and key not in columns:
            columns[key] = i
        cells.append({"column": i, "text": label, "key": key or ""})
    missing = [COLUMNS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if "id_number" not in columns and "birth_date" not in columns:
        missing.append(COLUMNS["id_number"])
    if missing:
        raise LedgerFileError(
            _("表头缺少必需的列：%(cols)s。请补上这些列，或在导入页面把表头对应到这些列。")
            % {"cols": "、".join(missing)},
            code="missing_columns",
        )
    return Header(row=rows[best + 1][0] if two_rows else number, columns=columns, cells=cells, unknown=unknown)

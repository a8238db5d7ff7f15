"""Ledger import (issue 12 §1): a town's Excel ledger (台账) read as it is, normalised, checked row by row
with the registration form's rules (cases.registry.services), previewed, then committed at once.

The pipeline streams: openpyxl in read-only mode (or csv) yields the sheet's rows, which are normalised
and checked a chunk at a time; each chunk's matches in the registry are looked up in a few queries and
new children are written with bulk inserts, so time and memory stay flat in the size of the file
(bench/ledger_import.py). Changed children go through `minor_update` / `minor_move` one by one, so
their history reads like any other change, noted "导入 <file name>" (registry_source).

Rules: categories are multi-valued (domain.md §2.2); under 18 (§10.3); no ID number needs a reason
(§2.2 UNREGISTERED); the grade becomes an assessment of kind IMPORTED by the importer (§3.1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.accesslog.recorder import access_suspended
from cases.hooks import minors_changed_later
from cases.imports.models import ImportBatch, LedgerSynonym, SynonymKind
from cases.models import (
    GUARDIAN_FLAGS,
    Category,
    EducationStatus,
    Gender,
    Guardian,
    GuardianRelation,
    Minor,
    MinorCategory,
    MinorEvent,
    MinorStatus,
    NoIdReason,
    RiskGrade,
)
from cases.registry.identity import parse_id_number, validate_phone
from cases.registry.romanisation import name_romanisation
from cases.registry.services import (
    _GUARDIAN_DEFAULTS,
    GUARDIAN_FIELDS,
    MINOR_FIELDS,
    CategoryChoice,
    _clean_minor_data,
    _validate_guardians,
    _validate_minor,
    minor_move,
    minor_update,
    registry_source,
)
from tiers.errors import ActionNotAllowed
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach

# The columns a ledger may have, by key, with the name the page shows (and the header the example file uses).
COLUMNS: dict[str, str] = {
    "seq": "序号",
    "village": "村（社区）",
    "grid": "网格",
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号码",
    "no_id_reason": "无身份证号原因",
    "categories": "困境类型",
    "guardian_name": "监护人姓名",
    "guardian_relation": "与儿童关系",
    "guardian_phone": "监护人联系电话",
    "guardian_situation": "监护人情况",
    "education": "就学情况",
    "school_name": "就读学校",
    "address": "家庭住址",
    "risk_grade": "风险等级",
    "note": "备注",
}
IGNORE = "IGNORE"
NORMAL = "NORMAL"  # a guardian situation word meaning "no special situation" (正常)
REQUIRED_COLUMNS = ("village", "name")
CHUNK_SIZE = 2000
HEADER_SCAN_ROWS = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
_SPLIT = re.compile(r"[、,;/\s]+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TOTAL_WORDS = ("合计", "总计", "小计")
_EXCEL_EPOCH = date(1899, 12, 30)

# Which column's words each synonym kind reads.
_KIND_OF_COLUMN = {
    "categories": SynonymKind.CATEGORY,
    "guardian_situation": SynonymKind.GUARDIAN_SITUATION,
    "guardian_relation": SynonymKind.RELATION,
    "education": SynonymKind.EDUCATION,
    "risk_grade": SynonymKind.GRADE,
    "gender": SynonymKind.GENDER,
    "no_id_reason": SynonymKind.NO_ID_REASON,
}
# Registry error fields → the column a rejection names.
_FIELD_COLUMN = {
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "no_id_reason": "no_id_reason",
    "no_id_note": "no_id_reason",
    "categories": "categories",
    "orphan_care_setting": "categories",
    "guardians": "guardian_name",
    "region": "village",
    "confirm_possible_duplicate": "name",
}


class LedgerFileError(ValidationError):
    """The file as a whole cannot be imported (not a ledger, no header, no rows): nothing is saved."""


class ImportPermissionDenied(ActionNotAllowed):
    """The actor may not import into this town."""


def word_key(text: Any) -> str:
    """The form a word is compared in: NFKC (full-width letters, digits, brackets and spaces become
    ordinary ones), no whitespace, lower case. Synonyms and headers are matched on this form."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _text(value: Any) -> str:
    """A cell as text: NFKC, whitespace (also full-width) collapsed and trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def _compact(value: Any) -> str:
    """A cell as text without any whitespace (names: "张　三" is 张三)."""
    return re.sub(r"\s+", "", _text(value))


# --- vocabulary ----------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Everything a word of the file may mean, for one town: shipped synonyms, the town's own mappings
    (which win), the mapping file of the command line (which wins over both), and the registry's labels."""

    words: dict[str, dict[str, str]]
    categories: dict[str, Category]
    known: dict[str, list[str]]

    def lookup(self, kind: str, text: str) -> str | None:
        return self.words[kind].get(word_key(text))


def _choice_words(choices) -> dict[str, str]:
    return {word_key(label): value for value, label in choices}


def vocabulary_for(*, town: Region, extra: dict[str, dict[str, str]] | None = None) -> Vocabulary:
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    words: dict[str, dict[str, str]] = {kind: {} for kind in SynonymKind.values}
    words[SynonymKind.HEADER].update({word_key(label): key for key, label in COLUMNS.items()})
    for category in categories.values():
        words[SynonymKind.CATEGORY][word_key(category.name)] = category.code
        words[SynonymKind.CATEGORY][word_key(category.code)] = category.code
    words[SynonymKind.RELATION].update(_choice_words(GuardianRelation.choices))
    words[SynonymKind.EDUCATION].update(_choice_words(EducationStatus.choices))
    words[SynonymKind.GRADE].update(_choice_words(RiskGrade.choices))
    words[SynonymKind.GENDER].update(_choice_words(Gender.choices))
    words[SynonymKind.NO_ID_REASON].update(_choice_words(NoIdReason.choices))
    flag_labels = {flag: str(Guardian._meta.get_field(flag).verbose_name) for flag in GUARDIAN_FLAGS}
    words[SynonymKind.GUARDIAN_SITUATION].update({word_key(label): flag for flag, label in flag_labels.items()})
    # Shipped rows first, then the town's own, so the town's choice wins.
    rows = LedgerSynonym.objects.filter(Q(town__isnull=True) | Q(town=town)).order_by("town_id", "id")
    for synonym in sorted(rows, key=lambda s: s.town_id is not None):
        words[synonym.kind][word_key(synonym.word)] = synonym.value
    for kind, mapping in (extra or {}).items():
        for word, value in mapping.items():
            words[kind][word_key(word)] = value
    known = {
        SynonymKind.CATEGORY: [c.name for c in sorted(categories.values(), key=lambda c: (c.sort_order, c.code))],
        SynonymKind.GUARDIAN_SITUATION: [*flag_labels.values(), _("正常")],
        SynonymKind.RELATION: [str(label) for label in GuardianRelation.labels],
        SynonymKind.EDUCATION: [str(label) for label in EducationStatus.labels],
        SynonymKind.GRADE: [str(label) for label in RiskGrade.labels],
        SynonymKind.GENDER: [str(label) for label in Gender.labels],
        SynonymKind.NO_ID_REASON: [str(label) for label in NoIdReason.labels],
    }
    return Vocabulary(words=words, categories=categories, known=known)


def mapping_targets(kind: str) -> list[tuple[str, str]]:
    """What an unknown word of `kind` may be mapped to on the page: (value, label)."""
    if kind == SynonymKind.HEADER:
        return [*COLUMNS.items(), (IGNORE, _("忽略此列"))]
    if kind == SynonymKind.CATEGORY:
        return [(c.code, c.name) for c in Category.objects.filter(is_active=True)]
    if kind == SynonymKind.GUARDIAN_SITUATION:
        return [(flag, str(Guardian._meta.get_field(flag).verbose_name)) for flag in GUARDIAN_FLAGS] + [
            (NORMAL, _("正常"))
        ]
    choices = {
        SynonymKind.RELATION: GuardianRelation.choices,
        SynonymKind.EDUCATION: EducationStatus.choices,
        SynonymKind.GRADE: RiskGrade.choices,
        SynonymKind.GENDER: Gender.choices,
        SynonymKind.NO_ID_REASON: NoIdReason.choices,
    }[kind]
    return [(value, str(label)) for value, label in choices]


# --- reading -------------------------------------------------------------------------------------


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
    if best is None or best_score < 3:
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


# --- normalising ---------------------------------------------------------------------------------


def normalise_id(value: Any) -> str:
    """Spaces and full-width characters removed, a leading apostrophe dropped, lower-case x raised."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:.0f}"
    return _compact(value).lstrip("'").upper()


def normalise_date(value: Any) -> date | None:
    """An Excel date, or text written 2015.3.4, 2015/03/04, 2015-3-4, 2015年3月4日 or 20150304.
    Raises ValueError when it is none of these."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number that lost its date format
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = f"{value:.0f}"
    text = _compact(value)
    if not text:
        return None
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match is None and " " in _text(value):
        match = _DATE_TEXT.match(_text(value).split(" ")[0])
    if match is None:
        raise ValueError(text)
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def split_words(value: Any) -> list[str]:
    """Several words in one cell, separated by 、，,；;/ or spaces."""
    return [word for word in _SPLIT.split(_text(value)) if word]


@dataclass
class RowError:
    column: str
    message: str


@dataclass
class LedgerRow:
    """One data row of the file, normalised, with the registry inputs it stands for."""

    number: int
    ref: str
    cells: tuple
    errors: list[RowError] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (kind, word)
    data: dict[str, Any] = field(default_factory=dict)
    categories: list[CategoryChoice] = field(default_factory=list)
    guardian: dict[str, Any] | None = None
    region: Region | None = None
    village: Region | None = None
    grade: str = ""

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(column, message))


def _unknown_message(kind: str, word: str, vocab: Vocabulary) -> str:
    return _("“%(word)s”无法识别（%(kind)s）。可用：%(known)s；或在导入页面把它对应到其中一项。") % {
        "word": word,
        "kind": SynonymKind(kind).label,
        "known": "、".join(vocab.known[kind]),
    }


@dataclass
class Places:
    """The town's villages and their grids, by every name a ledger may give them."""

    town: Region
    villages: dict[str, Region]
    grids: dict[int, dict[str, Region]]

    @classmethod
    def of(cls, town: Region) -> Places:
        villages: dict[str, Region] = {}
        grids: dict[int, dict[str, Region]] = {}
        units = list(Region.objects.filter(path__startswith=town.path, is_active=True).exclude(pk=town.pk))
        for unit in units:
            if unit.level == Level.VILLAGE:
                for name in _place_names(unit.name, ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")):
                    villages.setdefault(name, unit)
        by_id = {unit.pk: unit for unit in units}
        for unit in units:
            if unit.level == Level.GRID and unit.parent_id in by_id:
                village = by_id[unit.parent_id]
                names = grids.setdefault(village.pk, {})
                for name in _place_names(unit.name, ()):
                    names.setdefault(name, unit)
                short = unit.name.removeprefix(village.name)
                for name in _place_names(short, ()):
                    names.setdefault(name, unit)
        return cls(town=town, villages=villages, grids=grids)

    def village_names(self) -> list[str]:
        return sorted({v.name for v in self.villages.values()})


def _place_names(name: str, suffixes: tuple[str, ...]) -> list[str]:
    key = word_key(name)
    names = [key]
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            names.append(key[: -len(suffix)])
            break
    return names


def _village_for(text: str, places: Places) -> Region | None:
    key = word_key(text)
    if key in places.villages:
        return places.villages[key]
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"):
        if key.endswith(suffix) and key[: -len(suffix)] in places.villages:
            return places.villages[key[: -len(suffix)]]
    return None


def normalise_row(number: int, cells: tuple, header: Header, vocab: Vocabulary, places: Places) -> LedgerRow:
    """Turn one sheet row into registry inputs; every problem is a RowError naming its column."""

    def cell(key: str) -> Any:
        index = header.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    row = LedgerRow(number=number, ref=_text(cell("seq")), cells=cells)
    data: dict[str, Any] = {}
    data["name"] = _compact(cell("name"))
    note_text = _text(cell("note"))

    raw_id = normalise_id(cell("id_number"))
    id_birth = id_gender = None
    if raw_id:
        data["id_number"] = raw_id
        try:
            _number, id_birth, id_gender = parse_id_number(raw_id)
        except ValidationError:
            pass  # reported by the registry's own check below
        if isinstance(cell("id_number"), float) and len(raw_id) >= 16:
            row.error(
                "id_number",
                _("身份证号码被Excel存成了数字，末几位已丢失；请把该列设为文本格式后重新填写。"),
            )

    try:
        birth = normalise_date(cell("birth_date"))
    except ValueError as exc:
        birth = None
        row.error(
            "birth_date",
            _("出生日期“%(v)s”无法识别，可写作 2015-03-04、2015.3.4、2015/03/04 或 2015年3月4日。") % {"v": exc},
        )
    else:
        if birth is None:
            birth = id_birth
    data["birth_date"] = birth

    gender_text = _compact(cell("gender"))
    if gender_text:
        gender = vocab.lookup(SynonymKind.GENDER, gender_text)
        if gender is None:
            row.unknown.append((SynonymKind.GENDER, gender_text))
            row.error("gender", _unknown_message(SynonymKind.GENDER, gender_text, vocab))
        data["gender"] = gender or ""
    else:
        data["gender"] = id_gender or ""

    if not raw_id:
        reason_text = _compact(cell("no_id_reason"))
        reason = vocab.lookup(SynonymKind.NO_ID_REASON, reason_text) if reason_text else None
        if reason_text and reason is None:
            row.unknown.append((SynonymKind.NO_ID_REASON, reason_text))
            row.error("no_id_reason", _unknown_message(SynonymKind.NO_ID_REASON, reason_text, vocab))
        if reason is None and not reason_text and note_text:
            reason = vocab.lookup(SynonymKind.NO_ID_REASON, note_text)
        data["no_id_reason"] = reason or ""
        if reason == NoIdReason.OTHER:
            data["no_id_note"] = note_text or reason_text

    education_text = _compact(cell("education"))
    if education_text:
        education = vocab.lookup(SynonymKind.EDUCATION, education_text)
        if education is None:
            row.unknown.append((SynonymKind.EDUCATION, education_text))
            row.error("education", _unknown_message(SynonymKind.EDUCATION, education_text, vocab))
        data["education_status"] = education or ""
    data["school_name"] = _text(cell("school_name"))[:100]
    data["address"] = _text(cell("address"))[:200]

    codes: list[str] = []
    for word in split_words(cell("categories")):
        code = vocab.lookup(SynonymKind.CATEGORY, word)
        if code is None:
            row.unknown.append((SynonymKind.CATEGORY, word))
            row.error("categories", _unknown_message(SynonymKind.CATEGORY, word, vocab))
        elif code not in codes:
            codes.append(code)
    row.categories = [
        CategoryChoice(
            code, note_text[:200] if vocab.categories.get(code) and vocab.categories[code].requires_note else ""
        )
        for code in codes
    ]

    grade_text = _compact(cell("risk_grade"))
    if grade_text:
        grade = vocab.lookup(SynonymKind.GRADE, grade_text)
        if grade is None or grade not in RiskGrade.values:
            row.unknown.append((SynonymKind.GRADE, grade_text))
            row.error("risk_grade", _unknown_message(SynonymKind.GRADE, grade_text, vocab))
        else:
            row.grade = grade

    guardian_name = _compact(cell("guardian_name"))
    if guardian_name:
        guardian: dict[str, Any] = {**_GUARDIAN_DEFAULTS, "name": guardian_name}
        relation_text = _compact(cell("guardian_relation"))
        relation = vocab.lookup(SynonymKind.RELATION, relation_text) if relation_text else None
        if relation_text and relation is None:
            row.unknown.append((SynonymKind.RELATION, relation_text))
            row.error("guardian_relation", _unknown_message(SynonymKind.RELATION, relation_text, vocab))
        elif relation is None:
            row.error("guardian_relation", _("填写了监护人时请填写与儿童关系。"))
        guardian["relation"] = relation or ""
        guardian["phone"] = normalise_id(cell("guardian_phone")) if cell("guardian_phone") is not None else ""
        guardian["phone"] = guardian["phone"].replace("(", "").replace(")", "")
        if guardian["phone"]:
            try:
                validate_phone(guardian["phone"])
            except ValidationError as exc:
                row.error("guardian_phone", exc.messages[0])
        situation_words = split_words(cell("guardian_situation"))
        guardian["situation_given"] = bool(situation_words)
        for word in situation_words:
            flag = vocab.lookup(SynonymKind.GUARDIAN_SITUATION, word)
            if flag is None:
                row.unknown.append((SynonymKind.GUARDIAN_SITUATION, word))
                row.error("guardian_situation", _unknown_message(SynonymKind.GUARDIAN_SITUATION, word, vocab))
            elif flag in GUARDIAN_FLAGS:
                guardian[flag] = True
                if flag == "other_situation":
                    guardian["situation_note"] = word[:200]
                if flag in ("works_away", "is_imprisoned", "in_drug_rehab", "is_deceased", "is_missing"):
                    guardian["lives_with_minor"] = False
        row.guardian = guardian

    village_text = _text(cell("village"))
    if not village_text:
        row.error("village", _("请填写村（社区）。"))
    else:
        village = _village_for(village_text, places)
        if village is None:
            row.error(
                "village",
                _("村（社区）“%(v)s”不在%(town)s。本乡镇（街道）的村（社区）：%(names)s。")
                % {"v": village_text, "town": places.town.name, "names": "、".join(places.village_names())},
            )
        else:
            row.village = row.region = village
            grid_text = _text(cell("grid"))
            if grid_text:
                grid = places.grids.get(village.pk, {}).get(word_key(grid_text))
                if grid is None:
                    grid = places.grids.get(village.pk, {}).get(word_key(grid_text.removeprefix(village.name)))
                if grid is not None:
                    row.region = grid
                else:
                    # Ledgers give the villagers' group (1组, 2组 …) where the village has no such grid.
                    data["villager_group"] = grid_text[:50]
    row.data = data
    return row


# --- checking ------------------------------------------------------------------------------------


def _registry_errors(row: LedgerRow, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [("name", exc.messages)]:
        column = _FIELD_COLUMN.get(name, "name")
        for message in errors:
            row.error(column, message)


def check_row(row: LedgerRow, *, actor, vocab: Vocabulary) -> None:
    """The registration form's rules (cases.registry.services._validate_minor, _validate_guardians)."""
    data = _clean_minor_data(row.data)
    try:
        _validate_minor(
            actor=actor, data=data, categories=row.categories, exclude_pk=None, known_categories=vocab.categories
        )
    except ValidationError as exc:
        _registry_errors(row, exc)
    if row.guardian is not None and row.guardian.get("relation"):
        try:
            _validate_guardians([row.guardian])
        except ValidationError as exc:
            _registry_errors(row, exc)
    row.data = data


# --- matching and planning -----------------------------------------------------------------------


@dataclass
class Plan:
    """What the import does with the rows: counts, new children, changed ones, refusals."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{k: v for k, v in r.items() if k != "values"} for r in self.rejected],
        }


def _reject(plan: Plan, row: LedgerRow) -> None:
    plan.rejected.append(
        {
            "row": row.number,
            "ref": row.ref,
            "errors": [{"field": COLUMNS.get(e.column, e.column), "message": e.message} for e in row.errors],
            "values": [_text(value) for value in row.cells],
        }
    )


def _existing_for(rows: list[LedgerRow]) -> tuple[dict[str, Minor], dict[tuple[str, date], list[Minor]]]:
    ids = [row.data["id_number"] for row in rows if row.data.get("id_number")]
    pairs = {(row.data["name"], row.data["birth_date"]) for row in rows}
    by_id: dict[str, Minor] = {}
    by_pair: dict[tuple[str, date], list[Minor]] = {}
    base = Minor.objects.select_related("region").prefetch_related("category_links__category", "guardians")
    if ids:
        by_id = {m.id_number: m for m in base.filter(id_number__in=ids)}
    if pairs:
        names = {name for name, _birth in pairs}
        births = {birth for _name, birth in pairs}
        for minor in base.filter(name__in=names, birth_date__in=births):
            if (minor.name, minor.birth_date) in pairs:
                by_pair.setdefault((minor.name, minor.birth_date), []).append(minor)
    return by_id, by_pair


def _match(row: LedgerRow, *, actor, town: Region, by_id: dict, by_pair: dict) -> tuple[Minor | None, str | None]:
    """The registered child this row is (match by ID number, or by name + birth date + village), or a
    reason to refuse the row (registered elsewhere; possible duplicate; closed record)."""
    id_number = row.data.get("id_number")
    candidates = by_pair.get((row.data["name"], row.data["birth_date"]), [])
    existing = by_id.get(id_number) if id_number else None
    if existing is None:
        same_village = [
            m for m in candidates if m.region.path.startswith(row.village.path) and (not id_number or not m.id_number)
        ]
        if len(same_village) == 1:
            existing = same_village[0]
        elif candidates:
            visible = [m for m in candidates if user_reach(actor, Capability.VIEW_RECORDS).covers(m.region.path)]
            if visible:
                who = "、".join(f"{m.name}（{m.region.name}）" for m in visible)
                return None, _(
                    "已有同名且出生日期相同的登记：%(who)s。请核实是否同一人；不是同一人的请在登记页面逐个登记。"
                ) % {"who": who}
            return None, _("其他地区已有同名且出生日期相同的登记。请先联系乡镇（街道）民政办核实。")
    if existing is None:
        return None, None
    if not existing.region.path.startswith(town.path):
        if user_reach(actor, Capability.VIEW_RECORDS).covers(existing.region.path):
            return None, _("该身份证号码已登记：%(name)s（%(place)s），不在%(town)s；迁入请在档案页办理。") % {
                "name": existing.name,
                "place": existing.region.name,
                "town": town.name,
            }
        return None, _("该身份证号码已在其他地区登记，请联系乡镇（街道）民政办。")
    if existing.status != MinorStatus.ACTIVE:
        return None, _("该儿童的档案已销档（%(reason)s）；如需恢复在册，请在档案页办理。") % {
            "reason": existing.get_closed_reason_display()
        }
    return existing, None


@dataclass
class Update:
    minor: Minor
    data: dict[str, Any]
    guardians: list[dict[str, Any]]
    categories: list[CategoryChoice]
    region: Region | None
    grade: str


def _merge(existing: Minor, row: LedgerRow) -> Update | None:
    """The record as the file would leave it: values the file gives replace the registry's, empty cells
    keep them; categories and guardians are added, never removed (the ledger may lack what a person
    entered by hand). None when nothing would change."""
    old = {field_name: getattr(existing, field_name) for field_name in MINOR_FIELDS}
    data = dict(old)
    for key, value in row.data.items():
        if key in MINOR_FIELDS and value not in (None, ""):
            data[key] = value
    if data.get("id_number"):
        data["no_id_reason"], data["no_id_note"] = "", ""
    changed = any((old.get(k) or None) != (data.get(k) or None) for k in MINOR_FIELDS)

    links = list(existing.category_links.all())
    have = {link.category.code: link.note for link in links}
    categories = [CategoryChoice(code, note) for code, note in have.items()]
    for choice in row.categories:
        if choice.code not in have:
            categories.append(choice)
            changed = True

    guardians: list[dict[str, Any]] = []
    matched = False
    for guardian in existing.guardians.all():
        item = {"id": guardian.pk, **{f: getattr(guardian, f) for f in GUARDIAN_FIELDS}}
        if row.guardian is not None and not matched and word_key(guardian.name) == word_key(row.guardian["name"]):
            matched = True
            before = dict(item)
            if row.guardian.get("relation"):
                item["relation"] = row.guardian["relation"]
            if row.guardian.get("phone"):
                item["phone"] = row.guardian["phone"]
            if row.guardian.get("situation_given"):
                for flag in GUARDIAN_FLAGS:
                    item[flag] = row.guardian[flag]
                item["lives_with_minor"] = row.guardian["lives_with_minor"]
                if row.guardian.get("situation_note"):
                    item["situation_note"] = row.guardian["situation_note"]
            changed = changed or item != before
        guardians.append(item)
    if row.guardian is not None and not matched:
        guardians.append({k: v for k, v in row.guardian.items() if k in GUARDIAN_FIELDS})
        changed = True

    region = row.region if row.region is not None and row.region.pk != existing.region_id else None
    grade = row.grade if row.grade and row.grade != existing.risk_grade else ""
    if not changed and region is None and not grade:
        return None
    return Update(minor=existing, data=data, guardians=guardians, categories=categories, region=region, grade=grade)


# --- the pipeline --------------------------------------------------------------------------------


def _extra_map(mapping: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    """A --map file's content: {"HEADER": {"儿童姓名": "name"}, "category": {"孤残": "ORPHAN"}, …}."""
    result: dict[str, dict[str, str]] = {}
    for kind, words in (mapping or {}).items():
        upper = str(kind).upper()
        if upper not in SynonymKind.values:
            raise LedgerFileError(
                _("对照文件中的类型“%(k)s”无效，可用：%(known)s。")
                % {"k": kind, "known": ", ".join(SynonymKind.values)},
                code="bad_map",
            )
        result[upper] = {str(word): str(value) for word, value in words.items()}
    return result


def run_import(
    *,
    actor,
    town: Region,
    data: bytes,
    file_name: str,
    commit: bool,
    mapping: dict[str, dict[str, str]] | None = None,
    progress=None,
) -> tuple[Plan, Header]:
    """Read, normalise, check and (with `commit`) write; the caller holds the transaction."""
    vocab = vocabulary_for(town=town, extra=_extra_map(mapping))
    places = Places.of(town)
    rows = read_sheet(data, file_name)
    head: list[tuple[int, tuple]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    header = find_header(head, vocab)
    source = _("导入 %(file)s") % {"file": file_name}
    plan = Plan()
    seen_ids: dict[str, int] = {}
    seen_pairs: dict[tuple, int] = {}
    unknown: dict[str, dict[str, None]] = {}

    def data_rows() -> Iterator[tuple[int, tuple]]:
        for number, cells in head:
            if number > header.row:
                yield number, cells
        yield from rows

    chunk: list[LedgerRow] = []
    for number, cells in data_rows():
        row = _data_row(number, cells, header, vocab, places)
        if row is None:
            continue
        plan.total += 1
        for kind, word in row.unknown:
            unknown.setdefault(kind, {})[word] = None
        if not row.errors:
            check_row(row, actor=actor, vocab=vocab)
        if not row.errors:
            _check_in_file(row, seen_ids, seen_pairs)
        chunk.append(row)
        if len(chunk) >= CHUNK_SIZE:
            _settle(chunk, plan=plan, actor=actor, town=town, commit=commit, source=source)
            chunk = []
            if progress is not None:
                progress(plan.total)
    _settle(chunk, plan=plan, actor=actor, town=town, commit=commit, source=source)
    if plan.total == 0:
        raise LedgerFileError(_("表头下方没有数据行。"), code="empty")
    if header.unknown:
        unknown.setdefault(SynonymKind.HEADER, {}).update(dict.fromkeys(header.unknown))
    plan.unknown = {kind: list(words) for kind, words in unknown.items()}
    return plan, header


def _data_row(number: int, cells: tuple, header: Header, vocab: Vocabulary, places: Places) -> LedgerRow | None:
    """None for rows that are not children: blank rows, a total row (合计), footers without a name."""
    if not cells or all(value is None or _compact(value) == "" for value in cells):
        return None
    for value in cells[:4]:
        if _compact(value).startswith(_TOTAL_WORDS):
            return None

    def has(key: str) -> bool:
        index = header.columns.get(key)
        return index is not None and index < len(cells) and _compact(cells[index]) != ""

    if not (has("name") or has("id_number")):
        return None
    return normalise_row(number, cells, header, vocab, places)


def _check_in_file(row: LedgerRow, seen_ids: dict[str, int], seen_pairs: dict[tuple, int]) -> None:
    id_number = row.data.get("id_number")
    if id_number:
        first = seen_ids.setdefault(id_number, row.number)
        if first != row.number:
            row.error("id_number", _("与第%(n)d行的身份证号码相同（文件内重复）。") % {"n": first})
            return
    pair = (row.data["name"], row.data["birth_date"], row.village.pk if row.village else None)
    if not id_number:
        first = seen_pairs.setdefault(pair, row.number)
        if first != row.number:
            row.error("name", _("与第%(n)d行姓名、出生日期和村（社区）相同（文件内重复）。") % {"n": first})


def _settle(rows: list[LedgerRow], *, plan: Plan, actor, town: Region, commit: bool, source: str) -> None:
    """Decide each row of a chunk (create, update, unchanged, reject) and, with `commit`, write it."""
    good = [row for row in rows if not row.errors]
    for row in rows:
        if row.errors:
            _reject(plan, row)
    if not good:
        return
    by_id, by_pair = _existing_for(good)
    creates: list[LedgerRow] = []
    updates: list[tuple[LedgerRow, Update]] = []
    for row in good:
        existing, refusal = _match(row, actor=actor, town=town, by_id=by_id, by_pair=by_pair)
        if refusal:
            row.error("id_number" if row.data.get("id_number") else "name", refusal)
            _reject(plan, row)
        elif existing is None:
            creates.append(row)
        else:
            update = _merge(existing, row)
            if update is None:
                plan.unchanged += 1
            else:
                updates.append((row, update))
    if commit:
        refused = _write_updates(updates, actor=actor, source=source)
        for row, exc in refused:
            _registry_errors(row, exc)
            _reject(plan, row)
        refused_rows = {id(row) for row, _exc in refused}
        updates = [(row, update) for row, update in updates if id(row) not in refused_rows]
        _write_creates(creates, actor=actor, source=source)
    plan.created += len(creates)
    plan.updated += len(updates)


def _write_creates(rows: list[LedgerRow], *, actor, source: str) -> None:
    """The bulk twin of `minor_register` for rows already checked with its rules: the same rows, the
    registration with its categories as one event and the guardian as another, in a few INSERTs a chunk."""
    if not rows:
        return
    now = timezone.now()
    minors = []
    for row in rows:
        pinyin, initials = name_romanisation(row.data["name"])
        minors.append(
            Minor(
                **row.data,
                region=row.region,
                name_pinyin=pinyin,
                name_initials=initials,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
        )
    Minor.objects.bulk_create(minors, batch_size=1000)
    events: list[MinorEvent] = []
    links: list[MinorCategory] = []
    guardians: list[Guardian] = []
    for row, minor in zip(rows, minors, strict=True):
        # One event for the registration and its categories (minor_register writes one per category; at
        # tens of thousands of children the history says the same in half the rows).
        changes = [{"field": "region", "from": None, "to": row.region.name}]
        for choice in row.categories:
            links.append(
                MinorCategory(minor=minor, category_id=_category_id(choice.code), note=choice.note, added_at=now)
            )
            changes.append({"field": "category", "from": None, "to": choice.code})
        events.append(
            MinorEvent(minor=minor, kind=MinorEvent.Kind.REGISTERED, actor=actor, at=now, changes=changes, note=source)
        )
        if row.guardian is not None:
            values = {k: v for k, v in row.guardian.items() if k in GUARDIAN_FIELDS}
            guardians.append(Guardian(minor=minor, sort_order=0, **values))
            events.append(
                MinorEvent(
                    minor=minor,
                    kind=MinorEvent.Kind.GUARDIAN_ADDED,
                    actor=actor,
                    at=now,
                    changes=[
                        {"field": f, "from": None, "to": v} for f, v in values.items() if v not in ("", False, None)
                    ],
                    note=source,
                )
            )
    MinorCategory.objects.bulk_create(links, batch_size=2000)
    Guardian.objects.bulk_create(guardians, batch_size=2000)
    MinorEvent.objects.bulk_create(events, batch_size=2000)
    minors_changed_later([minor.pk for minor in minors])
    graded = [(minor, row.grade) for row, minor in zip(rows, minors, strict=True) if row.grade]
    if graded:
        _record_grades(graded, actor=actor, source=source)


_category_ids: dict[str, int] = {}


def _category_id(code: str) -> int:
    if code not in _category_ids:
        _category_ids.update(Category.objects.values_list("code", "pk"))
    return _category_ids[code]


def _record_grades(graded: list[tuple[Minor, str]], *, actor, source: str) -> None:
    from screening.grading.services import imported_grades_record

    imported_grades_record(actor=actor, grades=graded, source=source)


def _write_updates(updates: list[tuple[LedgerRow, Update]], *, actor, source: str) -> list:
    """Changed children through the registry's own services, so each change is an event as usual."""
    refused = []
    graded: list[tuple[Minor, str]] = []
    with registry_source(source):
        for row, update in updates:
            try:
                with transaction.atomic():
                    minor = minor_update(
                        actor=actor,
                        minor=update.minor,
                        data=update.data,
                        guardians=update.guardians,
                        categories=update.categories,
                        confirm_possible_duplicate=True,
                    )
                    if update.region is not None:
                        minor = minor_move(actor=actor, minor=minor, region=update.region, note=source)
            except ValidationError as exc:
                refused.append((row, exc))
                continue
            if update.grade:
                graded.append((minor, update.grade))
    if graded:
        _record_grades(graded, actor=actor, source=source)
    return refused


# --- services ------------------------------------------------------------------------------------


def _require_import(actor, town: Region) -> None:
    from cases.registry.services import _is_system

    if town.level != Level.TOWN:
        raise ValidationError({"town": [ValidationError(_("请选择乡镇（街道）。"), code="invalid_level")]})
    if not (_is_system(actor) or user_reach(actor, Capability.IMPORT_LEDGER).covers(town.path)):
        raise ImportPermissionDenied


def _read_upload(upload: IO[bytes] | bytes) -> bytes:
    data = upload if isinstance(upload, bytes) else upload.read()
    if len(data) > MAX_FILE_BYTES:
        raise LedgerFileError(_("文件超过20MB，请分批导入。"), code="too_large")
    return data


def _store_outcome(batch: ImportBatch, plan: Plan, header: Header) -> None:
    batch.total_rows = plan.total
    batch.created_count = plan.created
    batch.updated_count = plan.updated
    batch.unchanged_count = plan.unchanged
    batch.rejected_count = len(plan.rejected)
    batch.rejected_rows = plan.rejected
    batch.headers = header.cells
    batch.header_row = header.row
    batch.unknown_words = plan.unknown


def ledger_preview(
    *, actor, town: Region, upload: IO[bytes] | bytes, file_name: str, mapping: dict | None = None
) -> ImportBatch:
    """Dry run (issue 12 §1, "dry run first"): read and check the file and record what a commit would do
    as a PREVIEWED batch, keeping the file for the commit. Nothing in the registry changes. A file that
    is bad as a whole raises LedgerFileError and leaves no batch."""
    _require_import(actor, town)
    data = _read_upload(upload)
    with access_suspended(), transaction.atomic():
        plan, header = run_import(actor=actor, town=town, data=data, file_name=file_name, commit=False, mapping=mapping)
        batch = ImportBatch(
            town=town,
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            created_by=actor,
        )
        _store_outcome(batch, plan, header)
        batch.file.save(_stored_name(file_name), ContentFile(data), save=False)
        batch.save()
    return batch


def _stored_name(file_name: str) -> str:
    return "ledger.csv" if _is_csv(file_name) else "ledger.xlsx"


def ledger_preview_refresh(*, actor, batch: ImportBatch) -> ImportBatch:
    """Run the dry run of a previewed batch again (after the town mapped unknown words)."""
    _require_import(actor, batch.town)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ValidationError(_("该批次已导入，不能再预览。"), code="not_previewed")
    with batch.file.open("rb") as handle:
        data = handle.read()
    with access_suspended(), transaction.atomic():
        plan, header = run_import(actor=actor, town=batch.town, data=data, file_name=batch.file_name, commit=False)
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _store_outcome(locked, plan, header)
        locked.save()
    return locked


def ledger_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Commit a previewed batch (issue 12 §1): all accepted rows in one transaction, or none if anything
    fails; the same file again creates nothing (rows match by ID number, or name + birth date + village);
    changed rows go through minor_update/minor_move with the file named in their history."""
    _require_import(actor, batch.town)
    with batch.file.open("rb") as handle:
        data = handle.read()
    return _commit(actor=actor, batch=batch, data=data, mapping=None)


def _commit(*, actor, batch: ImportBatch, data: bytes, mapping: dict | None, progress=None) -> ImportBatch:
    try:
        with access_suspended(), transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportBatch.Status.PREVIEWED:
                raise ValidationError(_("该批次已经导入过了。"), code="already_committed")
            plan, header = run_import(
                actor=actor,
                town=locked.town,
                data=data,
                file_name=locked.file_name,
                commit=True,
                mapping=mapping,
                progress=progress,
            )
            _store_outcome(locked, plan, header)
            locked.status = ImportBatch.Status.COMMITTED
            locked.committed_at = timezone.now()
            locked.save()
    except IntegrityError:
        # Someone registered one of these children meanwhile: nothing of the file is saved.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.FAILED,
            message=_("导入时有记录被他人同时登记，本次未保存任何数据，请重新预览后导入。"),
        )
        raise LedgerFileError(
            _("导入时有记录被他人同时登记，本次未保存任何数据，请重新预览后导入。"), code="conflict"
        ) from None
    return locked


def ledger_import(
    *, actor, town: Region, upload: IO[bytes] | bytes, file_name: str, dry_run: bool, mapping: dict | None = None
) -> ImportBatch:
    """The command line's one step: a dry run, and unless `dry_run` the commit of the same bytes."""
    data = _read_upload(upload)
    batch = ledger_preview(actor=actor, town=town, upload=data, file_name=file_name, mapping=mapping)
    if dry_run:
        return batch
    return _commit(actor=actor, batch=batch, data=data, mapping=mapping)


@transaction.atomic
def ledger_mapping_save(*, actor, town: Region, kind: str, word: str, value: str) -> LedgerSynonym:
    """Remember, for this town, what a word of its ledgers means (issue 12 §1: mapped once per town)."""
    _require_import(actor, town)
    if kind not in SynonymKind.values:
        raise ValidationError({"kind": [ValidationError(_("类型无效。"), code="invalid_choice")]})
    if value not in {v for v, _label in mapping_targets(kind)}:
        raise ValidationError({"value": [ValidationError(_("请选择对应项。"), code="invalid_choice")]})
    word = _compact(word)[:100]
    if not word:
        raise ValidationError({"word": [ValidationError(_("用语不能为空。"), code="required")]})
    synonym, _created = LedgerSynonym.objects.update_or_create(
        kind=kind, word=word, town=town, defaults={"value": value, "created_by": actor, "created_at": timezone.now()}
    )
    return synonym


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

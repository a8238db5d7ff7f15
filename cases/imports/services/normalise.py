"""Normalising a data row of a ledger into the registry's inputs (issue 12 §1): ID numbers, dates, the words
of each column through the vocabulary, the guardian, and the village and grid among the town's places."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.imports.models import SynonymKind
from cases.imports.rules import GUARDIAN_AWAY_FLAGS, TOTAL_WORDS, VILLAGE_SUFFIXES
from cases.imports.services.header import Header
from cases.imports.services.synonyms import Vocabulary
from cases.imports.services.text import _compact, _text, word_key
from cases.models import GUARDIAN_FLAGS, NoIdReason, RiskGrade
from cases.registry.identity import parse_id_number, validate_phone
from cases.registry.services import _GUARDIAN_DEFAULTS, CategoryChoice
from tiers.models import Region
from tiers.roles import Level

_SPLIT = re.compile(r"[、,;/\s]+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


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
                for name in _place_names(unit.name, VILLAGE_SUFFIXES):
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
    for suffix in VILLAGE_SUFFIXES:
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
                if flag in GUARDIAN_AWAY_FLAGS:
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


def _data_row(number: int, cells: tuple, header: Header, vocab: Vocabulary, places: Places) -> LedgerRow | None:
    """None for rows that are not children: blank rows, a total row (合计), footers without a name."""
    if not cells or all(value is None or _compact(value) == "" for value in cells):
        return None
    for value in cells[:4]:
        if _compact(value).startswith(TOTAL_WORDS):
            return None

    def has(key: str) -> bool:
        index = header.columns.get(key)
        return index is not None and index < len(cells) and _compact(cells[index]) != ""

    if not (has("name") or has("id_number")):
        return None
    return normalise_row(number, cells, header, vocab, places)

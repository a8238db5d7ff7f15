"""Checking a normalised row (issue 12 §1) with the registration form's rules, and against the rows above it
in the same file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.imports.services.normalise import LedgerRow
from cases.imports.services.synonyms import Vocabulary
from cases.registry.services import _clean_minor_data, _validate_guardians, _validate_minor

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

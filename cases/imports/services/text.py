"""A cell as text, and the form in which words of a ledger are compared (issue 12 §1)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any


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

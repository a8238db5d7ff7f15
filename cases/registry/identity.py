"""Resident identity numbers (居民身份证号码), GB 11643-1999, and phone numbers.

An 18-character number: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence whose
last digit is odd for men and even for women, and a check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# First two digits: the province-level codes in use (GB/T 2260), plus Hong Kong, Macao and Taiwan
# residence-permit prefixes (81, 82, 83).
_PROVINCES = set(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def parse_id_number(raw: str) -> tuple[str, date, str]:
    """Validate an identity number; return (normalised number, birth date, gender code M/F).

    Raises ValidationError with a message that says what is wrong, in the interface language."""
    number = normalise_id_number(raw)
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位（当前%(n)d位）。") % {"n": len(number)}, code="length")
    if not _SHAPE.match(number):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="format")
    if number[:2] not in _PROVINCES:
        raise ValidationError(_("身份证号码前两位不是有效的省级行政区划代码。"), code="region")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期%(d)s不存在。") % {"d": number[6:14]}, code="birth_date"
        ) from None
    if birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期%(d)s不合理。") % {"d": number[6:14]}, code="birth_date")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(_("身份证号码校验位错误，请核对号码是否抄错。"), code="checksum")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return number, birth, gender


def validate_id_number(raw: str) -> None:
    parse_id_number(raw)


def normalise_phone(raw: str) -> str:
    return re.sub(r"[\s()（）]", "", raw.strip())


def validate_phone(raw: str) -> None:
    if raw and not _PHONE.match(normalise_phone(raw)):
        raise ValidationError(_("电话号码格式不正确：手机号为11位，座机如 0571-12345678。"), code="phone")


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def make_id_number(*, address_code: str, birth: date, sequence: int, gender: str) -> str:
    """Build a valid number (for demo data and tests): `sequence` 0–99, parity set from `gender`."""
    seq = (sequence % 100) * 10 + (1 if gender == "M" else 2)
    first17 = f"{address_code[:6]}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)

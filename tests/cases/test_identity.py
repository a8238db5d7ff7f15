from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases.registry.identity import check_character, make_id_number, parse_id_number, validate_phone

# A published example number (GB 11643 check character 'X').
KNOWN_VALID = "11010519491231002X"


def test_known_valid_number_parses_with_birth_date_and_gender():
    number, birth, gender = parse_id_number(KNOWN_VALID)
    assert number == KNOWN_VALID
    assert birth == date(1949, 12, 31)
    assert gender == "F"


def test_lowercase_check_character_is_normalised():
    number, _, _ = parse_id_number(KNOWN_VALID.lower())
    assert number == KNOWN_VALID


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002Y", "format"),
        ("99010519491231002X", "region"),
        ("110105194902300021", "birth_date"),
        ("110105194912310021", "checksum"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(raw)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]  # a human-readable Chinese message


def test_generated_numbers_are_valid_and_carry_gender_parity():
    for gender in ("M", "F"):
        number = make_id_number(address_code="330521", birth=date(2015, 6, 1), sequence=7, gender=gender)
        _, birth, parsed_gender = parse_id_number(number)
        assert birth == date(2015, 6, 1)
        assert parsed_gender == gender
        assert number[17] == check_character(number[:17])


@pytest.mark.parametrize("phone", ["13800138000", "0571-87654321", "057187654321", "138 0013 8000"])
def test_mobile_and_landline_numbers_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "2380013800", "phone"])
def test_malformed_phone_numbers_are_rejected(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)

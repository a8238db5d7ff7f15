"""The registry's GB 11643 check (cases.registry.identity) agrees with python-stdnum's `cn.ric`, an
independent, widely used implementation, on numbers generated here: valid ones, and the mistakes a clerk
makes when copying one (a digit changed, two neighbours swapped, a wrong check character, an impossible
birth date). stdnum also looks the address code up in its own table, which the registry does not (it
checks the province only), so the generated numbers use address codes stdnum knows, and only the digits
after the address code are changed."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from cases.registry.identity import check_character, make_id_number, parse_id_number

# Districts in stdnum's table for every birth year used here (1998 on; Chongqing's codes date from 1997).
ADDRESS_CODES = ("110101", "110105", "320102", "330106", "420106", "440305", "500103", "510107", "610113")


def accepted(number: str) -> bool:
    try:
        parse_id_number(number)
    except ValidationError:
        return False
    return True


def generated_valid(rng: random.Random, count: int) -> list[str]:
    numbers = []
    for _ in range(count):
        birth = date(1998, 1, 1) + timedelta(days=rng.randrange(365 * 27))
        numbers.append(
            make_id_number(
                address_code=rng.choice(ADDRESS_CODES),
                birth=birth,
                sequence=rng.randrange(100),
                gender=rng.choice("MF"),
            )
        )
    return numbers


def copying_mistakes(rng: random.Random, number: str) -> list[str]:
    """A digit changed, two neighbours swapped, and every other check character (all after the address)."""
    digits = list(number)
    position = rng.randrange(6, 17)
    changed = digits.copy()
    changed[position] = str((int(changed[position]) + rng.randrange(1, 10)) % 10)
    swapped = digits.copy()
    swap = rng.randrange(6, 16)
    swapped[swap], swapped[swap + 1] = swapped[swap + 1], swapped[swap]
    wrong_checks = [number[:17] + check for check in "0123456789X" if check != number[17]]
    return ["".join(changed), "".join(swapped), *wrong_checks]


def test_the_check_character_is_the_one_stdnum_computes():
    rng = random.Random(11643)
    for _ in range(5000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert check_character(first17) == ric.calc_check_digit(first17 + "0"), first17


def test_generated_valid_numbers_are_valid_for_both():
    numbers = generated_valid(random.Random(2026), 500)

    assert [n for n in numbers if not ric.is_valid(n)] == []
    assert [n for n in numbers if not accepted(n)] == []


def test_both_reject_the_same_copying_mistakes():
    rng = random.Random(7064)
    mistakes = [mistake for number in generated_valid(rng, 300) for mistake in copying_mistakes(rng, number)]

    disagree = [(m, accepted(m), ric.is_valid(m)) for m in mistakes if accepted(m) != ric.is_valid(m)]
    assert disagree == []
    # Most copying mistakes are caught (a swap of two equal digits is no mistake at all).
    assert sum(not ric.is_valid(m) for m in mistakes) > 0.95 * len(mistakes)


@pytest.mark.parametrize("birth", ["20230229", "20241301", "20240431", "20240000"])
def test_both_reject_an_impossible_birth_date_even_with_the_right_check_character(birth):
    first17 = f"110105{birth}123"
    number = first17 + check_character(first17)

    assert not ric.is_valid(number)
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(number)
    assert excinfo.value.code == "birth_date"
    assert "出生日期" in excinfo.value.messages[0]

"""Credit codes, resident ID numbers and mobile numbers as applicants type them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.lib.idcheck import (
    USCC_ALPHABET,
    IdentifierError,
    id_check_char,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    mask_mobile,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
    uscc_check_char,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

EXAMPLE_ID = "34052419800101001X"
EXAMPLE_USCC = "91350100M000100Y43"
TODAY = date(2025, 6, 1)


def _code(error: pytest.ExceptionInfo[IdentifierError]) -> str:
    return error.value.code


# ---------------------------------------------------------------- 统一社会信用代码


def test_example_credit_code_is_accepted() -> None:
    assert uscc_check_char(EXAMPLE_USCC[:17]) == "3"
    validate_uscc(EXAMPLE_USCC)
    assert is_valid_uscc(EXAMPLE_USCC)


def test_credit_code_typed_with_spaces_lower_case_or_full_width_is_accepted() -> None:
    for typed in ["9135 0100 m000 100y 43", " 91350100M000100Y43\n", "９１３５０１００Ｍ０００１００Ｙ４３"]:
        assert normalize_uscc(typed) == EXAMPLE_USCC
        validate_uscc(typed)


def test_credit_code_of_wrong_length_says_18_characters() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_uscc("91350100M000100Y4")
    assert _code(error) == "uscc_length"
    assert "应为18位" in error.value.message
    assert "当前为17位" in error.value.message


def test_credit_code_with_letter_o_names_the_position() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_uscc("91350100MO00100Y43")
    assert _code(error) == "uscc_charset"
    assert "第10位“O”" in error.value.message


def test_credit_code_with_one_mistyped_character_fails_the_check() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_uscc("91350100M000100Y44")
    assert _code(error) == "uscc_check"
    assert "营业执照" in error.value.message
    assert not is_valid_uscc("91350100M000100Y44")


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_any_body_with_its_computed_check_char_is_accepted(body: str) -> None:
    assert is_valid_uscc(body + uscc_check_char(body))


@given(uscc_bodies, st.integers(0, 17), st.integers(1, 30))
def test_any_single_substitution_in_a_credit_code_is_detected(body: str, position: int, shift: int) -> None:
    # Weights are 3^i mod 31 and 31 is prime, so any change of one character moves the sum.
    code = body + uscc_check_char(body)
    replacement = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(IdentifierError) as error:
        validate_uscc(changed)
    assert _code(error) == "uscc_check"


# ---------------------------------------------------------------- 居民身份证号码


def test_example_id_number_is_accepted_and_masked() -> None:
    assert id_check_char(EXAMPLE_ID[:17]) == "X"
    validate_id_number(EXAMPLE_ID)
    assert is_valid_id_number("34052419800101001x")
    assert normalize_id_number(" 340524 19800101 001x ") == EXAMPLE_ID
    assert mask_id_number(EXAMPLE_ID) == "340524********001X"


def test_generated_id_numbers_are_accepted() -> None:
    for body in ["11010519491231002", "42900620000229123", "44030419991231000"]:
        assert is_valid_id_number(body + id_check_char(body), today=TODAY)


def test_id_number_of_15_digits_asks_for_18() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_id_number("340524800101001")
    assert _code(error) == "id_length"
    assert "应为18位" in error.value.message


def test_id_number_with_letter_in_body_is_refused() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_id_number("3405241980010100X1")
    assert _code(error) == "id_charset"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("34052419800230001", "“19800230”不是有效日期"),
        ("34052418991231001", "1899年12月31日不在合理范围内"),
        ("34052420250602001", "2025年6月2日不在合理范围内"),
    ],
)
def test_id_number_with_impossible_birth_date_says_which_date(body: str, shown: str) -> None:
    with pytest.raises(IdentifierError) as error:
        validate_id_number(body + id_check_char(body), today=TODAY)
    assert _code(error) == "id_birthdate"
    assert shown in error.value.message


def test_id_number_born_today_is_accepted() -> None:
    body = "340524" + TODAY.strftime("%Y%m%d") + "001"
    validate_id_number(body + id_check_char(body), today=TODAY)


def test_id_number_with_wrong_check_char_is_refused() -> None:
    with pytest.raises(IdentifierError) as error:
        validate_id_number("340524198001010010")
    assert _code(error) == "id_check"
    assert "居民身份证" in error.value.message


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
id_bodies = st.builds(
    lambda area, born, order: area + born.strftime("%Y%m%d") + order,
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    birth_dates,
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@given(id_bodies)
def test_any_body_with_a_real_birth_date_and_its_check_char_is_accepted(body: str) -> None:
    # Unlike the credit code, not every 17-digit body is valid: digits 7-14 must be a birth date.
    assert is_valid_id_number(body + id_check_char(body), today=TODAY)


@given(id_bodies, st.integers(0, 17), st.data())
def test_any_single_substitution_in_an_id_number_is_detected(
    body: str, position: int, data: st.DataObject
) -> None:
    # Weights are 2^k mod 11, never 0, and 11 is prime: a changed digit always changes the sum
    # (or the birth date becomes impossible, which is refused first).
    number = body + id_check_char(body)
    allowed = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in allowed if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdentifierError) as error:
        validate_id_number(changed, today=TODAY)
    assert _code(error) in {"id_check", "id_birthdate"}


def test_default_today_refuses_a_birth_date_tomorrow() -> None:
    tomorrow = date.today() + timedelta(days=1)
    body = "340524" + tomorrow.strftime("%Y%m%d") + "001"
    assert not is_valid_id_number(body + id_check_char(body))


# ---------------------------------------------------------------- 手机号码


@pytest.mark.parametrize(
    "typed",
    ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "8613800138000"],
)
def test_mobile_number_in_common_spellings_is_accepted(typed: str) -> None:
    validate_mobile(typed)
    assert normalize_mobile(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed", ["12800138000", "1380013800", "138001380001", "+85213800138000", "1380013800a"]
)
def test_not_a_mainland_mobile_number_is_refused(typed: str) -> None:
    with pytest.raises(IdentifierError) as error:
        validate_mobile(typed)
    assert _code(error) == "mobile_format"
    assert "11位" in error.value.message


def test_mobile_number_is_masked_for_display() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"

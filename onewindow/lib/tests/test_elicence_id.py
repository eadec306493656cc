"""Electronic licence identifiers as printed on licences and read from the provincial library."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from onewindow.lib.elicence_id import (
    ALPHABET,
    ElicenceIdentifierError,
    build_identifier,
    mod37_36_check_char,
    parse_identifier,
    random_serial,
)

VECTOR = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def _running_value(data: str) -> int:
    """The MOD 37,36 value carried into the next character (36 before the first)."""
    product = 36
    for char in data:
        product = ((product + ALPHABET.index(char)) % 36 or 36) * 2 % 37
    return product


def test_published_test_vector_parses_into_its_parts() -> None:
    identifier = parse_identifier(VECTOR)
    assert identifier.type_code == "11100000000013338W011"
    assert identifier.issuer_code == "11430000006122244L"
    assert identifier.serial == "20230000403"
    assert identifier.version == 1
    assert identifier.check == "U"
    assert str(identifier) == VECTOR


def test_check_char_of_test_vector_is_computed_over_parts_and_version() -> None:
    assert mod37_36_check_char("11100000000013338W011" + "11430000006122244L" + "20230000403" + "001") == "U"


def test_building_the_test_vector_gives_the_same_identifier() -> None:
    built = build_identifier(
        type_code="11100000000013338W011", issuer_code="11430000006122244L", serial="20230000403", version=1
    )
    assert built == VECTOR


def test_identifier_typed_in_lower_case_with_spaces_is_accepted() -> None:
    assert str(parse_identifier(f"  {VECTOR.lower()} ")) == VECTOR


def test_identifier_with_wrong_check_char_is_refused() -> None:
    with pytest.raises(ElicenceIdentifierError) as error:
        parse_identifier(VECTOR[:-1] + "V")
    assert error.value.code == "elicence_check"
    assert "校验位" in error.value.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.001.U", "elicence_prefix"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U", "elicence_format"),
        ("1.2.156.3005.2.11100000000013338W011..20230000403.001.U", "elicence_format"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "elicence_version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.001.U", "elicence_charset"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.UU", "elicence_format"),
        ("", "elicence_prefix"),
    ],
)
def test_malformed_identifier_is_refused_with_a_code(value: str, code: str) -> None:
    with pytest.raises(ElicenceIdentifierError) as error:
        parse_identifier(value)
    assert error.value.code == code
    assert "电子证照标识" in error.value.message


def test_version_above_999_cannot_be_built() -> None:
    with pytest.raises(ElicenceIdentifierError) as error:
        build_identifier(type_code="A", issuer_code="B", serial="C", version=1000)
    assert error.value.code == "elicence_version"


def test_random_serial_is_20_upper_case_letters_and_digits() -> None:
    serials = {random_serial() for _ in range(50)}
    assert len(serials) == 50
    assert all(len(s) == 20 and set(s) <= set(ALPHABET) for s in serials)
    assert len(random_serial(8)) == 8


def test_identifier_with_random_serial_round_trips() -> None:
    serial = random_serial()
    built = build_identifier(
        type_code="11100000000013338W001", issuer_code="114290060000000000", serial=serial, version=2
    )
    identifier = parse_identifier(built)
    assert identifier.serial == serial
    assert identifier.version == 2


data_strings = st.text(alphabet=ALPHABET, min_size=1, max_size=60)


@given(data_strings, st.data())
def test_mod37_36_detects_every_single_substitution(data: str, draw: st.DataObject) -> None:
    compact = data + mod37_36_check_char(data)
    position = draw.draw(st.integers(0, len(compact) - 1))
    replacement = draw.draw(st.sampled_from([c for c in ALPHABET if c != compact[position]]))
    changed = compact[:position] + replacement + compact[position + 1 :]
    assert mod37_36_check_char(changed[:-1]) != changed[-1]


@given(data_strings, st.data())
def test_mod37_36_misses_an_adjacent_transposition_only_when_running_sums_are_18_and_19(
    data: str, draw: st.DataObject
) -> None:
    # MOD 37,36 does not catch every adjacent transposition: swapping x and y goes unnoticed
    # exactly when, with P the running value before them, {(P+x) mod 36, (P+y) mod 36} = {18, 19}.
    compact = data + mod37_36_check_char(data)
    assume(len(compact) >= 2)
    i = draw.draw(st.integers(0, len(compact) - 2))
    x, y = compact[i], compact[i + 1]
    assume(x != y)
    swapped = compact[:i] + y + x + compact[i + 2 :]
    p = _running_value(compact[:i])
    blind_spot = {(p + ALPHABET.index(x)) % 36, (p + ALPHABET.index(y)) % 36} == {18, 19}
    detected = mod37_36_check_char(swapped[:-1]) != swapped[-1]
    assert detected != blind_spot


@given(st.text(alphabet=ALPHABET, max_size=30), st.text(alphabet=ALPHABET, max_size=30))
def test_mod37_36_misses_every_transposition_in_its_blind_spot(prefix: str, suffix: str) -> None:
    p = _running_value(prefix)
    x, y = ALPHABET[(18 - p) % 36], ALPHABET[(19 - p) % 36]
    assert mod37_36_check_char(prefix + x + y + suffix) == mod37_36_check_char(prefix + y + x + suffix)


def test_the_transposition_blind_spot_is_real() -> None:
    # Running value 36 at the start: I (18) and J (19) swap without changing the check character.
    assert mod37_36_check_char("IJ") == mod37_36_check_char("JI")
    assert mod37_36_check_char("IK") != mod37_36_check_char("KI")


@given(st.integers(0, len(VECTOR) - 1), st.sampled_from(ALPHABET + "."))
def test_any_single_character_change_in_the_vector_is_refused(position: int, replacement: str) -> None:
    assume(VECTOR[position] != replacement)
    with pytest.raises(ElicenceIdentifierError):
        parse_identifier(VECTOR[:position] + replacement + VECTOR[position + 1 :])

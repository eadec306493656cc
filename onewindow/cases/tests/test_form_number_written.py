"""Number and area fields take numbers as a person writes them on a form (full-width digits too),
not 1e3, 1_000 or another script's digits, as whole-number fields already refuse them."""

from __future__ import annotations

import pytest

from onewindow.cases.formcheck import check_value


def spec(kind: str) -> dict[str, object]:
    return {"label": "经营资金（万元）", "type": kind, "required": True, "min": "0.1", "max": "10000"}


@pytest.mark.parametrize("kind", ["number", "area"])
@pytest.mark.parametrize("text", ["1e3", "1_000", "2E1", "١٠", "Infinity", "NaN", "1 000", "1,000"])
def test_a_number_field_refuses_what_no_one_writes_on_a_form(kind: str, text: str) -> None:
    assert check_value(spec(kind), text) == "“经营资金（万元）”请填写数字。"


@pytest.mark.parametrize("kind", ["number", "area"])
@pytest.mark.parametrize("text", ["12", "12.5", "0.5", ".5", "12.", "１２．５", "+3"])
def test_a_number_field_takes_numbers_as_written(kind: str, text: str) -> None:
    assert check_value(spec(kind), text) is None


def test_a_whole_number_field_refuses_another_scripts_digits() -> None:
    rooms = {"label": "客房数量（间）", "type": "integer", "required": True}
    assert check_value(rooms, "١٠") is not None
    assert check_value(rooms, "１２") is None

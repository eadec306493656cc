"""Per-field checks of the form: dates as 年-月-日 only, counts of things in whole numbers."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.cases.formcheck import check_value
from onewindow.cases.models import Case
from onewindow.cases.services import case_form_save

DATE = {"code": "opening_date", "label": "拟开业日期", "type": "date", "required": True}
DATE_PROBLEM = "“拟开业日期”请按 年-月-日 填写，如 2026-12-01。"


def number(label: str, **limits: Any) -> dict[str, Any]:
    return {"code": "n", "label": label, "type": "number", "required": True, **limits}


@pytest.mark.parametrize("text", ["20260101", "2026-W01-1", "2026-1-1", "2026-02-30", "２０２６-１２-０１"])
def test_a_date_not_written_as_year_month_day_is_refused(text: str) -> None:
    assert check_value(DATE, text) == DATE_PROBLEM


def test_a_date_written_as_year_month_day_is_taken() -> None:
    assert check_value(DATE, "2026-12-01") is None
    assert check_value(DATE, " 2026-12-01 ") is None


@pytest.mark.parametrize(
    "label", ["客房数量（间）", "床位数量（张）", "从业人员人数", "特种设备台数", "排放口数量"]
)
def test_a_count_of_things_takes_whole_numbers_only(label: str) -> None:
    assert check_value(number(label, min="1", max="3000"), "1.5") == f"“{label}”请填写整数。"
    assert check_value(number(label, min="1", max="3000"), "12") is None
    assert check_value(number(label, min="1", max="3000"), "12.0") is None


@pytest.mark.parametrize(
    "label", ["经营资金（万元）", "日排水量（吨）", "与最近中小学校、幼儿园的距离（米）"]
)
def test_a_measure_keeps_its_decimals(label: str) -> None:
    assert check_value(number(label, min="0.1", max="10000"), "1.5") is None


@pytest.mark.django_db
def test_saving_half_a_room_reports_it(filled_case: Case, alice: User) -> None:
    problems = case_form_save(
        case=filled_case, user=alice, data={"room_count": "1.5", "opening_date": "20261201"}
    )

    assert problems == {
        "room_count": "“客房数量（间）”请填写整数。",
        "opening_date": DATE_PROBLEM,
    }

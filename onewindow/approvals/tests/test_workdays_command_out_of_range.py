"""`onewindow workdays` at the edge of the calendar: results past year 9999 are a Chinese error, not
a traceback, and a span over many unpublished years warns once per run of years."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "日期超出可计算范围（公元1年至9999年）"


@pytest.mark.parametrize(
    "args",
    [
        ("add", "2026-09-30", "100000000"),
        ("add", "9999-12-31", "1"),
        ("add", "9999-12-30", "5"),
    ],
)
def test_a_result_past_year_9999_is_a_chinese_error(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError, match=OUT_OF_RANGE):
        call_command("workdays", *args)


def test_counting_up_to_year_9999_works(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("workdays", "between", "9999-12-24", "9999-12-31")
    assert capsys.readouterr().out.strip() == "5"


def test_many_unpublished_years_are_one_warning(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("workdays", "add", "2026-09-30", "1000000")

    captured = capsys.readouterr()
    assert captured.out.strip() == "5859-11-01"
    assert captured.err.strip().splitlines() == [
        "2027至5859年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。"
    ]


def test_years_before_and_after_the_known_ones_are_two_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("workdays", "between", "2002-06-01", "2028-01-05")

    assert capsys.readouterr().err.strip().splitlines() == [
        "2002至2003年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。",
        "2027至2028年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。",
    ]

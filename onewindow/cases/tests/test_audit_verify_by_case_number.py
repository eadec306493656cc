"""`onewindow audit verify` takes the 办件编号 every page and notice shows, or the internal id, and
never says 记录完整 when it checked nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services import case_submit

pytestmark = pytest.mark.django_db


def test_an_edited_case_named_by_its_number_is_reported(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case = case_submit(case=filled_case, user=alice, key="k")
    assert case.number and case.number.isdigit()
    CaseEvent.objects.filter(case=case, action="submitted").update(comment="悄悄改了")

    with pytest.raises(CommandError, match="1 个办件的记录被篡改"):
        call_command("audit", "verify", case.number)

    out = capsys.readouterr().out
    assert f"办件 {case.number}" in out
    assert "记录完整" not in out


def test_an_intact_case_named_by_its_number_or_its_id_verifies(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case = case_submit(case=filled_case, user=alice, key="k")
    assert case.number

    call_command("audit", "verify", case.number, str(case.pk), f"#{case.pk}")

    assert "核验 1 个办件，记录完整。" in capsys.readouterr().out


@pytest.mark.parametrize("reference", ["99999", "4290062026113099999", "abc"])
def test_a_case_that_does_not_exist_is_refused_and_nothing_is_verified(
    filled_case: Case, alice: User, reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    case = case_submit(case=filled_case, user=alice, key="k")
    assert case.number

    with pytest.raises(CommandError, match=f"没有找到办件：{reference}，未作核验"):
        call_command("audit", "verify", case.number, reference)

    assert "记录完整" not in capsys.readouterr().out


def test_with_no_cases_it_does_not_claim_the_records_are_intact(capsys: pytest.CaptureFixture[str]) -> None:
    assert not Case.objects.exists()

    call_command("audit", "verify")

    out = capsys.readouterr().out
    assert "记录完整" not in out
    assert "还没有办件" in out


def test_an_unknown_action_is_told_in_chinese() -> None:
    with pytest.raises(CommandError, match="没有“verfy”这个操作。用法：onewindow audit verify"):
        call_command("audit", "verfy")

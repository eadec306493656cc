"""`onewindow audit verify` names what was done to a timeline: rows that changed places, a row whose
prev_hash was rewritten, a row added after the end and an edited case counter, and blames no
intact row."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services import case_accept, case_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(filled_case: Case, alice: User, clerk: User) -> Case:
    case = case_accept(case=case_submit(case=filled_case, user=alice, key="k"), clerk=clerk)
    assert case.events.count() >= 4
    return case


def reported(capsys: pytest.CaptureFixture[str], case: Case) -> list[str]:
    """The lines the failing command writes about the case's rows."""
    with pytest.raises(CommandError, match="1 个办件的记录被篡改"):
        call_command("audit", "verify", str(case.pk))
    return [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("- ")]


def test_an_intact_chain_reads_as_before(accepted: Case, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify", str(accepted.pk))
    assert capsys.readouterr().out.strip() == "核验 1 个办件，记录完整。"


def test_two_rows_that_changed_places_are_named_and_the_next_row_is_not(
    accepted: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = CaseEvent.objects.filter(case=accepted)
    rows.filter(seq=2).update(seq=1000)
    rows.filter(seq=3).update(seq=2)
    rows.filter(seq=1000).update(seq=3)

    lines = reported(capsys, accepted)

    assert len(lines) == 2
    assert "第2号记录原为第3号记录：记录的顺序被调换" in lines[0]
    assert "第3号记录原为第2号记录：记录的顺序被调换" in lines[1]


def test_an_edited_prev_hash_is_found(accepted: Case, capsys: pytest.CaptureFixture[str]) -> None:
    CaseEvent.objects.filter(case=accepted, seq=2).update(prev_hash="ff")

    lines = reported(capsys, accepted)

    assert len(lines) == 1
    assert "第2号记录被修改：其中保存的前一条记录的哈希值被改写" in lines[0]


def test_a_row_added_after_the_end_is_an_extra_row_not_a_deletion(
    accepted: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = CaseEvent.objects.get(case=accepted, seq=2)
    copy.pk, copy.seq = None, accepted.last_event_seq + 1
    copy.save()

    lines = reported(capsys, accepted)

    assert len(lines) == 1
    assert (
        f"第{copy.seq}号记录是多出的记录：办件上保存的记录链到第{accepted.last_event_seq}号为止。"
        "它复制自第2号记录。"
    ) in lines[0]
    assert "删除" not in lines[0]


def test_an_edited_case_counter_is_named(accepted: Case, capsys: pytest.CaptureFixture[str]) -> None:
    last = accepted.last_event_seq
    Case.objects.filter(pk=accepted.pk).update(last_event_seq=last - 1)

    lines = reported(capsys, accepted)

    assert len(lines) == 1
    assert f"办件上保存的记录链末尾序号为第{last - 1}号，而保存的末尾哈希值属于第{last}号记录" in lines[0]

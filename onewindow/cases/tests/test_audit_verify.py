"""`onewindow audit verify` reports edited and deleted timeline rows."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services import case_submit


@pytest.mark.django_db
def test_intact_chain_passes(filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    call_command("audit", "verify")
    assert "记录完整" in capsys.readouterr().out


@pytest.mark.django_db
def test_edited_row_is_reported(filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    number = case_submit(case=filled_case, user=alice, key="k").number
    event = filled_case.events.get(action="submitted")
    CaseEvent.objects.filter(pk=event.pk).update(comment="悄悄改了")
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert number and number in capsys.readouterr().out


@pytest.mark.django_db
def test_deleted_row_is_reported(filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    number = case_submit(case=filled_case, user=alice, key="k").number
    middle = filled_case.events.order_by("seq")[1]
    CaseEvent.objects.filter(pk=middle.pk).delete()
    with pytest.raises(CommandError):
        call_command("audit", "verify", str(filled_case.pk))
    assert number and number in capsys.readouterr().out

"""`onewindow audit verify` reports edited and deleted timeline rows."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.selectors import audit_verify
from onewindow.cases.services import case_accept, case_submit, event_payload
from onewindow.lib.hashchain import GENESIS, chain_hash


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


def reported(capsys: pytest.CaptureFixture[str], *case_ids: int) -> str:
    """The command's output, which must fail."""
    with pytest.raises(CommandError):
        call_command("audit", "verify", *map(str, case_ids))
    return capsys.readouterr().out


@pytest.mark.django_db
def test_an_untouched_case_verifies_clean(filled_case: Case, alice: User, clerk: User) -> None:
    case = case_submit(case=filled_case, user=alice, key="k")
    case_accept(case=case, clerk=clerk)
    assert audit_verify([case.pk]) == (1, [])


@pytest.mark.django_db
def test_an_edited_actor_name_is_reported(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    number = case_submit(case=filled_case, user=alice, key="k").number
    CaseEvent.objects.filter(case=filled_case, action="submitted").update(actor_name="张三（伪造）")

    out = reported(capsys, filled_case.pk)

    assert str(number) in out
    submitted = filled_case.events.get(action="submitted")
    assert f"第{submitted.seq}号记录的内容与保存的哈希值不符" in out


@pytest.mark.django_db
def test_a_row_set_back_to_the_old_payload_version_is_reported(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    CaseEvent.objects.filter(case=filled_case, action="submitted").update(
        actor_name="张三（伪造）", payload_version=1
    )

    assert "与保存的哈希值不符" in reported(capsys, filled_case.pk)


@pytest.mark.django_db
def test_rows_hashed_before_actor_name_was_covered_still_verify(filled_case: Case, alice: User) -> None:
    """Rows written before version 2 keep their version-1 hashes (the migration sets version 1)."""
    case_submit(case=filled_case, user=alice, key="k")
    prev = GENESIS
    for event in filled_case.events.order_by("seq"):
        event.payload_version = 1
        event.prev_hash = prev
        event.hash = chain_hash(prev, event_payload(event))
        event.save(update_fields=["payload_version", "prev_hash", "hash"])
        prev = event.hash
    Case.objects.filter(pk=filled_case.pk).update(last_event_hash=prev)

    assert audit_verify([filled_case.pk]) == (1, [])


@pytest.mark.django_db
def test_a_deleted_last_row_is_reported(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    last = filled_case.events.order_by("-seq").first()
    assert last is not None and last.action == "submitted"
    CaseEvent.objects.filter(pk=last.pk).delete()

    assert f"缺少第{last.seq}号记录" in reported(capsys, filled_case.pk)


@pytest.mark.django_db
def test_a_deleted_last_row_is_reported_even_with_the_case_counter_set_back(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    last = filled_case.events.order_by("-seq").first()
    assert last is not None
    CaseEvent.objects.filter(pk=last.pk).delete()
    Case.objects.filter(pk=filled_case.pk).update(last_event_seq=last.seq - 1)

    assert "最后一条记录与办件上保存的记录链末尾不符" in reported(capsys, filled_case.pk)


@pytest.mark.django_db
def test_an_edited_last_row_with_its_hash_recomputed_is_reported(
    filled_case: Case, alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    last = filled_case.events.order_by("-seq").first()
    assert last is not None
    last.comment = "悄悄改了"
    last.hash = chain_hash(last.prev_hash, event_payload(last))
    last.save(update_fields=["comment", "hash"])

    out = reported(capsys, filled_case.pk)

    assert "最后一条记录与办件上保存的记录链末尾不符" in out
    assert "与保存的哈希值不符" not in out  # the row itself is consistent; only the chain's end gives it away

"""The audit check of a case's event rows: edited, deleted and inserted rows are found."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.lib.hashchain import GENESIS, canonical_json, chain_hash, normalize_payload, verify_chain

Row = tuple[int, dict[str, Any], str, str]  # id, payload, prev_hash, hash


def _chain(count: int) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for seq in range(1, count + 1):
        payload = {
            "seq": seq,
            "action": "case_accepted" if seq == 1 else "branch_approved",
            "comment": f"第{seq}步",
        }
        stored = chain_hash(prev, payload)
        rows.append((100 + seq, payload, prev, stored))
        prev = stored
    return rows


def _codes(rows: list[Row], **kwargs: Any) -> list[tuple[int | None, str]]:
    return [(b.row_id, b.code) for b in verify_chain(rows, **kwargs)]


# ---------------------------------------------------------------- canonical JSON


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_chinese() -> None:
    assert canonical_json({"b": [1, 2], "a": "受理", "c": {"z": None, "y": True}}) == (
        '{"a":"受理","b":[1,2],"c":{"y":true,"z":null}}'
    )


def test_the_same_instant_in_another_time_zone_serialises_the_same() -> None:
    beijing = datetime(2024, 10, 8, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    utc = datetime(2024, 10, 8, 1, 30, tzinfo=UTC)
    assert (
        canonical_json({"at": beijing})
        == canonical_json({"at": utc})
        == '{"at":"2024-10-08T01:30:00.000000Z"}'
    )


def test_dates_decimals_and_uuids_serialise_as_plain_text() -> None:
    payload = {
        "on": date(2024, 2, 4),
        "fee": Decimal("12.50"),
        "case": UUID("12345678-1234-5678-1234-567812345678"),
    }
    assert (
        canonical_json(payload)
        == '{"case":"12345678-1234-5678-1234-567812345678","fee":"12.5","on":"2024-02-04"}'
    )
    assert canonical_json({"fee": Decimal("12.5")}) == canonical_json({"fee": Decimal("12.500")})


def test_naive_datetime_and_nan_are_refused() -> None:
    with pytest.raises(TypeError, match="naive"):
        canonical_json({"at": datetime(2024, 10, 8, 9, 30)})
    with pytest.raises(ValueError, match="NaN"):
        canonical_json({"fee": Decimal("NaN")})
    with pytest.raises(ValueError, match="JSON"):
        canonical_json({"ratio": float("nan")})


def test_chain_hash_is_sha256_of_previous_hash_and_canonical_json() -> None:
    expected = hashlib.sha256((GENESIS + '{"action":"提交","seq":1}').encode("utf-8")).hexdigest()
    assert chain_hash(GENESIS, {"seq": 1, "action": "提交"}) == expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.dates()
    | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_a_stored_normalised_payload_verifies_against_the_hash_of_the_original(
    payload: dict[str, Any],
) -> None:
    assert chain_hash(GENESIS, normalize_payload(payload)) == chain_hash(GENESIS, payload)


# ---------------------------------------------------------------- verify_chain


def test_intact_chain_has_no_breaks() -> None:
    assert verify_chain(_chain(5)) == []
    assert verify_chain([]) == []


def test_edited_row_is_reported_once_at_that_row() -> None:
    rows = _chain(5)
    row_id, payload, prev, stored = rows[2]
    rows[2] = (row_id, {**payload, "comment": "改过的意见"}, prev, stored)
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code) for b in breaks] == [(103, "hash_mismatch")]
    assert "第3号记录的内容与保存的哈希值不符" in breaks[0].message


def test_edited_row_with_recomputed_hash_breaks_the_next_link() -> None:
    rows = _chain(5)
    row_id, payload, prev, _ = rows[2]
    edited = {**payload, "comment": "改过的意见"}
    rows[2] = (row_id, edited, prev, chain_hash(prev, edited))
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code) for b in breaks] == [(104, "link_mismatch")]
    assert "第4号记录与前一条记录的链接不符：前一条记录被修改后重新计算了哈希值" in breaks[0].message


def test_deleted_row_is_reported_as_missing() -> None:
    rows = _chain(5)
    del rows[2]
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code, b.position) for b in breaks] == [(104, "row_missing", 2)]
    assert "缺少第3号记录" in breaks[0].message


def test_deleted_rows_with_the_chain_rebuilt_are_still_reported() -> None:
    rows = _chain(6)
    kept = [rows[0], rows[1], rows[4], rows[5]]
    rebuilt: list[Row] = []
    prev = GENESIS
    for row_id, payload, _prev, _hash in kept:
        stored = chain_hash(prev, payload)
        rebuilt.append((row_id, payload, prev, stored))
        prev = stored
    breaks = verify_chain(rebuilt)
    assert [(b.row_id, b.code) for b in breaks] == [(105, "row_missing")]
    assert "缺少第3至4号记录" in breaks[0].message


def test_deleted_first_row_is_reported() -> None:
    assert _codes(_chain(3)[1:]) == [(102, "row_missing")]


def test_inserted_row_is_reported_and_the_intact_next_row_is_not() -> None:
    rows = _chain(4)
    forged = {"seq": 3, "action": "branch_approved", "comment": "补录"}
    rows.insert(3, (999, forged, rows[2][3], chain_hash(rows[2][3], forged)))
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code) for b in breaks] == [(999, "seq_order")]
    assert "序号为3，应为4" in breaks[0].message


def test_deleted_newest_rows_are_found_only_with_the_expected_last_seq() -> None:
    rows = _chain(5)[:3]
    breaks = verify_chain(rows, expected_last_seq=5)
    assert [(b.row_id, b.code, b.position) for b in breaks] == [(None, "tail_missing", 3)]
    assert "缺少第4至5号记录" in breaks[0].message
    assert verify_chain(_chain(5), expected_last_seq=5) == []


def test_row_without_seq_is_reported() -> None:
    prev = GENESIS
    payload = {"action": "case_accepted"}
    breaks = verify_chain([(1, payload, prev, chain_hash(prev, payload))])
    assert [b.code for b in breaks] == ["seq_missing"]
    assert "序号" in breaks[0].message


def test_a_later_segment_verifies_from_its_anchor() -> None:
    rows = _chain(6)
    assert verify_chain(rows[3:], start_hash=rows[2][3], start_seq=4) == []
    assert _codes(rows[3:], start_hash=GENESIS, start_seq=4) == [(104, "link_mismatch")]


@given(st.integers(2, 12), st.data())
def test_any_single_edit_is_found_at_the_edited_row(count: int, data: st.DataObject) -> None:
    rows = _chain(count)
    index = data.draw(st.integers(0, count - 1))
    row_id, payload, prev, stored = rows[index]
    rows[index] = (row_id, {**payload, "comment": f"[{data.draw(st.text())}]"}, prev, stored)
    assert _codes(rows) == [(row_id, "hash_mismatch")]


@given(st.integers(2, 12), st.data())
def test_any_single_deletion_except_the_newest_is_found_at_the_next_row(
    count: int, data: st.DataObject
) -> None:
    rows = _chain(count)
    index = data.draw(st.integers(0, count - 2))
    del rows[index]
    assert _codes(rows) == [(rows[index][0], "row_missing")]


def _renumbered(row: Row, seq: int) -> Row:
    """The row with its seq column changed, as an UPDATE of that column leaves it."""
    row_id, payload, prev, stored = row
    return (row_id, {**payload, "seq": seq}, prev, stored)


def test_two_rows_that_changed_places_are_named_and_the_next_row_is_not_blamed() -> None:
    rows = _chain(8)
    rows[4], rows[5] = _renumbered(rows[5], 5), _renumbered(rows[4], 6)

    breaks = verify_chain(rows, expected_last_seq=8)

    assert [(b.row_id, b.code) for b in breaks] == [(106, "seq_moved"), (105, "seq_moved")]
    assert "第5号记录原为第6号记录：记录的顺序被调换" in breaks[0].message
    assert "第6号记录原为第5号记录：记录的顺序被调换" in breaks[1].message


@given(st.integers(3, 12), st.data())
def test_any_swap_of_neighbours_is_reported_at_those_two_rows_only(count: int, data: st.DataObject) -> None:
    rows = _chain(count)
    index = data.draw(st.integers(0, count - 2))
    first, second = rows[index], rows[index + 1]
    rows[index], rows[index + 1] = _renumbered(second, index + 1), _renumbered(first, index + 2)
    assert _codes(rows, expected_last_seq=count) == [(second[0], "seq_moved"), (first[0], "seq_moved")]


def test_an_edited_prev_hash_is_reported_as_an_edit_of_that_row() -> None:
    rows = _chain(5)
    row_id, payload, _prev, stored = rows[2]
    rows[2] = (row_id, payload, "ff", stored)

    breaks = verify_chain(rows, expected_last_seq=5)

    assert [(b.row_id, b.code) for b in breaks] == [(103, "prev_hash_mismatch")]
    assert "第3号记录被修改：其中保存的前一条记录的哈希值被改写" in breaks[0].message


def test_an_appended_copy_is_an_extra_row_not_a_deletion() -> None:
    rows = _chain(5)
    rows.append(_renumbered(rows[2], 6))

    breaks = verify_chain(rows, expected_last_seq=5)

    assert [(b.row_id, b.code) for b in breaks] == [(103, "row_extra")]
    assert "第6号记录是多出的记录：办件上保存的记录链到第5号为止。它复制自第3号记录。" in breaks[0].message
    assert "删除" not in breaks[0].message


def test_a_copy_in_place_of_a_deleted_row_is_named_a_copy() -> None:
    rows = _chain(5)
    rows[3] = _renumbered(rows[2], 4)  # row 4 deleted and row 3 copied in as 4

    codes = _codes(rows, expected_last_seq=5)

    assert codes == [(103, "row_duplicate"), (105, "link_mismatch")]

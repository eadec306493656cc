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

Row = tuple[int, dict[str, Any], str]


def _chain(count: int) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for seq in range(1, count + 1):
        payload = {
            "seq": seq,
            "action": "case_accepted" if seq == 1 else "branch_approved",
            "comment": f"第{seq}步",
        }
        prev = chain_hash(prev, payload)
        rows.append((100 + seq, payload, prev))
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
    row_id, payload, stored = rows[2]
    rows[2] = (row_id, {**payload, "comment": "改过的意见"}, stored)
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code) for b in breaks] == [(103, "hash_mismatch")]
    assert "第3号记录的内容与保存的哈希值不符" in breaks[0].message


def test_edited_row_with_recomputed_hash_breaks_the_next_link() -> None:
    rows = _chain(5)
    row_id, payload, _ = rows[2]
    edited = {**payload, "comment": "改过的意见"}
    rows[2] = (row_id, edited, chain_hash(rows[1][2], edited))
    assert _codes(rows) == [(104, "hash_mismatch")]


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
    for row_id, payload, _ in kept:
        prev = chain_hash(prev, payload)
        rebuilt.append((row_id, payload, prev))
    breaks = verify_chain(rebuilt)
    assert [(b.row_id, b.code) for b in breaks] == [(105, "row_missing")]
    assert "缺少第3至4号记录" in breaks[0].message


def test_deleted_first_row_is_reported() -> None:
    assert _codes(_chain(3)[1:]) == [(102, "row_missing")]


def test_inserted_row_is_reported_and_breaks_the_next_link() -> None:
    rows = _chain(4)
    forged = {"seq": 3, "action": "branch_approved", "comment": "补录"}
    rows.insert(3, (999, forged, chain_hash(rows[2][2], forged)))
    breaks = verify_chain(rows)
    assert [(b.row_id, b.code) for b in breaks] == [(999, "seq_order"), (104, "hash_mismatch")]
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
    breaks = verify_chain([(1, payload, chain_hash(prev, payload))])
    assert [b.code for b in breaks] == ["seq_missing"]
    assert "序号" in breaks[0].message


def test_a_later_segment_verifies_from_its_anchor() -> None:
    rows = _chain(6)
    assert verify_chain(rows[3:], start_hash=rows[2][2], start_seq=4) == []
    assert _codes(rows[3:], start_hash=GENESIS, start_seq=4) == [(104, "hash_mismatch")]


@given(st.integers(2, 12), st.data())
def test_any_single_edit_is_found_at_the_edited_row(count: int, data: st.DataObject) -> None:
    rows = _chain(count)
    index = data.draw(st.integers(0, count - 1))
    row_id, payload, stored = rows[index]
    rows[index] = (row_id, {**payload, "comment": f"[{data.draw(st.text())}]"}, stored)
    assert _codes(rows) == [(row_id, "hash_mismatch")]


@given(st.integers(2, 12), st.data())
def test_any_single_deletion_except_the_newest_is_found_at_the_next_row(
    count: int, data: st.DataObject
) -> None:
    rows = _chain(count)
    index = data.draw(st.integers(0, count - 2))
    del rows[index]
    assert _codes(rows) == [(rows[index][0], "row_missing")]

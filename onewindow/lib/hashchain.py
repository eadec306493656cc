"""Hash-chain append-only event rows so that an edited, deleted or inserted row can be detected."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

GENESIS = "0" * 64

RowId = TypeVar("RowId")

_CHECK_BACKUP = "请与数据库备份核对，并报告系统管理员。"


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError(f"naive datetime {value!r} has no fixed instant; make it timezone-aware")
        # One instant, one text: the same moment in another time zone must hash the same.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"Decimal {value} cannot be hashed")
        # Equal amounts hash the same whatever their stored precision (1.5 and 1.50).
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not serialisable in a hashed payload")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The payload as one deterministic JSON text: sorted keys, no whitespace, UTF-8 characters kept.

    Datetimes become UTC text with microseconds (naive ones are refused), dates and times ISO text,
    Decimals their plain value text, UUIDs their hyphenated form; NaN and infinities are refused.
    """
    return json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )


# Python writes a float of this size or more with an exponent (1e+20); PostgreSQL's jsonb stores it
# as a number and gives it back in digits (100000000000000000000), which JSON reads as an integer.
_FLOAT_WRITTEN_WITH_EXPONENT = 1e16


def _as_stored(value: Any) -> Any:
    if isinstance(value, float):
        if abs(value) >= _FLOAT_WRITTEN_WITH_EXPONENT:
            return int(value)  # every float this large is a whole number
        return value + 0.0  # jsonb keeps no sign on zero: -0.0 comes back as 0.0
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def normalize_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as plain JSON values, as a JSON database column (SQLite's, PostgreSQL's jsonb)
    gives them back: stored next to the hash, it lets verification recompute the hash from the row.

    Its hash equals the original payload's, except for floats of 1e16 or more, which become the
    integers jsonb gives back, and -0.0, which becomes 0.0.
    """
    normalized: dict[str, Any] = _as_stored(json.loads(canonical_json(payload)))
    return normalized


def chain_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """sha256 (hex) of the previous row's hash followed by the payload's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak(Generic[RowId]):
    """One place where the chain does not hold; `row_id` is None when rows are missing at the end."""

    row_id: RowId | None
    position: int
    code: str
    message: str


Row = tuple[RowId, Mapping[str, Any], str, str]


def _chained_seqs(rows: list[Row[RowId]], start_hash: str, start_seq: int) -> list[int | None]:
    """The seq each row was written at, as the chain itself tells it: one more than that of the row
    whose hash its prev_hash names, back to `start_hash`. None where that trail leaves the rows or
    runs in a circle. A row whose `seq` was changed afterwards keeps its true place here.
    """
    at_hash: dict[str, int] = {}
    for index, row in enumerate(rows):
        at_hash.setdefault(row[3], index)
    places: dict[int, int | None] = {}
    for index in range(len(rows)):
        trail: list[int] = []
        on_trail: set[int] = set()
        cursor: int | None = index
        place: int | None = None
        while cursor is not None and cursor not in places and cursor not in on_trail:
            trail.append(cursor)
            on_trail.add(cursor)
            prev_hash = rows[cursor][2]
            if prev_hash == start_hash:
                place, cursor = start_seq - 1, None
            else:
                cursor = at_hash.get(prev_hash)
        if cursor is not None and cursor in places:
            place = places[cursor]
        for step in reversed(trail):
            place = None if place is None else place + 1
            places[step] = place
    return [places[index] for index in range(len(rows))]


def verify_chain(
    rows: Iterable[Row[RowId]],
    *,
    start_hash: str = GENESIS,
    start_seq: int = 1,
    expected_last_seq: int | None = None,
) -> list[ChainBreak[RowId]]:
    """Every break in a chain of (row id, payload, stored prev_hash, stored hash) rows, given in
    `seq` order.

    Each row is checked on its own (does its hash match its stored prev_hash and payload: is its
    content intact?) and for its link (does its prev_hash name the hash of the row before it?), so a
    break is reported at the row that was changed and the rows around it still verify. Codes:
    "hash_mismatch" (the row's content or hash was changed), "prev_hash_mismatch" (only its prev_hash
    was changed), "seq_moved" (an intact row given another row's number: the order was changed),
    "row_duplicate" (a copy of another row), "row_extra" (a row after `expected_last_seq`),
    "link_mismatch" (intact rows that do not chain: a row edited with its hash recomputed, or rows
    replaced and renumbered), "row_missing" (a gap in `seq`: rows deleted), "seq_order" (a repeated
    or lower `seq`), "seq_missing" (no integer `seq` in the payload), "tail_missing" (the chain ends
    before `expected_last_seq`; without that anchor, deleting the newest rows cannot be detected).
    """
    rows = list(rows)
    intact = [chain_hash(prev_hash, payload) == stored for _row_id, payload, prev_hash, stored in rows]
    places = _chained_seqs(rows, start_hash, start_seq)
    # Places held by rows intact where they stand: another row written at one of them is a copy.
    held = {
        place
        for place, ok, row in zip(places, intact, rows, strict=True)
        if ok and place == row[1].get("seq")
    }
    breaks: list[ChainBreak[RowId]] = []
    previous = start_hash
    expected = start_seq
    position = -1
    for position, (row_id, payload, prev_hash, stored_hash) in enumerate(rows):
        linked_to, previous = previous, stored_hash
        seq = payload.get("seq")
        found: list[tuple[str, str]] = []
        if not isinstance(seq, int) or isinstance(seq, bool):
            found.append(
                ("seq_missing", f"第{position + 1}条记录没有有效的序号，无法确认其前后是否有记录被删除。")
            )
        elif seq < expected:
            found.append(
                (
                    "seq_order",
                    f"第{position + 1}条记录的序号为{seq}，应为{expected}：记录被插入、重复或调换了顺序。",
                )
            )
        else:
            gap = seq > expected
            if gap:
                missing = f"第{expected}号" if seq == expected + 1 else f"第{expected}至{seq - 1}号"
                found.append(("row_missing", f"缺少{missing}记录：记录被删除。"))
            place = places[position]
            written_as = (
                place
                if place not in (None, seq)
                and chain_hash(prev_hash, {**payload, "seq": place}) == stored_hash
                else None
            )
            if expected_last_seq is not None and seq > expected_last_seq:
                message = f"第{seq}号记录是多出的记录：办件上保存的记录链到第{expected_last_seq}号为止。"
                if written_as is not None:
                    message += f"它复制自第{written_as}号记录。"
                elif not intact[position]:
                    message += "它的内容与保存的哈希值也不符。"
                found.append(("row_extra", message))
            elif intact[position]:
                if prev_hash != linked_to and place != seq and not gap:
                    found.append(
                        (
                            "link_mismatch",
                            f"第{seq}号记录与前一条记录的链接不符：前一条记录被修改后重新计算了哈希值，"
                            "或记录被替换、插入或删除后重新编号。",
                        )
                    )
            elif written_as is not None and written_as in held:
                found.append(("row_duplicate", f"第{seq}号记录是多出的记录：它复制自第{written_as}号记录。"))
            elif written_as is not None:
                found.append(("seq_moved", f"第{seq}号记录原为第{written_as}号记录：记录的顺序被调换。"))
            elif chain_hash(linked_to, payload) == stored_hash:
                found.append(
                    ("prev_hash_mismatch", f"第{seq}号记录被修改：其中保存的前一条记录的哈希值被改写。")
                )
            else:
                found.append(("hash_mismatch", f"第{seq}号记录的内容与保存的哈希值不符：这条记录被修改。"))
        breaks.extend(ChainBreak(row_id, position, code, f"{text}{_CHECK_BACKUP}") for code, text in found)
        if isinstance(seq, int) and not isinstance(seq, bool):
            expected = max(expected, seq + 1)
    if expected_last_seq is not None and expected <= expected_last_seq:
        missing = (
            f"第{expected}号" if expected == expected_last_seq else f"第{expected}至{expected_last_seq}号"
        )
        breaks.append(
            ChainBreak(
                None,
                position + 1,
                "tail_missing",
                f"记录应到第{expected_last_seq}号为止，缺少{missing}记录：记录被删除。{_CHECK_BACKUP}",
            )
        )
    return breaks

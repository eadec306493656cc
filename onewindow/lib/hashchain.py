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


def verify_chain(
    rows: Iterable[tuple[RowId, Mapping[str, Any], str]],
    *,
    start_hash: str = GENESIS,
    start_seq: int = 1,
    expected_last_seq: int | None = None,
) -> list[ChainBreak[RowId]]:
    """Every break in a chain of (row id, payload, stored hash) rows, given in `seq` order.

    Codes: "hash_mismatch" (the row's content or the previous row's hash was changed),
    "row_missing" (a gap in `seq`: rows deleted), "seq_order" (a repeated or lower `seq`: a row
    inserted, duplicated or moved), "seq_missing" (no integer `seq` in the payload), "tail_missing"
    (the chain ends before `expected_last_seq`; without that anchor, deleting the newest rows
    cannot be detected). Each row is chained to the hash stored on the row before it, so one edited
    row is reported once and the rows after it still verify.
    """
    breaks: list[ChainBreak[RowId]] = []
    prev_hash = start_hash
    expected = start_seq
    position = -1
    for position, (row_id, payload, stored_hash) in enumerate(rows):
        seq = payload.get("seq")
        linked = chain_hash(prev_hash, payload) == stored_hash
        prev_hash = stored_hash
        if not isinstance(seq, int) or isinstance(seq, bool):
            message = f"第{position + 1}条记录没有有效的序号，无法确认其前后是否有记录被删除。{_CHECK_BACKUP}"
            breaks.append(ChainBreak(row_id, position, "seq_missing", message))
            continue
        if seq > expected:
            missing = f"第{expected}号" if seq == expected + 1 else f"第{expected}至{seq - 1}号"
            message = f"缺少{missing}记录，可能已被删除。{_CHECK_BACKUP}"
            breaks.append(ChainBreak(row_id, position, "row_missing", message))
        elif seq < expected:
            message = (
                f"第{position + 1}条记录的序号为{seq}，应为{expected}：记录可能被插入、重复或调换了顺序。"
                f"{_CHECK_BACKUP}"
            )
            breaks.append(ChainBreak(row_id, position, "seq_order", message))
        elif not linked:
            message = (
                f"第{seq}号记录的内容与保存的哈希值不符：这条记录可能被修改，"
                f"或前一条记录的哈希值被改写。{_CHECK_BACKUP}"
            )
            breaks.append(ChainBreak(row_id, position, "hash_mismatch", message))
        expected = seq + 1
    if expected_last_seq is not None and expected <= expected_last_seq:
        missing = (
            f"第{expected}号" if expected == expected_last_seq else f"第{expected}至{expected_last_seq}号"
        )
        breaks.append(
            ChainBreak(
                None,
                position + 1,
                "tail_missing",
                f"记录应到第{expected_last_seq}号为止，缺少{missing}记录，可能已被删除。{_CHECK_BACKUP}",
            )
        )
    return breaks

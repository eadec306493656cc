"""Per-field validation of the merged form, by the catalogue field's type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from onewindow.lib.idcheck import IdentifierError, validate_id_number, validate_mobile, validate_uscc


def check_value(spec: dict[str, Any], value: Any) -> str | None:
    """The Chinese problem with one value, or None when it is acceptable."""
    label = spec["label"]
    text = "" if value is None else str(value).strip()
    if not text:
        return f"请填写“{label}”。" if spec.get("required") else None
    kind = spec.get("type", "text")
    if kind in {"text", "address"}:
        limit = spec.get("max_length") or (200 if kind == "address" else 100)
        if len(text) > limit:
            return f"“{label}”不能超过 {limit} 个字。"
        return None
    if kind in {"number", "area"}:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return f"“{label}”请填写数字。"
        if not number.is_finite():
            return f"“{label}”请填写数字。"
        if kind == "area" and number <= 0:
            return f"“{label}”应大于 0 平方米。"
        if spec.get("min") is not None and number < Decimal(str(spec["min"])):
            return f"“{label}”不能小于 {spec['min']}。"
        if spec.get("max") is not None and number > Decimal(str(spec["max"])):
            return f"“{label}”不能大于 {spec['max']}。"
        return None
    if kind == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            return f"“{label}”请按 年-月-日 填写，如 2026-12-01。"
        return None
    if kind == "choice":
        choices = [str(c) for c in spec.get("choices", [])]
        if text not in choices:
            return f"“{label}”请从以下选项中选择：{'、'.join(choices)}。"
        return None
    validators: dict[str, Callable[[str], None]] = {
        "uscc": validate_uscc,
        "id_number": validate_id_number,
        "phone": validate_mobile,
    }
    validator = validators.get(kind)
    if validator is not None:
        try:
            validator(text)
        except IdentifierError as exc:
            return f"“{label}”：{exc.message}"
    return None


def check_form(specs: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, str]:
    """Every problem in the form, by field code."""
    problems = {}
    for spec in specs:
        problem = check_value(spec, data.get(spec["code"]))
        if problem:
            problems[spec["code"]] = problem
    return problems

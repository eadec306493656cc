"""Per-field validation of the merged form, by the catalogue field's type."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from onewindow.lib.idcheck import IdentifierError, validate_id_number, validate_mobile, validate_uscc

# date.fromisoformat also takes 20260101 or 2026-W01-1, which no one reads as a date on a form.
DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# A whole number as a person writes one: digits (full-width too, as number fields take them), perhaps
# a sign, perhaps a point with only zeros after it (12.0). Decimal alone would also take 1e3 and 1_000.
WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")


def _bound(value: Any) -> str:
    """A limit as a person writes it: 1 and 0.1, not the catalogue's 1.00 and 0.10."""
    return f"{Decimal(str(value)).normalize():f}"


def is_date(text: str) -> bool:
    """Whether the text is a real day written as 年-月-日 (2026-12-01)."""
    if not DATE_FORM.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_value(spec: dict[str, Any], value: Any) -> str | None:
    """The problem with one value in the current language, or None when it is acceptable."""
    label = spec["label"]
    text = "" if value is None else str(value).strip()
    if not text:
        return _("请填写“%(label)s”。") % {"label": label} if spec.get("required") else None
    kind = spec.get("type", "text")
    if kind in {"text", "address"}:
        limit = spec.get("max_length") or (200 if kind == "address" else 100)
        if len(text) > limit:
            return _("“%(label)s”不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}
        return None
    if kind in {"number", "integer", "area"}:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return _("“%(label)s”请填写数字。") % {"label": label}
        if not number.is_finite():
            return _("“%(label)s”请填写数字。") % {"label": label}
        if kind == "integer" and not WHOLE_NUMBER.fullmatch(text):
            return _("“%(label)s”请填写整数。") % {"label": label}
        if kind == "area" and number <= 0:
            return _("“%(label)s”应大于 0 平方米。") % {"label": label}
        if spec.get("min") is not None and number < Decimal(str(spec["min"])):
            return _("“%(label)s”不能小于 %(min)s。") % {"label": label, "min": _bound(spec["min"])}
        if spec.get("max") is not None and number > Decimal(str(spec["max"])):
            return _("“%(label)s”不能大于 %(max)s。") % {"label": label, "max": _bound(spec["max"])}
        return None
    if kind == "date":
        if not is_date(text):
            return _("“%(label)s”请按 年-月-日 填写，如 2026-12-01。") % {"label": label}
        return None
    if kind == "choice":
        choices = [str(c) for c in spec.get("choices", [])]
        if text not in choices:
            return _("“%(label)s”请从以下选项中选择：%(choices)s。") % {
                "label": label,
                "choices": _("、").join(choices),
            }
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
            return _("“%(label)s”：%(problem)s") % {"label": label, "problem": exc.message}
    return None


def check_form(specs: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, str]:
    """Every problem in the form, by field code."""
    problems = {}
    for spec in specs:
        problem = check_value(spec, data.get(spec["code"]))
        if problem:
            problems[spec["code"]] = problem
    return problems

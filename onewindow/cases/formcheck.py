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

# The catalogue's number fields carry no whole-number flag, so a count is told by its label: a unit
# that counts things (客房数量（间）), or, without a unit, a name that says it is a count (从业人员人数).
# A measure (经营资金（万元）, 日排水量（吨）) keeps its decimals.
COUNT_UNITS = frozenset({"间", "张", "个", "台", "人", "辆", "家", "座", "户", "套", "名"})
COUNT_ENDINGS = ("人数", "台数", "个数", "户数", "数量")
LABEL_UNIT = re.compile(r"（([^（）]+)）$")


def is_count(label: str) -> bool:
    """Whether a number field with this label counts things, so only whole numbers fit."""
    unit = LABEL_UNIT.search(label)
    if unit is not None:
        return unit.group(1) in COUNT_UNITS
    return label.endswith(COUNT_ENDINGS)


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
    if kind in {"number", "area"}:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return _("“%(label)s”请填写数字。") % {"label": label}
        if not number.is_finite():
            return _("“%(label)s”请填写数字。") % {"label": label}
        if kind == "number" and number != number.to_integral_value() and is_count(label):
            return _("“%(label)s”请填写整数。") % {"label": label}
        if kind == "area" and number <= 0:
            return _("“%(label)s”应大于 0 平方米。") % {"label": label}
        if spec.get("min") is not None and number < Decimal(str(spec["min"])):
            return _("“%(label)s”不能小于 %(min)s。") % {"label": label, "min": spec["min"]}
        if spec.get("max") is not None and number > Decimal(str(spec["max"])):
            return _("“%(label)s”不能大于 %(max)s。") % {"label": label, "max": spec["max"]}
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

"""Per-field validation of the merged form, by the catalogue field's type."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from onewindow.lib.idcheck import IdentifierError, validate_id_number, validate_mobile, validate_uscc

if TYPE_CHECKING:
    from onewindow.cases.models import Case

# date.fromisoformat also takes 20260101 or 2026-W01-1, which no one reads as a date on a form.
DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Numbers as a person writes them on a form, matched after NFKC (so full-width digits, point and sign
# count): digits, perhaps a sign, perhaps a decimal point. Decimal alone would also take 1e3, 1_000
# and other scripts' digits (١٠), which no department reads as a number on a form.
DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# A whole number: perhaps a point with only zeros after it (12.0).
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")

# The longest value any field keeps, whatever its own limit: a longer one is refused, never cut.
FORM_VALUE_MAX = 5000


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


def text_limit(spec: dict[str, Any]) -> int | None:
    """The most characters a text or address field takes, or None for the other kinds."""
    kind = spec.get("type", "text")
    if kind not in {"text", "address"}:
        return None
    return int(spec.get("max_length") or (200 if kind == "address" else 100))


def value_cap(spec: dict[str, Any]) -> int:
    """The most characters a field's value may have to be saved at all (as a draft, with its problem)."""
    return max(FORM_VALUE_MAX, int(spec.get("max_length") or 0))


def check_value(spec: dict[str, Any], value: Any) -> str | None:
    """The problem with one value in the current language, or None when it is acceptable."""
    label = spec["label"]
    text = "" if value is None else str(value).strip()
    if not text:
        return _("请填写“%(label)s”。") % {"label": label} if spec.get("required") else None
    kind = spec.get("type", "text")
    limit = text_limit(spec)
    if limit is not None:
        if len(text) > limit:
            return _("“%(label)s”不能超过 %(limit)s 个字，当前 %(count)s 个字。") % {
                "label": label,
                "limit": limit,
                "count": len(text),
            }
        return None
    if kind in {"number", "integer", "area"}:
        written = unicodedata.normalize("NFKC", text)
        try:
            number = Decimal(written)
        except InvalidOperation:
            return _("“%(label)s”请填写数字。") % {"label": label}
        if not number.is_finite():
            return _("“%(label)s”请填写数字。") % {"label": label}
        if kind == "integer" and not WHOLE_NUMBER.fullmatch(written):
            return _("“%(label)s”请填写整数。") % {"label": label}
        if not DECIMAL_NUMBER.fullmatch(written):
            return _("“%(label)s”请填写数字。") % {"label": label}
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


def holder_values(case: Case) -> dict[str, str]:
    """The fields of an enterprise's case that name its holder, by code, with the values they must
    have: the case holder's name and credit code. Nothing for a person's case.

    They are filled from the enterprise when the case starts and stay so (prefilled and locked, as
    on the national platforms): the licence goes to the case holder, whatever the form would say.
    """
    if not case.enterprise_id:
        return {}
    values = {"enterprise_name": case.holder_name, "uscc": case.holder_code}
    codes = {spec["code"] for spec in case.plan.get("form", [])}
    return {code: value for code, value in values.items() if code in codes}


def holder_problem(spec: dict[str, Any], value: str) -> str:
    """What a holder field says when it is not the case holder's."""
    return _(
        "“%(label)s”应为办件申请企业的“%(value)s”，不能更改。如需为其他企业申请，请使用该企业的账号。"
    ) % {
        "label": spec["label"],
        "value": value,
    }


def case_form_problems(case: Case, data: dict[str, Any] | None = None) -> dict[str, str]:
    """Every problem in a case's form (its saved values unless `data` is given), by field code.

    Beyond each field's own check: an enterprise's holder fields must name the case holder, and the
    credit code the window verified against the licence although its check character fails (早期试点代码,
    recorded with the enterprise's 校验码例外说明) is accepted for that enterprise's case.
    """
    specs = case.plan.get("form", [])
    values = case.form_data if data is None else data
    problems = check_form(specs, values)
    holder = holder_values(case)
    for spec in specs:
        code = spec["code"]
        if code not in holder:
            continue
        value = "" if values.get(code) is None else str(values[code]).strip()
        if value != holder[code]:
            problems[code] = holder_problem(spec, holder[code])
        elif spec.get("type") == "uscc" and code in problems and _verified_pilot_code(case):
            del problems[code]
    return problems


def _verified_pilot_code(case: Case) -> bool:
    """Whether the case holder's credit code is one the window verified although it fails the check.

    Read only when the code fails: the enterprise row is not otherwise needed to check a form.
    """
    enterprise = case.enterprise
    return (
        enterprise is not None
        and enterprise.uscc == case.holder_code
        and bool(enterprise.uscc_override_reason)
    )

"""What the case pages show and read: the merged form's rows, the window's decisions, assisted filing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User
from onewindow.accounts.registration import ApplicantFieldsForm, applicant_find_or_register, describe_fields
from onewindow.bundles.models import Bundle, Question
from onewindow.cases.formcheck import case_form_problems, holder_values, is_date
from onewindow.cases.models import Case, CaseMaterial
from onewindow.lib.idcheck import mask_id_number

# The HTML input per catalogue field type: (type attribute, inputmode, autocomplete).
# Numbers are typed into text inputs: type="number" would silently drop an invalid draft value.
INPUTS: dict[str, tuple[str, str, str]] = {
    "text": ("text", "", ""),
    "address": ("text", "", "street-address"),
    "number": ("text", "decimal", "off"),
    "integer": ("text", "numeric", "off"),
    "area": ("text", "decimal", "off"),
    "date": ("date", "", "off"),
    "phone": ("tel", "tel", "tel"),
    "uscc": ("text", "", "off"),
    "id_number": ("text", "", "off"),
}
UNITS = {"area": gettext_lazy("平方米")}


@dataclass(frozen=True)
class FieldRow:
    """One field of the merged form, ready to render."""

    code: str
    label: str
    kind: str
    required: bool
    help: str
    choices: tuple[str, ...]
    max_length: int | None
    value: str
    error: str
    saved: bool
    items: tuple[str, ...]
    # The value the page was rendered with: a whole-form save keeps only what the person changed.
    initial: str
    # A holder field of an enterprise's case: shown, never typed into.
    locked: bool = False

    @property
    def input_type(self) -> str:
        if self.kind == "date" and self.value and not is_date(self.value):
            # A date input shows a value of another form (2026/12/01) as empty: it must stay visible.
            return "text"
        return INPUTS.get(self.kind, INPUTS["text"])[0]

    @property
    def inputmode(self) -> str:
        return INPUTS.get(self.kind, INPUTS["text"])[1]

    @property
    def autocomplete(self) -> str:
        return INPUTS.get(self.kind, INPUTS["text"])[2]

    @property
    def unit(self) -> str:
        return str(UNITS.get(self.kind, ""))

    @property
    def is_choice(self) -> bool:
        return self.kind == "choice"

    @property
    def is_code(self) -> bool:
        return self.kind in {"uscc", "id_number"}

    @property
    def display_value(self) -> str:
        return form_value_shown(self.kind, self.value)


def form_value_shown(kind: str | None, value: Any) -> Any:
    """A form value as read-only pages and the API show it: an ID number masked, as everywhere
    outside its own input."""
    if kind == "id_number" and value:
        return mask_id_number(str(value))
    return value


def item_names(case: Case) -> dict[str, str]:
    return {item["code"]: item["name"] for item in case.plan.get("items", [])}


def field_rows(
    case: Case,
    *,
    problems: dict[str, str] | None = None,
    show_all: bool = False,
    unsaved: dict[str, str] | None = None,
) -> list[FieldRow]:
    """The form's rows with their saved values; a problem shows once the field was saved or when asked.

    `unsaved`: values a refused save did not keep, shown in their inputs so nothing typed is lost.
    """
    names = item_names(case)
    if problems is None:
        problems = case_form_problems(case)
    locked = holder_values(case)
    unsaved = unsaved or {}
    rows = []
    for spec in case.plan.get("form", []):
        code = spec["code"]
        saved = code in case.form_data
        initial = str(case.form_data.get(code, ""))
        value = unsaved.get(code, initial)
        error = problems.get(code, "")
        if not (saved or show_all):
            error = ""
        rows.append(
            FieldRow(
                code=code,
                label=spec["label"],
                kind=spec.get("type", "text"),
                required=bool(spec.get("required")),
                help=spec.get("help") or "",
                choices=tuple(str(c) for c in spec.get("choices") or ()),
                max_length=spec.get("max_length"),
                value=value,
                error=error,
                saved=saved,
                items=tuple(names.get(code, code) for code in spec.get("items", [])),
                initial=initial,
                locked=code in locked,
            )
        )
    return rows


def typed(data: QueryDict, name: str) -> str:
    """What was typed into one input, without NUL characters: nobody types one, and PostgreSQL
    refuses one in text and JSON."""
    return data.get(name, "").replace("\x00", "")


INITIAL_PREFIX = "initial_"


def form_values(case: Case, data: QueryDict) -> dict[str, str]:
    """The posted values of the case's form fields that this page changed; other keys (the CSRF token,
    buttons) are left out.

    The whole form posts every input: one still showing the value it was rendered with (its
    `initial_<code>`) is left out, so a value saved since from another tab or by the window is not
    overwritten with the old one. A field posted without its initial value (autosave, a hand-written
    form) is taken as it is.
    """
    known = [spec["code"] for spec in case.plan.get("form", [])]
    values = {}
    for code in known:
        if code not in data:
            continue
        value = typed(data, code)
        initial = INITIAL_PREFIX + code
        if initial in data and typed(data, initial).strip() == value.strip():
            continue
        values[code] = value
    return values


# ---------------------------------------------------------------- starting a case


def answers_from_post(data: QueryDict, *, prefix: str = "") -> dict[str, str]:
    """The scenario answers of a start request.

    The bundle page sends them as one urlencoded `answers` value (its plan's query string);
    a hand-written form may send them as fields of their own (with `prefix`).
    """
    if not prefix and "answers" in data:
        data = QueryDict(str(data.get("answers", "")))
        prefix_given = False
    else:
        prefix_given = True
    skip = {"csrfmiddlewaretoken", "bundle", "answers", "next", "channel"} if prefix_given else set()
    answers: dict[str, str] = {}
    for key in data:
        value = str(data.get(key, ""))
        if value == "":
            continue
        if prefix:
            if key.startswith(prefix):
                answers[key[len(prefix) :]] = value
        elif key not in skip:
            answers[key] = value
    return answers


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    value: str
    options: tuple[tuple[str, str], ...]
    error: str

    @property
    def is_number(self) -> bool:
        return self.question.kind == Question.Kind.NUMBER


def question_rows(bundle: Bundle, answers: dict[str, str], errors: dict[str, str]) -> list[QuestionRow]:
    rows = []
    for question in bundle.questions.all():
        if question.kind == Question.Kind.YES_NO:
            options: tuple[tuple[str, str], ...] = (("yes", _("是")), ("no", _("否")))
        elif question.kind == Question.Kind.CHOICE:
            options = tuple(
                (str(o.get("value")), str(o.get("label", o.get("value"))))
                for o in question.options
                if isinstance(o, dict)
            )
        else:
            options = ()
        rows.append(
            QuestionRow(
                question=question,
                value=answers.get(question.code, ""),
                options=options,
                error=errors.get(question.code, ""),
            )
        )
    return rows


class AssistForm(ApplicantFieldsForm):
    """帮办代办: the window finds or registers the applicant and picks the bundle."""

    allow_uscc_override = True

    uscc_override_reason = forms.CharField(
        label=gettext_lazy("校验码例外说明"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "仅当营业执照上的代码确实无法通过校验（少数早期试点代码）时填写核实情况，否则请核对代码。"
        ),
    )
    bundle = forms.ModelChoiceField(
        label=gettext_lazy("申请主题"),
        queryset=Bundle.objects.filter(is_published=True),
        to_field_name="code",
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择要申请的一业一证主题。"),
            "invalid_choice": gettext_lazy("请选择列表中的主题。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = False
        self.fields["display_name"].help_text = _(
            "个人申请人的姓名；企业可填写经办人姓名。已登记的申请人可不填。"
        )
        describe_fields(self)

    def clean_phone(self) -> str:
        return super().clean_phone() if self.cleaned_data.get("phone") else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("uscc_check_failed") and not cleaned.get("uscc_override_reason", "").strip():
            self.add_error(
                "uscc",
                _(
                    "统一社会信用代码的校验位与前17位不符。请逐位核对营业执照；如核实营业执照上的代码确实如此，"
                    "请在“校验码例外说明”中写明核实情况后再提交。"
                ),
            )
        return cleaned

    def applicant(self, confirmed_account_id: int | None) -> User:
        """The applicant this valid form names, found or registered (registration's rule); raises
        AccountConfirmationRequired or RegistrationError as applicant_find_or_register does."""
        cleaned = self.cleaned_data
        return applicant_find_or_register(
            kind=cleaned["kind"],
            phone=cleaned.get("phone", ""),
            display_name=cleaned.get("display_name", ""),
            uscc=cleaned.get("uscc", ""),
            enterprise_name=cleaned.get("enterprise_name", ""),
            legal_representative=cleaned.get("legal_representative", ""),
            id_number=cleaned.get("id_number", ""),
            uscc_override_reason=cleaned.get("uscc_override_reason", ""),
            confirmed_account_id=confirmed_account_id,
        )


# ---------------------------------------------------------------- the window's decisions


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予受理的理由和依据"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("写明不予受理的事实、理由和依据，将原文载入不予受理通知书。"),
        error_messages={"required": gettext_lazy("不予受理必须写明理由和依据。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_fields(self)


@dataclass(frozen=True)
class SupplementRow:
    row: CaseMaterial
    checked: bool
    reason: str
    error: str


@dataclass
class SupplementInput:
    """What the clerk ticked and wrote; `targets` maps each entry's index to the input it came from."""

    entries: list[dict[str, str]]
    targets: list[str]
    note: str
    other: str
    checked: set[str]
    reasons: dict[str, str]
    errors: dict[str, str]
    lines_checked: set[str] = field(default_factory=set)


def supplement_input(
    data: QueryDict, rows: list[CaseMaterial], told_lines: Sequence[str] = ()
) -> SupplementInput:
    """The one supplement notice's entries: each ticked material with its reason, then one line per other problem.

    `told_lines`: after an answered notice, its other lines, which the clerk ticks (`line`, by index)
    when still not right, instead of writing new ones.
    """
    entries: list[dict[str, str]] = []
    targets: list[str] = []
    errors: dict[str, str] = {}
    checked = set(data.getlist("material"))
    reasons = {row.material.code: typed(data, f"reason_{row.material.code}").strip() for row in rows}
    for row in rows:
        code = row.material.code
        if code in checked:
            entries.append({"material": code, "reason": reasons[code]})
            targets.append(f"reason_{code}")
        elif reasons[code]:
            errors[f"reason_{code}"] = _("已填写补正原因但未勾选这份材料：请勾选，或清空原因。")
    lines_checked = set(data.getlist("line"))
    for index, line in enumerate(told_lines):
        if str(index) in lines_checked:
            entries.append({"material": "", "reason": line})
            targets.append("other")
    other = typed(data, "other")
    for line in other.splitlines():
        if line.strip():
            entries.append({"material": "", "reason": line.strip()})
            targets.append("other")
    return SupplementInput(
        entries=entries,
        targets=targets,
        note=typed(data, "note").strip(),
        other=other,
        checked=checked,
        reasons=reasons,
        errors=errors,
        lines_checked=lines_checked,
    )


def supplement_rows(rows: list[CaseMaterial], given: SupplementInput | None) -> list[SupplementRow]:
    return [
        SupplementRow(
            row=row,
            checked=bool(given and row.material.code in given.checked),
            reason=given.reasons.get(row.material.code, "") if given else "",
            error=given.errors.get(f"reason_{row.material.code}", "") if given else "",
        )
        for row in rows
    ]


def supplement_errors(given: SupplementInput, fields: dict[str, str]) -> dict[str, str]:
    """The service's problems ("entries[2].reason") moved onto the inputs the clerk sees."""
    errors = dict(given.errors)
    for key, message in fields.items():
        index_text = key[len("entries[") : key.find("]")] if key.startswith("entries[") else ""
        if index_text.isdigit() and int(index_text) < len(given.targets):
            errors.setdefault(given.targets[int(index_text)], message)
            continue
        errors.setdefault("other", message)
    return errors

"""The planner: a bundle plus the applicant's answers become one notice, one form, one checklist."""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from onewindow.bundles.models import Bundle, Question, Rule
from onewindow.catalog.models import Field, ItemField, ItemMaterial, Material, ServiceItem

Answer = bool | str | Decimal


class Disposition:
    UPLOAD = "upload"
    SHARED = "shared"
    COMMITMENT = "commitment"

    LABELS = {
        UPLOAD: "申请人提交",
        SHARED: "部门共享调取",
        COMMITMENT: "告知承诺替代",
    }


@dataclass(frozen=True)
class AnswerProblem:
    question: str
    code: str
    message: str


class AnswersInvalid(Exception):
    """The answers do not fit the bundle's questions; each problem names its question."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def commitment_limit_label(days: int) -> str:
    """The commitment route's limit as the notice words it, in the current language."""
    if days == 0:
        return _("告知承诺办理：当场办结")
    return ngettext("告知承诺办理：%(n)d个工作日", "告知承诺办理：%(n)d个工作日", days) % {"n": days}


@dataclass(frozen=True)
class PlanItem:
    item: ServiceItem
    reason: str
    prerequisites: tuple[ServiceItem, ...]
    dependency_notes: tuple[str, ...]
    commitment: bool

    @property
    def on_commitment_limit(self) -> bool:
        """Whether the decision is due within the commitment route's own limit: the applicant chose the
        commitment for this item and the item has such a limit."""
        return self.commitment and self.item.commitment_limit_days is not None

    @property
    def limit_days(self) -> int:
        """The working days this item's decision is due in, on the route this plan takes."""
        commitment_limit = self.item.commitment_limit_days
        if self.commitment and commitment_limit is not None:
            return commitment_limit
        return self.item.promised_limit_days

    @property
    def commitment_limit_label(self) -> str:
        """The notice's words for the commitment route's limit (告知承诺办理：1个工作日, or 当场办结) when it
        applies, else empty."""
        return commitment_limit_label(self.limit_days) if self.on_commitment_limit else ""


@dataclass(frozen=True)
class PlanField:
    field: Field
    required: bool
    items: tuple[ServiceItem, ...]


@dataclass(frozen=True)
class Condition:
    """Why a conditional item, field or material applies, kept as data and worded when shown, in the
    reader's language (a case keeps it in its plan snapshot): the answer that satisfied a rule, or the
    catalogue's condition note."""

    question: str = ""  # the question's text, as the bundle has it
    answer: bool | None = None  # a yes/no question: the answer the rule wants
    options: tuple[str, ...] = ()  # a choice question: the labels of the options the rule wants
    operator: str = ""  # any other question: the comparison (Rule.Operator), the value and its unit
    value: str = ""
    unit: str = ""
    note: str = ""  # no rule decides: the catalogue's note on when the material is needed

    @property
    def text(self) -> str:
        if self.note:
            return self.note
        if self.answer is not None:
            return _("您对“%(q)s”回答了“%(a)s”") % {
                "q": self.question,
                "a": _("是") if self.answer else _("否"),
            }
        if self.options:
            return _("您对“%(q)s”选择了“%(a)s”") % {
                "q": self.question,
                "a": pgettext("joining options", "或").join(self.options),
            }
        return _("“%(q)s”%(op)s %(v)s%(unit)s") % {
            "q": self.question,
            "op": Rule.Operator(self.operator).label,
            "v": self.value,
            "unit": self.unit,
        }

    def as_data(self) -> dict[str, Any]:
        """The condition as JSON, for a case's plan snapshot."""
        data = {
            "question": self.question,
            "answer": self.answer,
            "options": list(self.options),
            "operator": self.operator,
            "value": self.value,
            "unit": self.unit,
            "note": self.note,
        }
        return {key: value for key, value in data.items() if value not in ("", None, [])}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Condition:
        return cls(
            question=str(data.get("question", "")),
            answer=data.get("answer"),
            options=tuple(str(o) for o in data.get("options", ())),
            operator=str(data.get("operator", "")),
            value=str(data.get("value", "")),
            unit=str(data.get("unit", "")),
            note=str(data.get("note", "")),
        )


def material_reason(item_names: Sequence[str], conditions: Sequence[Condition]) -> str:
    """Why the checklist asks for a material, in the current language: the items that need it and,
    for a conditional one, the conditions that made it needed."""
    reason = _("%(items)s需要此材料") % {"items": "、".join(f"《{name}》" for name in item_names)}
    if conditions:
        reason += _("（%(why)s）") % {"why": "；".join(dict.fromkeys(c.text for c in conditions))}
    return reason


@dataclass(frozen=True)
class PlanMaterial:
    material: Material
    disposition: str
    items: tuple[ServiceItem, ...]
    originals: int
    copies: int
    disposition_reason: str
    conditions: tuple[Condition, ...]

    @property
    def reason(self) -> str:
        return material_reason([i.name for i in self.items], self.conditions)

    @property
    def condition_notes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.text for c in self.conditions))

    @property
    def disposition_label(self) -> str:
        return Disposition.LABELS[self.disposition]


@dataclass(frozen=True)
class CommitmentClause:
    """One clause of the commitment letter: an item's own, or the one that replaces a material."""

    item: ServiceItem | None
    text: str
    material: Material | None = None


@dataclass(frozen=True)
class Summary:
    items: int
    departments: int
    forms_before: int
    forms_after: int
    fields_before: int
    fields_after: int
    materials_before: int
    materials_after: int
    materials_shared: int
    materials_committed: int
    serial_days: int
    parallel_days: int
    statutory_serial_days: int

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Plan:
    bundle: Bundle
    answers: dict[str, Answer]
    items: tuple[PlanItem, ...]
    form: tuple[PlanField, ...]
    materials: tuple[PlanMaterial, ...]
    commitment: tuple[CommitmentClause, ...]
    summary: Summary
    unanswered: tuple[Question, ...] = field(default=())

    @property
    def uploads(self) -> tuple[PlanMaterial, ...]:
        return tuple(m for m in self.materials if m.disposition == Disposition.UPLOAD)

    @property
    def on_commitment_limits(self) -> bool:
        """Whether some item's decision is due within the commitment route's own limit."""
        return any(p.on_commitment_limit for p in self.items)

    @property
    def departments(self) -> tuple[Any, ...]:
        seen: dict[int, Any] = {}
        for plan_item in self.items:
            seen.setdefault(plan_item.item.department_id, plan_item.item.department)
        return tuple(seen.values())


YES_WORDS = {"yes", "true", "1", "是", "有"}
NO_WORDS = {"no", "false", "0", "否", "无"}


def planning_queryset() -> QuerySet[Bundle]:
    """Bundles with everything the planner reads, fetched in a fixed number of queries."""
    item_queryset = ServiceItem.objects.select_related("department").prefetch_related(
        Prefetch(
            "material_requirements",
            queryset=ItemMaterial.objects.select_related("material").order_by("order", "id"),
        ),
        Prefetch("form_fields", queryset=ItemField.objects.select_related("field").order_by("order", "id")),
    )
    return Bundle.objects.select_related("lead_department", "commitment_question").prefetch_related(
        Prefetch("bundle_items__item", queryset=item_queryset),
        "questions",
        Prefetch("rules", queryset=Rule.objects.select_related("question")),
        "dependencies",
    )


def bundle_for_planning(code: str) -> Bundle:
    """The published bundle with everything the planner reads."""
    return planning_queryset().get(code=code, is_published=True)


def clean_answers(bundle: Bundle, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """Check raw answers against the questions: unknown codes, types and ranges are errors."""
    questions = {q.code: q for q in bundle.questions.all()}
    problems: list[AnswerProblem] = []
    cleaned: dict[str, Answer] = {}
    for code, value in raw.items():
        question = questions.get(code)
        if question is None:
            problems.append(
                AnswerProblem(
                    code,
                    "unknown_question",
                    _("没有编码为“%(code)s”的问题，请刷新页面后重新作答。") % {"code": code},
                )
            )
            continue
        if value is None or value == "":
            continue
        try:
            cleaned[code] = _clean_one(question, value)
        except AnswerProblemError as exc:
            problems.append(AnswerProblem(code, exc.code, exc.message))
    if problems:
        raise AnswersInvalid(problems)
    return cleaned


class AnswerProblemError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean_one(question: Question, value: Any) -> Answer:
    if question.kind == Question.Kind.YES_NO:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise AnswerProblemError("not_yes_no", _("“%(q)s”请回答“是”或“否”。") % {"q": question.text})
    if question.kind == Question.Kind.CHOICE:
        values = question.option_values()
        text = str(value)
        if isinstance(value, bool) or text not in values:
            labels = "、".join(str(o.get("label", o.get("value"))) for o in question.options)
            raise AnswerProblemError(
                "not_an_option",
                _("“%(q)s”只能从以下选项中选择：%(labels)s。") % {"q": question.text, "labels": labels},
            )
        return text
    if isinstance(value, bool):
        raise AnswerProblemError("not_a_number", _("“%(q)s”请填写数字。") % {"q": question.text})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise AnswerProblemError("not_a_number", _("“%(q)s”请填写数字。") % {"q": question.text}) from None
    if not number.is_finite():
        raise AnswerProblemError("not_a_number", _("“%(q)s”请填写数字。") % {"q": question.text})
    if question.min_value is not None and number < question.min_value:
        raise AnswerProblemError(
            "below_minimum",
            _("“%(q)s”不能小于 %(min)s%(unit)s。")
            % {"q": question.text, "min": _number(question.min_value), "unit": question.unit},
        )
    if question.max_value is not None and number > question.max_value:
        raise AnswerProblemError(
            "above_maximum",
            _("“%(q)s”不能大于 %(max)s%(unit)s。")
            % {"q": question.text, "max": _number(question.max_value), "unit": question.unit},
        )
    return number


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _finite_number(value: str) -> Decimal | None:
    """A rule's number, or None for text no number compares with."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rule_holds(rule: Rule, answers: Mapping[str, Answer]) -> bool:
    """Whether one rule is satisfied; an unanswered question satisfies nothing."""
    answer = answers.get(rule.question.code)
    if answer is None:
        return False
    expected = rule.value.strip()
    if isinstance(answer, bool):
        wanted = expected.lower() in YES_WORDS
        if rule.operator == Rule.Operator.EQ:
            return answer == wanted
        if rule.operator == Rule.Operator.NE:
            return answer != wanted
        return False
    if isinstance(answer, Decimal):
        # A threshold no number compares with (NaN, Infinity, from before imports refused them) holds
        # for no answer; ordering a NaN would raise.
        threshold = _finite_number(expected)
        if threshold is None:
            return False
        compare: dict[str, Callable[[Decimal, Decimal], bool]] = {
            Rule.Operator.EQ: operator.eq,
            Rule.Operator.NE: operator.ne,
            Rule.Operator.GT: operator.gt,
            Rule.Operator.GTE: operator.ge,
            Rule.Operator.LT: operator.lt,
            Rule.Operator.LTE: operator.le,
        }
        comparison = compare.get(rule.operator)
        return comparison is not None and comparison(answer, threshold)
    if rule.operator == Rule.Operator.IN:
        return answer in {part.strip() for part in expected.split(",")}
    if rule.operator == Rule.Operator.NE:
        return answer != expected
    return answer == expected


def _rule_condition(rule: Rule) -> Condition:
    """The condition a satisfied rule stands for."""
    question = rule.question
    if question.kind == Question.Kind.YES_NO:
        wanted = rule.value.strip().lower() in YES_WORDS
        if rule.operator == Rule.Operator.NE:
            wanted = not wanted
        return Condition(question=question.text, answer=wanted)
    if question.kind == Question.Kind.CHOICE:
        labels = {str(o.get("value")): str(o.get("label", o.get("value"))) for o in question.options}
        values = tuple(labels.get(v.strip(), v.strip()) for v in rule.value.split(","))
        return Condition(question=question.text, options=values)
    return Condition(question=question.text, operator=rule.operator, value=rule.value, unit=question.unit)


def plan_bundle(bundle: Bundle, answers: Mapping[str, Answer]) -> Plan:
    """Compute the plan for already cleaned answers. Reads only prefetched data."""
    rules_by_target: dict[tuple[str, int, int | None], list[Rule]] = defaultdict(list)
    for rule in bundle.rules.all():
        target_id = rule.material_id if rule.target == Rule.Target.MATERIAL else rule.field_id
        rules_by_target[(rule.target, rule.item_id, target_id)].append(rule)

    def gate(key: tuple[str, int, int | None], needs_rule: bool) -> tuple[bool, Condition | None]:
        rules = rules_by_target.get(key)
        if not rules:
            return (not needs_rule, None)
        for rule in rules:
            if rule_holds(rule, answers):
                return (True, _rule_condition(rule))
        return (False, None)

    commitment_chosen = True
    if bundle.commitment_question is not None:
        commitment_chosen = answers.get(bundle.commitment_question.code) is True

    bundle_items = list(bundle.bundle_items.all())
    applicable: list[tuple[ServiceItem, str]] = []
    for bundle_item in bundle_items:
        applies, why = gate((Rule.Target.ITEM, bundle_item.item_id, None), needs_rule=False)
        if applies:
            reason = why.text + _("，需要办理此项") if why else _("本行业开业必须办理")
            applicable.append((bundle_item.item, reason))
    applicable_ids = {item.id for item, _reason in applicable}

    prerequisites: dict[int, list[ServiceItem]] = defaultdict(list)
    notes: dict[int, list[str]] = defaultdict(list)
    items_by_id = {item.id: item for item, _reason in applicable}
    for dependency in bundle.dependencies.all():
        if dependency.item_id in applicable_ids and dependency.prerequisite_id in applicable_ids:
            prerequisites[dependency.item_id].append(items_by_id[dependency.prerequisite_id])
            if dependency.note:
                notes[dependency.item_id].append(dependency.note)

    plan_items = tuple(
        PlanItem(
            item=item,
            reason=reason,
            prerequisites=tuple(prerequisites[item.id]),
            dependency_notes=tuple(notes[item.id]),
            commitment=item.supports_commitment and commitment_chosen,
        )
        for item, reason in applicable
    )
    committed_items = {p.item.id for p in plan_items if p.commitment}

    # Merged form: each catalogue field once, in order of first appearance.
    form_entries: dict[int, tuple[Field, bool, list[ServiceItem]]] = {}
    fields_before = 0
    for item, _reason in applicable:
        for item_field in item.form_fields.all():
            applies, _why = gate((Rule.Target.FIELD, item.id, item_field.field_id), item_field.conditional)
            if not applies:
                continue
            fields_before += 1
            entry = form_entries.get(item_field.field_id)
            if entry is None:
                form_entries[item_field.field_id] = (item_field.field, item_field.required, [item])
            else:
                form_entries[item_field.field_id] = (
                    entry[0],
                    entry[1] or item_field.required,
                    [*entry[2], item],
                )
    form = tuple(
        PlanField(field=f, required=req, items=tuple(items)) for f, req, items in form_entries.values()
    )

    # One checklist: each catalogue material once, with why it is there and how it is handed in.
    material_entries: dict[int, dict[str, Any]] = {}
    materials_before = 0
    for item, _reason in applicable:
        for requirement in item.material_requirements.all():
            conditional = requirement.requirement == requirement.Requirement.CONDITIONAL
            applies, why = gate((Rule.Target.MATERIAL, item.id, requirement.material_id), conditional)
            if not applies:
                continue
            materials_before += 1
            collected = material_entries.setdefault(
                requirement.material_id,
                {
                    "material": requirement.material,
                    "items": [],
                    "originals": 0,
                    "copies": 0,
                    "replaceable": True,
                    "conditions": [],
                },
            )
            collected["items"].append(item)
            collected["originals"] = max(collected["originals"], requirement.originals)
            collected["copies"] = max(collected["copies"], requirement.copies)
            replaceable = item.id in committed_items and (
                requirement.commitment_replaceable or requirement.material.commitment_replaceable
            )
            collected["replaceable"] = collected["replaceable"] and replaceable
            if why:
                collected["conditions"].append(why)
            elif requirement.condition_note:
                collected["conditions"].append(Condition(note=requirement.condition_note))

    materials: list[PlanMaterial] = []
    for collected in material_entries.values():
        material: Material = collected["material"]
        if material.government_held:
            disposition = Disposition.SHARED
            source = material.shared_licence_type or material.name
            disposition_reason = _(
                "政府部门已持有，将凭统一社会信用代码或身份证号从电子证照库调取“%(s)s”，您无需提交。"
            ) % {"s": source}
        elif collected["replaceable"]:
            disposition = Disposition.COMMITMENT
            disposition_reason = _("您选择告知承诺办理，签署承诺书即可免交，审批后将核查承诺内容。")
        else:
            disposition = Disposition.UPLOAD
            disposition_reason = _("请提交一次，所有需要此材料的部门共用。")
        materials.append(
            PlanMaterial(
                material=material,
                disposition=disposition,
                items=tuple(collected["items"]),
                originals=collected["originals"],
                copies=collected["copies"],
                disposition_reason=disposition_reason,
                conditions=tuple(dict.fromkeys(collected["conditions"])),
            )
        )
    order = {Disposition.UPLOAD: 0, Disposition.SHARED: 1, Disposition.COMMITMENT: 2}
    materials.sort(key=lambda m: order[m.disposition])

    clauses: list[CommitmentClause] = []
    for plan_item in plan_items:
        if plan_item.commitment and plan_item.item.commitment_clause:
            clauses.append(CommitmentClause(item=plan_item.item, text=plan_item.item.commitment_clause))
    for plan_material in materials:
        if plan_material.disposition == Disposition.COMMITMENT and plan_material.material.commitment_clause:
            clauses.append(
                CommitmentClause(
                    item=None, text=plan_material.material.commitment_clause, material=plan_material.material
                )
            )

    summary = Summary(
        items=len(plan_items),
        departments=len({p.item.department_id for p in plan_items}),
        forms_before=len(plan_items),
        forms_after=1 if plan_items else 0,
        fields_before=fields_before,
        fields_after=len(form),
        materials_before=materials_before,
        materials_after=sum(1 for m in materials if m.disposition == Disposition.UPLOAD),
        materials_shared=sum(1 for m in materials if m.disposition == Disposition.SHARED),
        materials_committed=sum(1 for m in materials if m.disposition == Disposition.COMMITMENT),
        serial_days=sum(p.limit_days for p in plan_items),
        parallel_days=_critical_path(plan_items),
        statutory_serial_days=sum(p.item.statutory_limit_days for p in plan_items),
    )
    answered = set(answers)
    unanswered = tuple(q for q in bundle.questions.all() if q.code not in answered)
    return Plan(
        bundle=bundle,
        answers=dict(answers),
        items=plan_items,
        form=form,
        materials=tuple(materials),
        commitment=tuple(clauses),
        summary=summary,
        unanswered=unanswered,
    )


def _critical_path(plan_items: tuple[PlanItem, ...]) -> int:
    """Longest chain of limits (on the plan's route) through the prerequisites: the parallel duration."""
    finish: dict[int, int] = {}
    by_id = {p.item.id: p for p in plan_items}

    def finish_of(item_id: int, trail: frozenset[int]) -> int:
        if item_id in finish:
            return finish[item_id]
        plan_item = by_id[item_id]
        start = 0
        for prerequisite in plan_item.prerequisites:
            if prerequisite.id in trail:
                continue  # a cycle is rejected at import; never loop here
            start = max(start, finish_of(prerequisite.id, trail | {item_id}))
        finish[item_id] = start + plan_item.limit_days
        return finish[item_id]

    return max((finish_of(p.item.id, frozenset()) for p in plan_items), default=0)


def plan_for(code: str, raw_answers: Mapping[str, Any]) -> Plan:
    """Fetch, validate and plan in one call: the entry point for views and the API."""
    bundle = bundle_for_planning(code)
    return plan_bundle(bundle, clean_answers(bundle, raw_answers))


# ---------------------------------------------------------------- the most one business needs at once

# Combinations of answers tried for one group of linked questions; past this the group is searched one
# question at a time (see bundle_reach). Hotel and convenience store groups need at most eight.
MAX_COMBINATIONS = 4096


@dataclass(frozen=True)
class Reach:
    """The most items and departments one business can need at once in a bundle: what a bundle card
    states as "最多". Items that exclude each other (the food business licence and the pre-packaged food
    filing) are never counted together, so it can be less than all the bundle's items."""

    items: int
    departments: int


def _distinct_answers(question: Question, rules: Sequence[Rule]) -> list[Answer]:
    """Answers that between them meet every set of these rules that any answer meets: for a number,
    one value on each threshold, one between each two and one beyond each end (the range's limits
    stand for a stretch the range cuts short)."""
    if question.kind == Question.Kind.YES_NO:
        return [True, False]
    if question.kind == Question.Kind.CHOICE:
        return list(question.option_values())
    thresholds = sorted({t for t in (_finite_number(rule.value) for rule in rules) if t is not None})
    if not thresholds:
        return []  # a rule no number meets
    values = {*thresholds, thresholds[0] - 1, thresholds[-1] + 1}
    values.update((low + high) / 2 for low, high in itertools.pairwise(thresholds))
    values.update(limit for limit in (question.min_value, question.max_value) if limit is not None)
    return sorted(
        v
        for v in values
        if (question.min_value is None or v >= question.min_value)
        and (question.max_value is None or v <= question.max_value)
    )


def _best_answers(
    items: Sequence[ServiceItem], item_rules: Mapping[int, Sequence[Rule]], covered: set[int]
) -> tuple[dict[str, Answer], dict[str, Answer]]:
    """For conditional items that share questions or departments: the answers that bring in the most
    items, and those that bring in the most departments not already covered."""
    rules = [rule for item in items for rule in item_rules[item.id]]
    questions = {rule.question.code: rule.question for rule in rules}
    choices = {
        code: _distinct_answers(question, [r for r in rules if r.question.code == code])
        for code, question in questions.items()
    }
    choices = {code: values for code, values in choices.items() if values}

    def score(answers: Mapping[str, Answer]) -> tuple[int, int]:
        applicable = [item for item in items if any(rule_holds(r, answers) for r in item_rules[item.id])]
        return len(applicable), len({item.department_id for item in applicable} - covered)

    combinations = 1
    for values in choices.values():
        combinations *= len(values)
    scenarios: list[dict[str, Answer]]
    if combinations <= MAX_COMBINATIONS:
        scenarios = [
            dict(zip(choices, answers, strict=True)) for answers in itertools.product(*choices.values())
        ]
    else:
        # Too many to try: each question in turn takes the answer that adds most, which is exact when
        # each item depends on questions of its own, and otherwise may fall short but never overstates.
        chosen: dict[str, Answer] = {}
        for code, values in choices.items():
            chosen = max(({**chosen, code: value} for value in values), key=score)
        scenarios = [chosen]
    scored = [(score(answers), answers) for answers in scenarios]
    most_items = max(scored, key=lambda entry: entry[0])[1]
    most_departments = max(scored, key=lambda entry: (entry[0][1], entry[0][0]))[1]
    return most_items, most_departments


def bundle_reach(bundle: Bundle) -> Reach:
    """The most items and departments one business can need at once, from the bundle's rules.

    An item without rules is always needed. Conditional items that share no question, and no
    department that an unconditional item does not already bring, are independent: each group of
    linked items is searched on its own, over every combination of answers that meet a different set
    of its rules (see MAX_COMBINATIONS), and the best answers of all groups are then planned, so the
    numbers are those of a plan the planner makes.
    """
    item_rules: dict[int, list[Rule]] = defaultdict(list)
    for rule in bundle.rules.all():
        if rule.target == Rule.Target.ITEM:
            item_rules[rule.item_id].append(rule)
    items = [bundle_item.item for bundle_item in bundle.bundle_items.all()]
    covered = {item.department_id for item in items if item.id not in item_rules}

    groups: list[tuple[set[tuple[str, int]], list[ServiceItem]]] = []
    for item in items:
        if item.id not in item_rules:
            continue
        links = {("question", rule.question_id) for rule in item_rules[item.id]}
        if item.department_id not in covered:
            links.add(("department", item.department_id))
        members = [item]
        for group in [g for g in groups if g[0] & links]:
            groups.remove(group)
            links |= group[0]
            members = [*group[1], *members]
        groups.append((links, members))

    most_items: dict[str, Answer] = {}
    most_departments: dict[str, Answer] = {}
    for _links, members in groups:
        by_items, by_departments = _best_answers(members, item_rules, covered)
        most_items.update(by_items)
        most_departments.update(by_departments)
    return Reach(
        items=plan_bundle(bundle, most_items).summary.items,
        departments=plan_bundle(bundle, most_departments).summary.departments,
    )

"""Export a bundle with everything it uses as one YAML document, and import such a document.

The document is self-contained (departments, materials, fields, items with their guides,
and the bundle with its questions, rules and dependencies) so that a bundle designed on a
test system can be moved to production. Catalogue rows are matched by code and updated;
the bundle's own rows are replaced. Import validates everything first and reports every
problem with its place in the document; nothing is written unless all of it is valid.

Keys added after the first files were exported (a department's permit_number_format, a
material's blank_form_note, the is_published of an item and of the bundle, an item's
commitment_limit_days) may be missing from a file: the row then keeps what it has on this system,
and a new row takes the default. (An item the file says does not support the commitment loses its
commitment_limit_days, which only that route uses.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.bundles.models import Bundle, BundleItem, Dependency, Question, Rule
from onewindow.catalog.models import (
    Department,
    Field,
    ItemField,
    ItemMaterial,
    Material,
    ProcessStep,
    Region,
    ServiceItem,
    commitment_limit_problem,
    permit_number_format_problem,
)

FORMAT = "onewindow.bundle/1"

# The largest PositiveSmallIntegerField value that SQLite and PostgreSQL both keep.
SMALL_INTEGER_MAX = 32767
INTEGER_MAX = 2147483647

# What the report counts, in the order it lists them.
COUNTED = {
    "department": gettext_lazy("部门"),
    "material": gettext_lazy("材料"),
    "field": gettext_lazy("表单要素"),
    "item": gettext_lazy("事项"),
    "bundle": gettext_lazy("主题"),
}


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bundle_code: str = ""
    applied: bool = False

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = []
        for kind, label in COUNTED.items():
            created, updated = self.created.get(kind, 0), self.updated.get(kind, 0)
            if created or updated:
                out.append(
                    _("%(label)s：新建 %(c)d 个，更新 %(u)d 个")
                    % {"label": label, "c": created, "u": updated}
                )
        return out


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("\n".join(report.errors))
        self.report = report


# ---------------------------------------------------------------- export


def _decimal(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def _drop_empty(mapping: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """The mapping without empty values, except under the keys in `keep`."""
    kept = set(keep)
    return {k: v for k, v in mapping.items() if k in kept or v not in (None, "", [], {})}


def bundle_export(bundle: Bundle) -> str:
    """The bundle and every catalogue row it uses, as one YAML document."""
    bundle_items = list(
        bundle.bundle_items.select_related("item__department__region").order_by("order", "id")
    )
    items = [bi.item for bi in bundle_items]
    departments = {bundle.lead_department.code: bundle.lead_department}
    for item in items:
        departments.setdefault(item.department.code, item.department)
    materials: dict[str, Material] = {}
    fields: dict[str, Field] = {}
    item_docs = []
    for item in items:
        requirements = list(item.material_requirements.select_related("material"))
        form_fields = list(item.form_fields.select_related("field"))
        for requirement in requirements:
            materials.setdefault(requirement.material.code, requirement.material)
        for form_field in form_fields:
            fields.setdefault(form_field.field.code, form_field.field)
        item_docs.append(
            _drop_empty(
                {
                    "code": item.code,
                    "name": item.name,
                    "basic_code": item.basic_code,
                    "implementation_code": item.implementation_code,
                    "type": item.item_type,
                    "level": item.level,
                    "department": item.department.code,
                    "legal_basis": item.legal_basis,
                    "conditions": item.conditions,
                    "statutory_limit_days": item.statutory_limit_days,
                    "statutory_extension_days": item.statutory_extension_days,
                    "promised_limit_days": item.promised_limit_days,
                    "commitment_limit_days": item.commitment_limit_days,
                    "case_type": item.case_type,
                    "fee": item.fee,
                    "fee_basis": item.fee_basis,
                    "handling_form": item.handling_form,
                    "supports_post": item.supports_post,
                    "site_check_required": item.site_check_required,
                    "supports_commitment": item.supports_commitment,
                    "commitment_clause": item.commitment_clause,
                    "location": item.location,
                    "office_hours": item.office_hours,
                    "consult_phone": item.consult_phone,
                    "complaint_phone": item.complaint_phone,
                    "result_name": item.result_name,
                    "result_validity_years": item.result_validity_years,
                    "legal_remedy": item.legal_remedy,
                    "is_published": item.is_published,
                    "steps": [
                        {"name": s.name, "actor": s.actor, "limit_days": s.limit_days}
                        for s in item.steps.all()
                    ],
                    "materials": [
                        _drop_empty(
                            {
                                "material": r.material.code,
                                "requirement": r.requirement,
                                "condition_note": r.condition_note,
                                "originals": r.originals,
                                "copies": r.copies,
                                "commitment_replaceable": r.commitment_replaceable or None,
                            }
                        )
                        for r in requirements
                    ],
                    "form": [
                        _drop_empty(
                            {
                                "field": f.field.code,
                                "required": f.required,
                                "conditional": f.conditional or None,
                            }
                        )
                        for f in form_fields
                    ],
                },
                # Written as null when empty: a limit removed on one system is removed on the other.
                keep=["commitment_limit_days"] if item.supports_commitment else [],
            )
        )
    document = {
        "format": FORMAT,
        "departments": [
            _drop_empty(
                {
                    "code": d.code,
                    "name": d.name,
                    "short_name": d.short_name,
                    "region": d.region.code,
                    "uscc": d.uscc,
                    "phone": d.phone,
                    "order": d.order,
                    "permit_number_format": d.permit_number_format,
                }
            )
            for d in departments.values()
        ],
        "materials": [
            _drop_empty(
                {
                    "code": m.code,
                    "name": m.name,
                    "description": m.description,
                    "government_held": m.government_held or None,
                    "shared_licence_type": m.shared_licence_type,
                    "commitment_replaceable": m.commitment_replaceable or None,
                    "commitment_clause": m.commitment_clause,
                }
            )
            # Written even when empty: a note removed on one system is removed on the other.
            | {"blank_form_note": m.blank_form_note}
            for m in materials.values()
        ],
        "fields": [
            _drop_empty(
                {
                    "code": f.code,
                    "label": f.label,
                    "type": f.field_type,
                    "help": f.help_text_zh,
                    "choices": f.choices,
                    "max_length": f.max_length,
                    "min_value": _decimal(f.min_value),
                    "max_value": _decimal(f.max_value),
                }
            )
            for f in fields.values()
        ],
        "items": item_docs,
        "bundle": _drop_empty(
            {
                "code": bundle.code,
                "name": bundle.name,
                "industry": bundle.industry,
                "summary": bundle.summary,
                "lead_department": bundle.lead_department.code,
                "licence_name": bundle.licence_name,
                "commitment_question": bundle.commitment_question.code
                if bundle.commitment_question
                else None,
                "order": bundle.order,
                "is_published": bundle.is_published,
                "items": [bi.item.code for bi in bundle_items],
                "questions": [
                    _drop_empty(
                        {
                            "code": q.code,
                            "text": q.text,
                            "help": q.help_text_zh,
                            "kind": q.kind,
                            "options": q.options,
                            "unit": q.unit,
                            "min_value": _decimal(q.min_value),
                            "max_value": _decimal(q.max_value),
                        }
                    )
                    for q in bundle.questions.all()
                ],
                "rules": [
                    _drop_empty(
                        {
                            "target": r.target,
                            "item": r.item.code,
                            "material": r.material.code if r.material else None,
                            "field": r.field.code if r.field else None,
                            "question": r.question.code,
                            "operator": r.operator,
                            "value": r.value,
                        }
                    )
                    for r in bundle.rules.select_related("item", "material", "field", "question").order_by(
                        "id"
                    )
                ],
                "dependencies": [
                    _drop_empty({"item": d.item.code, "requires": d.prerequisite.code, "note": d.note})
                    for d in bundle.dependencies.select_related("item", "prerequisite").order_by("id")
                ],
            }
        ),
    }
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class _Dumper(yaml.SafeDumper):
    """Writes a value used twice in full: the import refuses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# ---------------------------------------------------------------- import


def _is_scalar(value: Any) -> bool:
    """Text or a number, as a code, a choice or an option may be; not a list, a mapping or true/false."""
    return not isinstance(value, bool) and isinstance(value, str | int | float)


class _Checker:
    """Collects every problem with its place in the document instead of stopping at the first."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def error(self, where: str, message: str) -> None:
        self.report.errors.append(_("%(where)s：%(message)s") % {"where": where, "message": message})

    def not_text(self, value: Any, where: str) -> None:
        if isinstance(value, bool):
            self.error(where, _('应为文字；yes、no、true、false 等词请加引号，如 "yes"'))
        else:
            self.error(where, _("应为文字"))

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(where, _("应为键值对象"))
            return {}
        return value

    def listing(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, _("应为列表"))
            return []
        return value

    def text(
        self, doc: Mapping[str, Any], key: str, where: str, *, required: bool = True, max_length: int = 0
    ) -> str:
        value = doc.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{where}.{key}", _("必须填写"))
            return ""
        if not _is_scalar(value):
            self.not_text(value, f"{where}.{key}")
            return ""
        text = str(value).strip()
        if max_length and len(text) > max_length:
            self.error(f"{where}.{key}", _("不能超过 %(n)d 个字符") % {"n": max_length})
        return text

    def code(self, doc: Mapping[str, Any], key: str, where: str) -> str:
        """A code that appears in addresses and in other entries: letters, digits, "_" and "-"."""
        code = self.text(doc, key, where, max_length=60)
        if code:
            try:
                validate_slug(code)
            except ValidationError:
                self.error(
                    f"{where}.{key}",
                    _("编码 %(c)s 只能由英文字母、数字、下划线和连字符组成，如 fire_safety_check")
                    % {"c": code},
                )
        return code

    def once(self, seen: dict[str, str], code: str, where: str) -> bool:
        """Whether the entry at `where` is the first with its code; a repeat is reported."""
        first = seen.setdefault(code, where)
        if first != where:
            self.error(
                f"{where}.code",
                _("编码 %(c)s 在文件中重复（第一次在 %(first)s）；请改用新的编码，或删除重复的一项")
                % {"c": code, "first": first},
            )
        return first == where

    def integer(
        self,
        doc: Mapping[str, Any],
        key: str,
        where: str,
        *,
        default: int | None = None,
        maximum: int = SMALL_INTEGER_MAX,
    ) -> int | None:
        value = doc.get(key, default)
        if value is None:
            if default is None and key in doc:
                return None
            if default is None:
                self.error(f"{where}.{key}", _("必须填写"))
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            self.error(f"{where}.{key}", _("应为 0 到 %(max)d 之间的整数") % {"max": maximum})
            return default
        return value

    def decimal(self, doc: Mapping[str, Any], key: str, where: str, *, max_digits: int) -> Decimal | None:
        """A number for a DecimalField with two decimal places and `max_digits` digits in all."""
        value = doc.get(key)
        if value is None:
            return None
        try:
            number = Decimal(str(value).strip()) if _is_scalar(value) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(f"{where}.{key}", _("应为数字，如 100 或 0.5"))
            return None
        largest = Decimal(10) ** (max_digits - 2) - Decimal("0.01")
        if abs(number) > largest:
            self.error(f"{where}.{key}", _("超出范围：应在 -%(n)s 到 %(n)s 之间") % {"n": largest})
            return None
        cents = number.quantize(Decimal("0.01"))
        if cents != number:
            self.error(f"{where}.{key}", _("最多保留两位小数"))
            return None
        return cents

    def value_range(self, where: str, minimum: Decimal | None, maximum: Decimal | None) -> None:
        if minimum is not None and maximum is not None and minimum > maximum:
            self.error(
                f"{where}.min_value",
                _("最小值 %(min)s 大于最大值 %(max)s，任何数值都不会被接受；请改正其中一个")
                % {"min": _decimal(minimum), "max": _decimal(maximum)},
            )

    def flag(self, doc: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            self.error(f"{where}.{key}", _("应为 true 或 false"))
            return default
        return value

    def choice(
        self, doc: Mapping[str, Any], key: str, where: str, choices: Iterable[str], default: str | None = None
    ) -> str:
        allowed = list(choices)
        value = doc.get(key, default)
        if value not in allowed:
            self.error(f"{where}.{key}", _("应为以下之一：%(c)s") % {"c": ", ".join(allowed)})
            return allowed[0]
        return str(value)

    def commitment_limit(
        self, doc: Mapping[str, Any], where: str, supports_commitment: bool, promised: int | None
    ) -> int | None:
        """An item's commitment_limit_days: empty, or within the promised limit of an item that
        supports the commitment."""
        days = self.integer(doc, "commitment_limit_days", where, default=None)
        problem = commitment_limit_problem(
            commitment_limit_days=days,
            promised_limit_days=promised,
            supports_commitment=supports_commitment,
        )
        if problem:
            self.error(f"{where}.commitment_limit_days", problem)
        return days

    def permit_number_format(self, doc: Mapping[str, Any], where: str) -> str:
        rule = self.text(doc, "permit_number_format", where, max_length=60)
        problem = permit_number_format_problem(rule)
        if problem:
            self.error(f"{where}.permit_number_format", problem)
        return rule


class _AliasRefused(yaml.YAMLError):
    def __init__(self, event: yaml.AliasEvent) -> None:
        super().__init__(event.anchor)
        self.anchor = event.anchor
        self.line = event.start_mark.line + 1 if event.start_mark else 0


class _Loader(yaml.SafeLoader):
    """Refuses aliases (*name): each repeats a part of the document, so a file of a few hundred
    bytes with aliases of aliases would expand to gigabytes."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(self.peek_event())
        return super().compose_node(parent, index)


def bundle_import(text: str | bytes, *, dry_run: bool = False) -> ImportReport:
    """Validate a bundle document and, unless dry_run, write it. Raises ImportFailed on any problem."""
    report = ImportReport()
    try:
        document = yaml.load(text, Loader=_Loader)
    except _AliasRefused as exc:
        report.errors.append(
            _("第 %(line)d 行：文件用了 YAML 别名 *%(name)s。导入不接受别名，请把它代表的内容直接写出来")
            % {"line": exc.line, "name": exc.anchor}
        )
        raise ImportFailed(report) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)d 行") % {"line": mark.line + 1} if mark else _("文档")
        report.errors.append(
            _("%(where)s：不是有效的 YAML（%(problem)s）")
            % {"where": where, "problem": getattr(exc, "problem", exc)}
        )
        raise ImportFailed(report) from None
    check = _Checker(report)
    doc = check.mapping(document, _("文档"))
    if doc and doc.get("format") != FORMAT:
        check.error("format", _("应为 %(f)s，这份文档不是一业一证主题的导出文件") % {"f": FORMAT})
    if report.errors:
        raise ImportFailed(report)
    with transaction.atomic():
        _apply(doc, check)
        if report.errors:
            raise ImportFailed(report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report.applied = True
    return report


@dataclass
class _Catalogue:
    """The rows the document's codes name (this system's, updated by the document), and per kind
    the codes whose own entries were refused: a use of one is not checked, for its problems are
    reported once, at the entry."""

    departments: dict[str, Department]
    materials: dict[str, Material]
    fields: dict[str, Field]
    items: dict[str, ServiceItem]
    refused: dict[str, set[str]] = field(
        default_factory=lambda: {"department": set(), "material": set(), "field": set(), "item": set()}
    )

    def lookup(self, check: _Checker, kind: str, code: str, where: str, message: str) -> Any:
        if code in self.refused[kind]:
            return None
        rows: dict[str, Mapping[str, Any]] = {
            "department": self.departments,
            "material": self.materials,
            "field": self.fields,
            "item": self.items,
        }
        row = rows[kind].get(code)
        if row is None and code:
            check.error(where, message % {"c": code})
        return row


def _apply(doc: Mapping[str, Any], check: _Checker) -> None:
    catalogue = _Catalogue(
        departments={d.code: d for d in Department.objects.all()},
        materials={m.code: m for m in Material.objects.all()},
        fields={f.code: f for f in Field.objects.all()},
        items={s.code: s for s in ServiceItem.objects.all()},
    )
    _apply_departments(doc, check, catalogue)
    _apply_materials(doc, check, catalogue)
    _apply_fields(doc, check, catalogue)
    _apply_items(doc, check, catalogue)
    raw_bundle = doc.get("bundle")
    if raw_bundle is None:
        return
    _apply_bundle(check.mapping(raw_bundle, "bundle"), check, catalogue)


def _apply_departments(doc: Mapping[str, Any], check: _Checker, catalogue: _Catalogue) -> None:
    report = check.report
    regions = {r.code: r for r in Region.objects.all()}
    seen: dict[str, str] = {}
    for i, raw in enumerate(check.listing(doc.get("departments"), "departments")):
        where = f"departments[{i}]"
        before = len(report.errors)
        d = check.mapping(raw, where)
        code = check.text(d, "code", where, max_length=40)
        if code and not check.once(seen, code, where):
            continue
        region_code = check.text(d, "region", where)
        region = regions.get(region_code)
        if region_code and region is None:
            check.error(f"{where}.region", _("区划代码 %(c)s 不存在，请先导入行政区划") % {"c": region_code})
        values = {
            "name": check.text(d, "name", where, max_length=100),
            "short_name": check.text(d, "short_name", where, max_length=30),
            "region": region,
            "uscc": check.text(d, "uscc", where, required=False, max_length=18),
            "phone": check.text(d, "phone", where, required=False, max_length=40),
            "order": check.integer(d, "order", where, default=0),
        }
        if "permit_number_format" in d:
            values["permit_number_format"] = check.permit_number_format(d, where)
        department = _upsert(Department, "department", code, values, check, where, before)
        if department is None:
            catalogue.refused["department"].add(code)
        else:
            catalogue.departments[code] = department


def _apply_materials(doc: Mapping[str, Any], check: _Checker, catalogue: _Catalogue) -> None:
    report = check.report
    seen: dict[str, str] = {}
    for i, raw in enumerate(check.listing(doc.get("materials"), "materials")):
        where = f"materials[{i}]"
        before = len(report.errors)
        m = check.mapping(raw, where)
        code = check.code(m, "code", where)
        if code and not check.once(seen, code, where):
            continue
        values = {
            "name": check.text(m, "name", where, max_length=120),
            "description": check.text(m, "description", where, required=False),
            "government_held": check.flag(m, "government_held", where),
            "shared_licence_type": check.text(m, "shared_licence_type", where, required=False, max_length=60),
            "commitment_replaceable": check.flag(m, "commitment_replaceable", where),
            "commitment_clause": check.text(m, "commitment_clause", where, required=False),
        }
        if "blank_form_note" in m:
            values["blank_form_note"] = check.text(
                m, "blank_form_note", where, required=False, max_length=200
            )
        material = _upsert(Material, "material", code, values, check, where, before)
        if material is None:
            catalogue.refused["material"].add(code)
        else:
            catalogue.materials[code] = material


def _apply_fields(doc: Mapping[str, Any], check: _Checker, catalogue: _Catalogue) -> None:
    report = check.report
    seen: dict[str, str] = {}
    for i, raw in enumerate(check.listing(doc.get("fields"), "fields")):
        where = f"fields[{i}]"
        before = len(report.errors)
        f = check.mapping(raw, where)
        code = check.code(f, "code", where)
        if code and not check.once(seen, code, where):
            continue
        field_type = check.choice(f, "type", where, Field.Type.values, default=Field.Type.TEXT)
        choices = []
        for j, choice in enumerate(check.listing(f.get("choices"), f"{where}.choices")):
            if _is_scalar(choice):
                choices.append(str(choice))
            else:
                check.not_text(choice, f"{where}.choices[{j}]")
        if field_type == Field.Type.CHOICE and not choices:
            check.error(f"{where}.choices", _("选项类字段必须列出可选值"))
        existing = catalogue.fields.get(code)
        if (
            existing is not None
            and existing.field_type == Field.Type.INTEGER
            and field_type == Field.Type.NUMBER
        ):
            # A file exported before whole-number fields existed says "number" for every count; taking
            # it would let 1.5 rooms in again. The catalogue's type stays; an administrator can change it.
            field_type = Field.Type.INTEGER
            report.warnings.append(
                _(
                    "字段 %(f)s 在目录中是整数，文件中写的是数字：保留为整数。如确需允许小数，请在管理后台修改该字段的类型。"
                )
                % {"f": code}
            )
        minimum = check.decimal(f, "min_value", where, max_digits=14)
        maximum = check.decimal(f, "max_value", where, max_digits=14)
        check.value_range(where, minimum, maximum)
        values = {
            "label": check.text(f, "label", where, max_length=80),
            "field_type": field_type,
            "help_text_zh": check.text(f, "help", where, required=False, max_length=200),
            "choices": choices,
            "max_length": check.integer(f, "max_length", where, default=None, maximum=INTEGER_MAX)
            if "max_length" in f
            else None,
            "min_value": minimum,
            "max_value": maximum,
        }
        catalog_field = _upsert(Field, "field", code, values, check, where, before)
        if catalog_field is None:
            catalogue.refused["field"].add(code)
        else:
            catalogue.fields[code] = catalog_field


def _apply_items(doc: Mapping[str, Any], check: _Checker, catalogue: _Catalogue) -> None:
    report = check.report
    seen: dict[str, str] = {}
    for i, raw in enumerate(check.listing(doc.get("items"), "items")):
        where = f"items[{i}]"
        before = len(report.errors)
        it = check.mapping(raw, where)
        code = check.code(it, "code", where)
        if code and not check.once(seen, code, where):
            continue
        department = catalogue.lookup(
            check,
            "department",
            check.text(it, "department", where),
            f"{where}.department",
            _("部门编码 %(c)s 未定义"),
        )
        statutory = check.integer(it, "statutory_limit_days", where)
        promised = check.integer(it, "promised_limit_days", where)
        if statutory is not None and promised is not None and promised > statutory:
            check.error(
                f"{where}.promised_limit_days",
                _("承诺时限（%(p)d）不能超过法定时限（%(s)d）") % {"p": promised, "s": statutory},
            )
        supports_commitment = check.flag(it, "supports_commitment", where)
        values = {
            "name": check.text(it, "name", where, max_length=120),
            "basic_code": check.text(it, "basic_code", where, required=False, max_length=40),
            "implementation_code": check.text(
                it, "implementation_code", where, required=False, max_length=40
            ),
            "item_type": check.choice(it, "type", where, ServiceItem.ItemType.values),
            "level": check.choice(it, "level", where, ServiceItem.Level.values),
            "department": department,
            "legal_basis": check.text(it, "legal_basis", where),
            "conditions": check.text(it, "conditions", where),
            "statutory_limit_days": statutory,
            "statutory_extension_days": check.integer(it, "statutory_extension_days", where, default=0),
            "promised_limit_days": promised,
            "case_type": check.choice(
                it, "case_type", where, ServiceItem.CaseType.values, default="promised"
            ),
            "fee": check.text(it, "fee", where, required=False, max_length=200) or "不收费",
            "fee_basis": check.text(it, "fee_basis", where, required=False, max_length=200),
            "handling_form": check.text(it, "handling_form", where, required=False, max_length=100)
            or "窗口办理、网上办理",
            "supports_post": check.flag(it, "supports_post", where, default=True),
            "site_check_required": check.flag(it, "site_check_required", where),
            "supports_commitment": supports_commitment,
            "commitment_clause": check.text(it, "commitment_clause", where, required=False),
            "location": check.text(it, "location", where, required=False, max_length=200),
            "office_hours": check.text(it, "office_hours", where, required=False, max_length=200),
            "consult_phone": check.text(it, "consult_phone", where, required=False, max_length=40),
            "complaint_phone": check.text(it, "complaint_phone", where, required=False, max_length=40),
            "result_name": check.text(it, "result_name", where, max_length=100),
            "result_validity_years": check.integer(it, "result_validity_years", where, default=None)
            if it.get("result_validity_years") is not None
            else None,
            "legal_remedy": check.text(it, "legal_remedy", where, required=False),
        }
        if "is_published" in it:
            values["is_published"] = check.flag(it, "is_published", where, default=True)
        if "commitment_limit_days" in it:
            values["commitment_limit_days"] = check.commitment_limit(it, where, supports_commitment, promised)
        elif not supports_commitment:
            values["commitment_limit_days"] = None
        steps = _item_steps(it, where, check)
        requirements = _item_materials(it, where, check, catalogue)
        form = _item_form(it, where, check, catalogue)
        # A department refused in its own entry leaves the item without one, and nothing new to say.
        item = (
            _upsert(ServiceItem, "item", code, values, check, where, before)
            if department is not None
            else None
        )
        if item is None:
            catalogue.refused["item"].add(code)
            continue
        catalogue.items[code] = item
        item.steps.all().delete()
        for step in steps:
            ProcessStep.objects.create(item=item, **step)
        item.material_requirements.all().delete()
        for requirement in requirements:
            ItemMaterial.objects.create(item=item, **requirement)
        item.form_fields.all().delete()
        for line in form:
            ItemField.objects.create(item=item, **line)


def _item_steps(it: Mapping[str, Any], where: str, check: _Checker) -> list[dict[str, Any]]:
    steps = []
    for order, raw_step in enumerate(check.listing(it.get("steps"), f"{where}.steps"), start=1):
        step_where = f"{where}.steps[{order - 1}]"
        s = check.mapping(raw_step, step_where)
        steps.append(
            {
                "order": order,
                "name": check.text(s, "name", step_where, max_length=60),
                "actor": check.text(s, "actor", step_where, required=False, max_length=60),
                "limit_days": check.integer(s, "limit_days", step_where, default=0) or 0,
            }
        )
    return steps


def _item_materials(
    it: Mapping[str, Any], where: str, check: _Checker, catalogue: _Catalogue
) -> list[dict[str, Any]]:
    requirements = []
    seen: set[str] = set()
    for order, raw_req in enumerate(check.listing(it.get("materials"), f"{where}.materials")):
        req_where = f"{where}.materials[{order}]"
        r = check.mapping(raw_req, req_where)
        material_code = check.text(r, "material", req_where)
        requirement = {
            "requirement": check.choice(
                r, "requirement", req_where, ItemMaterial.Requirement.values, default="required"
            ),
            "condition_note": check.text(r, "condition_note", req_where, required=False, max_length=200),
            "originals": check.integer(r, "originals", req_where, default=0) or 0,
            "copies": check.integer(r, "copies", req_where, default=1) or 0,
            "commitment_replaceable": check.flag(r, "commitment_replaceable", req_where),
            "order": order,
        }
        material = catalogue.lookup(
            check, "material", material_code, f"{req_where}.material", _("材料编码 %(c)s 未定义")
        )
        if material is None:
            continue
        if material_code in seen:
            check.error(f"{req_where}.material", _("材料 %(c)s 在同一事项中重复") % {"c": material_code})
            continue
        seen.add(material_code)
        requirements.append({"material": material, **requirement})
    return requirements


def _item_form(
    it: Mapping[str, Any], where: str, check: _Checker, catalogue: _Catalogue
) -> list[dict[str, Any]]:
    form = []
    seen: set[str] = set()
    for order, raw_field in enumerate(check.listing(it.get("form"), f"{where}.form")):
        field_where = f"{where}.form[{order}]"
        f = check.mapping(raw_field, field_where)
        field_code = check.text(f, "field", field_where)
        line = {
            "order": order,
            "required": check.flag(f, "required", field_where, default=True),
            "conditional": check.flag(f, "conditional", field_where),
        }
        catalog_field = catalogue.lookup(
            check, "field", field_code, f"{field_where}.field", _("表单要素编码 %(c)s 未定义")
        )
        if catalog_field is None:
            continue
        if field_code in seen:
            check.error(f"{field_where}.field", _("表单要素 %(c)s 在同一事项中重复") % {"c": field_code})
            continue
        seen.add(field_code)
        form.append({"field": catalog_field, **line})
    return form


def _apply_bundle(b: Mapping[str, Any], check: _Checker, catalogue: _Catalogue) -> None:
    report = check.report
    where = "bundle"
    before = len(report.errors)
    code = check.code(b, "code", where)
    report.bundle_code = code
    lead = catalogue.lookup(
        check,
        "department",
        check.text(b, "lead_department", where),
        f"{where}.lead_department",
        _("部门编码 %(c)s 未定义"),
    )
    values = {
        "name": check.text(b, "name", where, max_length=100),
        "industry": check.text(b, "industry", where, max_length=60),
        "summary": check.text(b, "summary", where, required=False),
        "lead_department": lead,
        "licence_name": check.text(b, "licence_name", where, max_length=100),
        "order": check.integer(b, "order", where, default=0),
        "commitment_question": None,
    }
    if "is_published" in b:
        values["is_published"] = check.flag(b, "is_published", where, default=True)
    bundle = _upsert(Bundle, "bundle", code, values, check, where, before) if lead is not None else None
    if bundle is None:
        bundle = _stand_in(lead or next(iter(catalogue.departments.values()), None))
        if bundle is None:
            return
    bundle.bundle_items.all().delete()
    bundle.rules.all().delete()
    bundle.dependencies.all().delete()
    bundle.questions.all().delete()

    raw_items = check.listing(b.get("items"), f"{where}.items")
    listed_codes = {str(code).strip() for code in raw_items if _is_scalar(code)}
    member_codes: list[str] = []
    seen_items: set[str] = set()
    for i, raw_code in enumerate(raw_items):
        if not _is_scalar(raw_code):
            check.not_text(raw_code, f"{where}.items[{i}]")
            continue
        item_code = str(raw_code).strip()
        if item_code in seen_items:
            check.error(f"{where}.items[{i}]", _("事项 %(c)s 重复列出") % {"c": item_code})
            continue
        seen_items.add(item_code)
        item = catalogue.lookup(check, "item", item_code, f"{where}.items[{i}]", _("事项编码 %(c)s 未定义"))
        if item is None:
            continue
        member_codes.append(item_code)
        BundleItem.objects.create(bundle=bundle, item=item, order=i)
    if b.get("items") in (None, []):
        check.error(f"{where}.items", _("主题至少要包含一个事项"))

    questions, listed_questions = _apply_questions(b, check, bundle)
    refused_questions = listed_questions - set(questions)

    commitment_code = check.text(b, "commitment_question", where, required=False)
    if commitment_code and commitment_code not in refused_questions:
        commitment_question = questions.get(commitment_code)
        if commitment_question is None or commitment_question.kind != Question.Kind.YES_NO:
            check.error(f"{where}.commitment_question", _("应为本主题中一个是/否问题的编码"))
        else:
            bundle.commitment_question = commitment_question
            bundle.save(update_fields=["commitment_question"])

    for i, raw_rule in enumerate(check.listing(b.get("rules"), f"{where}.rules")):
        r_where = f"{where}.rules[{i}]"
        before = len(report.errors)
        r = check.mapping(raw_rule, r_where)
        target = check.choice(r, "target", r_where, Rule.Target.values)
        item_code = check.text(r, "item", r_where)
        question_code = check.text(r, "question", r_where)
        operator = check.choice(r, "operator", r_where, Rule.Operator.values, default="eq")
        value = check.text(r, "value", r_where, max_length=100)
        if item_code not in member_codes:
            # An item listed in bundle.items but refused there has been reported already.
            if item_code and item_code not in listed_codes:
                check.error(f"{r_where}.item", _("事项 %(c)s 不在本主题中") % {"c": item_code})
            continue
        item = catalogue.items[item_code]
        question = questions.get(question_code)
        if question is None:
            if question_code and question_code not in refused_questions:
                check.error(f"{r_where}.question", _("问题编码 %(c)s 未定义") % {"c": question_code})
            continue
        material = field_obj = None
        if target == Rule.Target.MATERIAL:
            material_code = check.text(r, "material", r_where)
            material = catalogue.materials.get(material_code)
            if material is None or not item.material_requirements.filter(material=material).exists():
                if material_code not in catalogue.refused["material"]:
                    check.error(
                        f"{r_where}.material", _("该材料不在事项 %(c)s 的申请材料中") % {"c": item_code}
                    )
                continue
        elif target == Rule.Target.FIELD:
            field_code = check.text(r, "field", r_where)
            field_obj = catalogue.fields.get(field_code)
            if field_obj is None or not item.form_fields.filter(field=field_obj).exists():
                if field_code not in catalogue.refused["field"]:
                    check.error(f"{r_where}.field", _("该字段不在事项 %(c)s 的申请表中") % {"c": item_code})
                continue
        rule = Rule(
            bundle=bundle,
            target=target,
            item=item,
            material=material,
            field=field_obj,
            question=question,
            operator=operator,
            value=value,
        )
        if len(report.errors) == before and _valid(rule, check, r_where):
            rule.save()

    edges: dict[str, list[str]] = {}
    seen_pairs: dict[tuple[str, str], str] = {}
    for i, raw_dep in enumerate(check.listing(b.get("dependencies"), f"{where}.dependencies")):
        d_where = f"{where}.dependencies[{i}]"
        d = check.mapping(raw_dep, d_where)
        item_code = check.text(d, "item", d_where)
        requires = check.text(d, "requires", d_where)
        note = check.text(d, "note", d_where, required=False, max_length=200)
        if not item_code or not requires:
            continue
        if item_code == requires:
            check.error(d_where, _("事项不能以自身为前置"))
            continue
        first = seen_pairs.setdefault((item_code, requires), d_where)
        if first != d_where:
            check.error(
                d_where,
                _("前置关系重复：%(i)s 以 %(r)s 为前置已在 %(first)s 写过，请删除这一条")
                % {"i": item_code, "r": requires, "first": first},
            )
            continue
        # The graph is checked on the document's codes, so a cycle is reported even when
        # one of its items has errors of its own.
        if item_code in listed_codes and requires in listed_codes:
            edges.setdefault(item_code, []).append(requires)
        if item_code not in member_codes or requires not in member_codes:
            if item_code not in listed_codes or requires not in listed_codes:
                check.error(d_where, _("前置关系的两个事项都必须在本主题中"))
            continue
        Dependency.objects.create(
            bundle=bundle,
            item=catalogue.items[item_code],
            prerequisite=catalogue.items[requires],
            note=note,
        )
    cycle = _find_cycle(edges)
    if cycle:
        check.error(f"{where}.dependencies", _("前置关系形成循环：%(c)s") % {"c": " → ".join(cycle)})

    for item_code in member_codes:
        item = catalogue.items[item_code]
        for requirement in item.material_requirements.filter(
            requirement=ItemMaterial.Requirement.CONDITIONAL
        ):
            if not bundle.rules.filter(
                target=Rule.Target.MATERIAL, item=item, material=requirement.material_id
            ).exists():
                report.warnings.append(
                    _("事项 %(i)s 的视情形材料 %(m)s 没有情形规则，在本主题中不会出现")
                    % {"i": item_code, "m": requirement.material.code}
                )


def _apply_questions(
    b: Mapping[str, Any], check: _Checker, bundle: Bundle
) -> tuple[dict[str, Question], set[str]]:
    """The bundle's questions that were written, and every question code the document lists."""
    report = check.report
    questions: dict[str, Question] = {}
    seen: dict[str, str] = {}
    for i, raw_question in enumerate(check.listing(b.get("questions"), "bundle.questions")):
        q_where = f"bundle.questions[{i}]"
        before = len(report.errors)
        q = check.mapping(raw_question, q_where)
        q_code = check.code(q, "code", q_where)
        if q_code and not check.once(seen, q_code, q_where):
            continue
        kind = check.choice(q, "kind", q_where, Question.Kind.values)
        options = check.listing(q.get("options"), f"{q_where}.options")
        for j, option in enumerate(options):
            if not isinstance(option, dict) or not all(
                _is_scalar(option.get(key)) for key in ("value", "label")
            ):
                check.error(f"{q_where}.options[{j}]", _("每个选项需要 value 和 label，且都应为文字"))
        if kind == Question.Kind.CHOICE and len(options) < 2:
            check.error(f"{q_where}.options", _("单选题至少需要两个选项"))
        minimum = check.decimal(q, "min_value", q_where, max_digits=12)
        maximum = check.decimal(q, "max_value", q_where, max_digits=12)
        check.value_range(q_where, minimum, maximum)
        question = Question(
            bundle=bundle,
            code=q_code,
            text=check.text(q, "text", q_where, max_length=200),
            help_text_zh=check.text(q, "help", q_where, required=False, max_length=300),
            kind=kind,
            options=options,
            unit=check.text(q, "unit", q_where, required=False, max_length=20),
            min_value=minimum,
            max_value=maximum,
            order=i,
        )
        if len(report.errors) == before:
            question.save()
            questions[q_code] = question
    return questions, set(seen)


def _stand_in(lead: Department | None) -> Bundle | None:
    """A bundle to check the questions, rules and prerequisites against when the bundle's own entry
    is refused. The import fails anyway, so the rollback removes it."""
    if lead is None:
        return None
    return Bundle.objects.create(
        code=f"import-check-{uuid.uuid4().hex}",
        name="-",
        industry="-",
        lead_department=lead,
        licence_name="-",
        is_published=False,
    )


def _find_cycle(edges: Mapping[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return []

    for node in list(edges):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return []


# The document's names for model fields named otherwise.
_DOCUMENT_KEYS = {"item_type": "type", "field_type": "type", "help_text_zh": "help"}


def _valid(obj: models.Model, check: _Checker, where: str) -> bool:
    """The model's own validation, each problem reported at its place in the document."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=True)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            place = where if name == NON_FIELD_ERRORS else f"{where}.{_DOCUMENT_KEYS.get(name, name)}"
            for message in messages:
                check.error(place, message)
        return False
    return True


def _upsert(
    model: Any, kind: str, code: str, values: Mapping[str, Any], check: _Checker, where: str, before: int
) -> Any:
    """The catalogue row or bundle with this code, updated and saved; None, with the problems
    reported, when its entry (whose problems were counted from `before`) is not valid."""
    if not code or len(check.report.errors) > before:
        return None
    obj = model.objects.filter(code=code).first()
    created = obj is None
    if created:
        obj = model(code=code)
    for name, value in values.items():
        setattr(obj, name, value)
    if not _valid(obj, check, where):
        return None
    obj.save()
    check.report.count(kind, created)
    return obj

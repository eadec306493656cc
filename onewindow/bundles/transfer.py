"""Export a bundle with everything it uses as one YAML document, and import such a document.

The document is self-contained (departments, materials, fields, items with their guides,
and the bundle with its questions, rules and dependencies) so that a bundle designed on a
test system can be moved to production. Catalogue rows are matched by code and updated;
the bundle's own rows are replaced. Import validates everything first and reports every
problem with its place in the document; nothing is written unless all of it is valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
)

FORMAT = "onewindow.bundle/1"


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
        labels = {
            "department": "部门",
            "material": "材料",
            "field": "表单要素",
            "item": "事项",
            "bundle": "主题",
        }
        out = []
        for kind, label in labels.items():
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


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in (None, "", [], {})}


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
                }
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
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------- import


class _Checker:
    """Collects every problem with its place in the document instead of stopping at the first."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def error(self, where: str, message: str) -> None:
        self.report.errors.append(f"{where}：{message}")

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
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(f"{where}.{key}", _("应为文字"))
            return ""
        text = str(value).strip()
        if max_length and len(text) > max_length:
            self.error(f"{where}.{key}", _("不能超过 %(n)d 个字符") % {"n": max_length})
        return text

    def integer(
        self, doc: Mapping[str, Any], key: str, where: str, *, default: int | None = None
    ) -> int | None:
        value = doc.get(key, default)
        if value is None:
            if default is None and key in doc:
                return None
            if default is None:
                self.error(f"{where}.{key}", _("必须填写"))
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(f"{where}.{key}", _("应为不小于 0 的整数"))
            return default
        return value

    def decimal(self, doc: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = doc.get(key)
        if value is None:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.error(f"{where}.{key}", _("应为数字"))
            return None

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


def bundle_import(text: str | bytes, *, dry_run: bool = False) -> ImportReport:
    """Validate a bundle document and, unless dry_run, write it. Raises ImportFailed on any problem."""
    report = ImportReport()
    try:
        document = yaml.safe_load(text)
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
    try:
        with transaction.atomic():
            _apply(doc, check)
            if report.errors:
                raise ImportFailed(report)
            if dry_run:
                transaction.set_rollback(True)
            else:
                report.applied = True
    except ValidationError as exc:
        report.errors.extend(exc.messages)
        raise ImportFailed(report) from None
    return report


def _apply(doc: Mapping[str, Any], check: _Checker) -> None:
    report = check.report
    regions = {r.code: r for r in Region.objects.all()}

    departments: dict[str, Department] = {d.code: d for d in Department.objects.all()}
    for i, raw in enumerate(check.listing(doc.get("departments"), "departments")):
        where = f"departments[{i}]"
        d = check.mapping(raw, where)
        code = check.text(d, "code", where, max_length=40)
        region_code = check.text(d, "region", where)
        region = regions.get(region_code)
        if region_code and region is None:
            check.error(f"{where}.region", _("区划代码 %(c)s 不存在，请先导入行政区划") % {"c": region_code})
        if not code or region is None:
            continue
        values = {
            "name": check.text(d, "name", where, max_length=100),
            "short_name": check.text(d, "short_name", where, max_length=30),
            "region": region,
            "uscc": check.text(d, "uscc", where, required=False, max_length=18),
            "phone": check.text(d, "phone", where, required=False, max_length=40),
            "order": check.integer(d, "order", where, default=0),
        }
        departments[code] = _upsert(Department, code, values, "department", report)

    materials: dict[str, Material] = {m.code: m for m in Material.objects.all()}
    for i, raw in enumerate(check.listing(doc.get("materials"), "materials")):
        where = f"materials[{i}]"
        m = check.mapping(raw, where)
        code = check.text(m, "code", where, max_length=60)
        if not code:
            continue
        values = {
            "name": check.text(m, "name", where, max_length=120),
            "description": check.text(m, "description", where, required=False),
            "government_held": check.flag(m, "government_held", where),
            "shared_licence_type": check.text(m, "shared_licence_type", where, required=False, max_length=60),
            "commitment_replaceable": check.flag(m, "commitment_replaceable", where),
            "commitment_clause": check.text(m, "commitment_clause", where, required=False),
        }
        materials[code] = _upsert(Material, code, values, "material", report)

    fields: dict[str, Field] = {f.code: f for f in Field.objects.all()}
    for i, raw in enumerate(check.listing(doc.get("fields"), "fields")):
        where = f"fields[{i}]"
        f = check.mapping(raw, where)
        code = check.text(f, "code", where, max_length=60)
        if not code:
            continue
        field_type = check.choice(f, "type", where, Field.Type.values, default=Field.Type.TEXT)
        choices = check.listing(f.get("choices"), f"{where}.choices")
        if field_type == Field.Type.CHOICE and not choices:
            check.error(f"{where}.choices", _("选项类字段必须列出可选值"))
        existing = fields.get(code)
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
        values = {
            "label": check.text(f, "label", where, max_length=80),
            "field_type": field_type,
            "help_text_zh": check.text(f, "help", where, required=False, max_length=200),
            "choices": [str(c) for c in choices],
            "max_length": check.integer(f, "max_length", where, default=None) if "max_length" in f else None,
            "min_value": check.decimal(f, "min_value", where),
            "max_value": check.decimal(f, "max_value", where),
        }
        fields[code] = _upsert(Field, code, values, "field", report)

    items: dict[str, ServiceItem] = {s.code: s for s in ServiceItem.objects.all()}
    for i, raw in enumerate(check.listing(doc.get("items"), "items")):
        where = f"items[{i}]"
        it = check.mapping(raw, where)
        code = check.text(it, "code", where, max_length=60)
        department_code = check.text(it, "department", where)
        department = departments.get(department_code)
        if department_code and department is None:
            check.error(f"{where}.department", _("部门编码 %(c)s 未定义") % {"c": department_code})
        statutory = check.integer(it, "statutory_limit_days", where)
        promised = check.integer(it, "promised_limit_days", where)
        if statutory is not None and promised is not None and promised > statutory:
            check.error(
                f"{where}.promised_limit_days",
                _("承诺时限（%(p)d）不能超过法定时限（%(s)d）") % {"p": promised, "s": statutory},
            )
        if not code or department is None or statutory is None or promised is None:
            continue
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
            "supports_commitment": check.flag(it, "supports_commitment", where),
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
        if report.errors:
            continue
        item = _upsert(ServiceItem, code, values, "item", report)
        items[code] = item
        item.steps.all().delete()
        for order, raw_step in enumerate(check.listing(it.get("steps"), f"{where}.steps"), start=1):
            step_where = f"{where}.steps[{order - 1}]"
            s = check.mapping(raw_step, step_where)
            ProcessStep.objects.create(
                item=item,
                order=order,
                name=check.text(s, "name", step_where, max_length=60),
                actor=check.text(s, "actor", step_where, required=False, max_length=60),
                limit_days=check.integer(s, "limit_days", step_where, default=0) or 0,
            )
        item.material_requirements.all().delete()
        seen_materials: set[str] = set()
        for order, raw_req in enumerate(check.listing(it.get("materials"), f"{where}.materials")):
            req_where = f"{where}.materials[{order}]"
            r = check.mapping(raw_req, req_where)
            material_code = check.text(r, "material", req_where)
            material = materials.get(material_code)
            if material is None:
                check.error(f"{req_where}.material", _("材料编码 %(c)s 未定义") % {"c": material_code})
                continue
            if material_code in seen_materials:
                check.error(f"{req_where}.material", _("材料 %(c)s 在同一事项中重复") % {"c": material_code})
                continue
            seen_materials.add(material_code)
            ItemMaterial.objects.create(
                item=item,
                material=material,
                requirement=check.choice(
                    r, "requirement", req_where, ItemMaterial.Requirement.values, default="required"
                ),
                condition_note=check.text(r, "condition_note", req_where, required=False, max_length=200),
                originals=check.integer(r, "originals", req_where, default=0) or 0,
                copies=check.integer(r, "copies", req_where, default=1) or 0,
                commitment_replaceable=check.flag(r, "commitment_replaceable", req_where),
                order=order,
            )
        item.form_fields.all().delete()
        seen_fields: set[str] = set()
        for order, raw_field in enumerate(check.listing(it.get("form"), f"{where}.form")):
            field_where = f"{where}.form[{order}]"
            f = check.mapping(raw_field, field_where)
            field_code = check.text(f, "field", field_where)
            catalog_field = fields.get(field_code)
            if catalog_field is None:
                check.error(f"{field_where}.field", _("表单要素编码 %(c)s 未定义") % {"c": field_code})
                continue
            if field_code in seen_fields:
                check.error(f"{field_where}.field", _("表单要素 %(c)s 在同一事项中重复") % {"c": field_code})
                continue
            seen_fields.add(field_code)
            ItemField.objects.create(
                item=item,
                field=catalog_field,
                order=order,
                required=check.flag(f, "required", field_where, default=True),
                conditional=check.flag(f, "conditional", field_where),
            )

    raw_bundle = doc.get("bundle")
    if raw_bundle is None:
        return
    _apply_bundle(check.mapping(raw_bundle, "bundle"), check, departments, materials, fields, items)


def _apply_bundle(
    b: Mapping[str, Any],
    check: _Checker,
    departments: Mapping[str, Department],
    materials: Mapping[str, Material],
    fields: Mapping[str, Field],
    items: Mapping[str, ServiceItem],
) -> None:
    report = check.report
    where = "bundle"
    code = check.text(b, "code", where, max_length=60)
    report.bundle_code = code
    lead_code = check.text(b, "lead_department", where)
    lead = departments.get(lead_code)
    if lead_code and lead is None:
        check.error(f"{where}.lead_department", _("部门编码 %(c)s 未定义") % {"c": lead_code})
    if not code or lead is None:
        return
    bundle = _upsert(
        Bundle,
        code,
        {
            "name": check.text(b, "name", where, max_length=100),
            "industry": check.text(b, "industry", where, max_length=60),
            "summary": check.text(b, "summary", where, required=False),
            "lead_department": lead,
            "licence_name": check.text(b, "licence_name", where, max_length=100),
            "order": check.integer(b, "order", where, default=0),
            "commitment_question": None,
        },
        "bundle",
        report,
    )
    bundle.bundle_items.all().delete()
    bundle.rules.all().delete()
    bundle.dependencies.all().delete()
    bundle.questions.all().delete()

    listed_codes = {str(code) for code in b.get("items") or [] if isinstance(code, str | int)}
    member_codes: list[str] = []
    for i, raw_code in enumerate(check.listing(b.get("items"), f"{where}.items")):
        item = items.get(str(raw_code))
        if item is None:
            check.error(f"{where}.items[{i}]", _("事项编码 %(c)s 未定义") % {"c": raw_code})
            continue
        if str(raw_code) in member_codes:
            check.error(f"{where}.items[{i}]", _("事项 %(c)s 重复列出") % {"c": raw_code})
            continue
        member_codes.append(str(raw_code))
        BundleItem.objects.create(bundle=bundle, item=item, order=i)
    if not member_codes:
        check.error(f"{where}.items", _("主题至少要包含一个事项"))

    questions: dict[str, Question] = {}
    for i, raw_question in enumerate(check.listing(b.get("questions"), f"{where}.questions")):
        q_where = f"{where}.questions[{i}]"
        q = check.mapping(raw_question, q_where)
        q_code = check.text(q, "code", q_where, max_length=60)
        kind = check.choice(q, "kind", q_where, Question.Kind.values)
        options = check.listing(q.get("options"), f"{q_where}.options")
        for j, option in enumerate(options):
            if not isinstance(option, dict) or "value" not in option or "label" not in option:
                check.error(f"{q_where}.options[{j}]", _("每个选项需要 value 和 label"))
        if kind == Question.Kind.CHOICE and len(options) < 2:
            check.error(f"{q_where}.options", _("单选题至少需要两个选项"))
        if q_code in questions:
            check.error(f"{q_where}.code", _("问题编码 %(c)s 重复") % {"c": q_code})
            continue
        if not q_code:
            continue
        questions[q_code] = Question.objects.create(
            bundle=bundle,
            code=q_code,
            text=check.text(q, "text", q_where, max_length=200),
            help_text_zh=check.text(q, "help", q_where, required=False, max_length=300),
            kind=kind,
            options=options,
            unit=check.text(q, "unit", q_where, required=False, max_length=20),
            min_value=check.decimal(q, "min_value", q_where),
            max_value=check.decimal(q, "max_value", q_where),
            order=i,
        )

    commitment_code = check.text(b, "commitment_question", where, required=False)
    if commitment_code:
        commitment_question = questions.get(commitment_code)
        if commitment_question is None or commitment_question.kind != Question.Kind.YES_NO:
            check.error(f"{where}.commitment_question", _("应为本主题中一个是/否问题的编码"))
        else:
            bundle.commitment_question = commitment_question
            bundle.save(update_fields=["commitment_question"])

    for i, raw_rule in enumerate(check.listing(b.get("rules"), f"{where}.rules")):
        r_where = f"{where}.rules[{i}]"
        r = check.mapping(raw_rule, r_where)
        target = check.choice(r, "target", r_where, Rule.Target.values)
        item_code = check.text(r, "item", r_where)
        if item_code not in member_codes:
            check.error(f"{r_where}.item", _("事项 %(c)s 不在本主题中") % {"c": item_code})
            continue
        item = items[item_code]
        question = questions.get(check.text(r, "question", r_where))
        if question is None:
            check.error(f"{r_where}.question", _("问题编码未定义"))
            continue
        operator = check.choice(r, "operator", r_where, Rule.Operator.values, default="eq")
        value = check.text(r, "value", r_where, max_length=100)
        _check_rule_value(check, r_where, question, operator, value)
        material = field_obj = None
        if target == Rule.Target.MATERIAL:
            material = materials.get(check.text(r, "material", r_where))
            if material is None or not item.material_requirements.filter(material=material).exists():
                check.error(f"{r_where}.material", _("该材料不在事项 %(c)s 的申请材料中") % {"c": item_code})
                continue
        elif target == Rule.Target.FIELD:
            field_obj = fields.get(check.text(r, "field", r_where))
            if field_obj is None or not item.form_fields.filter(field=field_obj).exists():
                check.error(f"{r_where}.field", _("该字段不在事项 %(c)s 的申请表中") % {"c": item_code})
                continue
        Rule.objects.create(
            bundle=bundle,
            target=target,
            item=item,
            material=material,
            field=field_obj,
            question=question,
            operator=operator,
            value=value,
        )

    edges: dict[str, list[str]] = {}
    for i, raw_dep in enumerate(check.listing(b.get("dependencies"), f"{where}.dependencies")):
        d_where = f"{where}.dependencies[{i}]"
        d = check.mapping(raw_dep, d_where)
        item_code = check.text(d, "item", d_where)
        requires = check.text(d, "requires", d_where)
        if item_code == requires:
            check.error(d_where, _("事项不能以自身为前置"))
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
            item=items[item_code],
            prerequisite=items[requires],
            note=check.text(d, "note", d_where, required=False, max_length=200),
        )
    cycle = _find_cycle(edges)
    if cycle:
        check.error(f"{where}.dependencies", _("前置关系形成循环：%(c)s") % {"c": " → ".join(cycle)})

    for item_code in member_codes:
        item = items[item_code]
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


def _check_rule_value(check: _Checker, where: str, question: Question, operator: str, value: str) -> None:
    if question.kind == Question.Kind.YES_NO:
        if value.lower() not in {"yes", "no"} or operator not in {"eq", "ne"}:
            check.error(where, _("是/否问题的规则只能是“等于/不等于 yes 或 no”"))
    elif question.kind == Question.Kind.CHOICE:
        values = set(question.option_values())
        wanted = [v.strip() for v in value.split(",")] if operator == "in" else [value]
        unknown = [v for v in wanted if v not in values]
        if unknown or operator not in {"eq", "ne", "in"}:
            check.error(where, _("单选题的规则取值必须是它的选项：%(v)s") % {"v": ", ".join(sorted(values))})
    else:
        try:
            Decimal(value)
        except InvalidOperation:
            check.error(where, _("数字题的规则取值必须是数字"))
        if operator == "in":
            check.error(where, _("数字题的规则不能用“属于”"))


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


def _upsert(model: Any, code: str, values: Mapping[str, Any], kind: str, report: ImportReport) -> Any:
    obj = model.objects.filter(code=code).first()
    created = obj is None
    if created:
        obj = model(code=code)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean(validate_unique=False, validate_constraints=True)
    obj.save()
    report.count(kind, created)
    return obj

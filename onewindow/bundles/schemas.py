"""Shapes of the bundle API: bundles with their questions, the plan request and the plan."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from onewindow.catalog.schemas import COMMITMENT_LIMIT_DESCRIPTION, DepartmentRef, ItemFieldOut

# ---------------------------------------------------------------- bundles


class BundleSummary(Schema):
    code: str
    name: str
    industry: str
    summary: str
    licence_name: str = Field(description="综合许可证名称")
    lead_department: DepartmentRef = Field(description="牵头部门，组织联合核查")
    item_count: int = Field(description="主题包含的事项数（视情形办理的也计入）")


class BundleMember(Schema):
    code: str
    name: str
    department: DepartmentRef
    statutory_limit_days: int
    promised_limit_days: int
    supports_commitment: bool
    commitment_limit_days: int | None = Field(description=COMMITMENT_LIMIT_DESCRIPTION)


class DependencyOut(Schema):
    item: str = Field(description="后置事项编码")
    requires: str = Field(description="前置事项编码")
    note: str


class OptionOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    code: str
    text: str
    help: str
    kind: str = Field(description="yes_no（是/否）/ choice（单选）/ number（数字）")
    kind_label: str
    options: list[OptionOut] = Field(description="单选题的选项")
    unit: str
    min: float | None
    max: float | None


class BundleDetail(BundleSummary):
    commitment_question: str | None = Field(
        description="回答“是”即按告知承诺办理的问题编码；为空表示可承诺的事项一律实行告知承诺"
    )
    items: list[BundleMember]
    dependencies: list[DependencyOut]
    questions: list[QuestionOut]


# ---------------------------------------------------------------- the plan


class PlanRequest(Schema):
    answers: dict[str, Any] = Field(
        description=(
            '对情形问题的回答，以问题编码为键。是/否题填 true/false 或 "yes"/"no"；'
            "单选题填选项的 value；数字题填数字或数字字符串。未回答的问题可以省略。"
        ),
        examples=[{"serves_food": True, "rooms": 30}],
    )


class BundleRef(Schema):
    code: str
    name: str
    licence_name: str


class DepartmentName(Schema):
    code: str
    name: str


class PlanItemOut(Schema):
    code: str
    name: str
    department: DepartmentName
    statutory_limit_days: int
    statutory_extension_days: int
    promised_limit_days: int
    commitment_limit_days: int | None = Field(description=COMMITMENT_LIMIT_DESCRIPTION)
    limit_days: int = Field(
        description="本方案中该事项的办理时限（工作日）：按告知承诺办理且事项有告知承诺办理时限的取该时限，否则为承诺办结时限"
    )
    prerequisites: list[str] = Field(description="须先办结的事项编码")
    dependency_notes: list[str]
    reason: str = Field(description="为什么需要办理此项")
    commitment: bool = Field(description="按告知承诺办理")


class PlanFieldOut(ItemFieldOut):
    used_by: list[str] = Field(description="原申请表中含有此字段的事项编码")


class PlanMaterialOut(Schema):
    code: str
    name: str
    description: str
    disposition: str = Field(
        description="upload（申请人提交）/ shared（部门共享调取）/ commitment（告知承诺替代）"
    )
    disposition_label: str
    reason: str
    disposition_reason: str
    items: list[str] = Field(description="需要此材料的事项编码")
    originals: int
    copies: int
    condition_notes: list[str]


class CommitmentOut(Schema):
    item: str | None = Field(description="条款所属事项编码；材料替代条款为空")
    material: str | None = Field(None, description="材料替代条款所替代的材料编码；事项条款为空")
    text: str


class SummaryOut(Schema):
    items: int
    departments: int
    forms_before: int
    forms_after: int
    fields_before: int
    fields_after: int
    materials_before: int
    materials_after: int = Field(description="需要申请人提交的材料数")
    materials_shared: int
    materials_committed: int
    serial_days: int = Field(description="逐个办理的各事项办理时限（limit_days）之和（工作日）")
    parallel_days: int = Field(description="并联办理沿前置关系的最长时限（工作日，按各事项的 limit_days）")
    statutory_serial_days: int


class PlanOut(Schema):
    bundle: BundleRef
    items: list[PlanItemOut]
    form: list[PlanFieldOut]
    materials: list[PlanMaterialOut]
    commitment: list[CommitmentOut]
    unanswered: list[str] = Field(description="尚未回答的问题编码")
    summary: SummaryOut

"""Shapes of the catalogue API's responses, and the uniform error body every API endpoint returns.

The error types live here rather than in onewindow/api.py because every router imports them
and onewindow/api.py imports every router.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from ninja import Field, Schema

from onewindow.catalog.models import Region, ServiceItem

MAX_PAGE = 100
# The furthest a page may start: past any list here, and within every database's integers.
MAX_OFFSET = 1_000_000_000

# ---------------------------------------------------------------- errors


class ErrorEntry(Schema):
    field: str = Field(description="出错的位置，如 answers.rooms、limit、body")
    code: str = Field(description="机器可读的错误编码，如 not_a_number")
    message: str = Field(description="中文说明：哪里不对、怎样改正")


class ErrorOut(Schema):
    code: str = Field(description="机器可读的错误编码，如 not_found、invalid_answers、invalid_body")
    message: str = Field(description="给人看的中文说明")
    errors: list[ErrorEntry] = Field(default_factory=list, description="逐项的问题，没有时为空列表")


class ApiError(Exception):
    """An error an endpoint reports to the caller: HTTP status, stable code, Chinese message."""

    def __init__(self, status: int, code: str, message: str, errors: Iterable[dict[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors)


# One cause of an error answer, as the OpenAPI document lists it: the `code` values it comes with
# (one, or several alike) and, in Chinese, when it comes and what to do.
ErrorCause = tuple[str | tuple[str, ...], str | Promise]


def error_causes(causes: Sequence[ErrorCause]) -> str | Promise:
    """The causes as a Markdown list, "- `code` — when", in the language the document is rendered in."""
    template = "\n".join(["- {} — {}"] * len(causes))
    values: list[Any] = []
    for codes, text in causes:
        values += [", ".join(f"`{code}`" for code in ((codes,) if isinstance(codes, str) else codes)), text]
    return format_lazy(template, *values)


def error_answers(answers: Mapping[int, Sequence[ErrorCause]]) -> dict[str, Any]:
    """The `openapi_extra` of an operation that gives these error answers besides those of its shape.

    onewindow.api adds what every operation of the same shape answers (401 and 403 when signed in,
    404 with an id in the path, 400, 413 and 422 by its parameters and body), puts these causes
    after them and gives each error answer the ErrorOut body.
    """
    return {
        "responses": {status: {"description": error_causes(causes)} for status, causes in answers.items()}
    }


def not_found(kind: str, code: str) -> ApiError:
    """The 404 for a code that does not exist (or is not published).

    `kind` names what was looked for, already in the active language: a noun the sentence takes in,
    so catalog.api translates it with the context "what was not found".
    """
    message = _("没有找到编码为“%(code)s”的%(kind)s，请核对编码，或从列表接口中选择。") % {
        "code": code,
        "kind": kind,
    }
    return ApiError(404, "not_found", message)


# ---------------------------------------------------------------- references


class RegionRef(Schema):
    code: str
    name: str


class DepartmentRef(Schema):
    code: str
    name: str = Field(description="部门全称")
    short_name: str


class ItemRef(Schema):
    code: str
    name: str


# ---------------------------------------------------------------- regions and departments


class RegionFilters(Schema):
    parent: str | None = Field(None, description="上级区划代码，如 429006 列出天门市下辖的乡镇（街道）")
    level: Region.Level | None = Field(None, description="层级：province / city / township / village")


class RegionOut(Schema):
    code: str = Field(description="统计用区划代码")
    name: str
    level: str = Field(description="province / city / township / village")
    level_label: str
    parent: RegionRef | None


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str
    region: RegionRef
    uscc: str = Field(description="统一社会信用代码")
    phone: str = Field(description="咨询电话")


class DepartmentDetail(DepartmentOut):
    items: list[ItemRef] = Field(description="本部门已发布的事项")


# ---------------------------------------------------------------- service items

COMMITMENT_LIMIT_DESCRIPTION = (
    "告知承诺办理时限（工作日）：申请人选择告知承诺办理时在此期限内作出决定，0 为当场办结；"
    "为空表示按承诺办结时限办理"
)


class ItemFilters(Schema):
    department: str | None = Field(None, description="部门编码")
    level: ServiceItem.Level | None = Field(
        None, description="行使层级：province / city / county / township / village"
    )
    q: str | None = Field(None, max_length=50, description="事项名称中包含的文字")
    limit: int = Field(20, ge=1, le=MAX_PAGE, description=f"每页条数，1–{MAX_PAGE}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="从第几条开始（0 起）")


class ItemSummary(Schema):
    code: str
    name: str
    item_type: str
    item_type_label: str
    level: str
    level_label: str
    department: DepartmentRef
    statutory_limit_days: int
    promised_limit_days: int
    case_type: str
    case_type_label: str
    supports_commitment: bool
    commitment_limit_days: int | None = Field(description=COMMITMENT_LIMIT_DESCRIPTION)


class ItemPage(Schema):
    count: int = Field(description="符合条件的事项总数")
    limit: int
    offset: int
    items: list[ItemSummary]


class StepOut(Schema):
    order: int
    name: str
    actor: str
    limit_days: int = Field(description="本环节时限（工作日）")


class ItemMaterialOut(Schema):
    code: str
    name: str
    description: str
    requirement: str = Field(description="required（必须提供）/ conditional（视情形提供）")
    requirement_label: str
    condition_note: str
    originals: int = Field(description="原件份数")
    copies: int = Field(description="复印件份数")
    government_held: bool = Field(description="政府部门已持有，从电子证照库调取，申请人无需提交")
    shared_licence_type: str
    commitment_replaceable: bool = Field(description="实行告知承诺时可由承诺书替代")
    commitment_clause: str
    blank_form_note: str


class ItemFieldOut(Schema):
    code: str
    label: str
    type: str = Field(
        description="text / number（可有小数）/ integer（整数）/ date / choice / uscc / id_number / phone / address / area"
    )
    type_label: str
    help: str
    required: bool
    conditional: bool = Field(description="只有一业一证的情形规则选中时才需要填写")
    choices: list[str]
    max_length: int | None
    min_value: float | None
    max_value: float | None


class ItemDetail(Schema):
    code: str
    basic_code: str
    implementation_code: str
    name: str
    item_type: str
    item_type_label: str
    level: str
    level_label: str
    department: DepartmentRef
    legal_basis: str
    conditions: str
    statutory_limit_days: int
    statutory_extension_days: int
    promised_limit_days: int
    commitment_limit_days: int | None = Field(description=COMMITMENT_LIMIT_DESCRIPTION)
    case_type: str
    case_type_label: str
    fee: str
    fee_basis: str
    handling_form: str
    supports_post: bool
    site_check_required: bool
    supports_commitment: bool
    commitment_clause: str
    location: str
    office_hours: str
    consult_phone: str
    complaint_phone: str
    result_name: str
    result_validity_years: int | None = Field(description="留空表示长期有效")
    legal_remedy: str
    steps: list[StepOut]
    materials: list[ItemMaterialOut]
    form: list[ItemFieldOut]

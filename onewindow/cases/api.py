"""API for cases: start, fill, hand in, sign, submit, follow; and the window's accept/supplement/refuse."""

from __future__ import annotations

import json
from typing import Any, cast

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from onewindow.accounts.kiosk import kiosk_center
from onewindow.accounts.models import Role, User
from onewindow.accounts.registration import (
    AccountConfirmationRequired,
    RegistrationError,
)
from onewindow.approvals.api import CALENDAR_UNPUBLISHED
from onewindow.approvals.models import Branch
from onewindow.cases import permissions
from onewindow.cases.errors import CaseConflict, CaseForbidden, CaseInvalid, CaseNotFound
from onewindow.cases.forms import AssistForm, form_value_shown
from onewindow.cases.models import Case, CaseStatus, Channel
from onewindow.cases.selectors import WINDOW_QUEUE_STATUSES, cases_listed_for, window_queue
from onewindow.cases.services import (
    case_accept,
    case_commitment_sign,
    case_form_save,
    case_material_fetch_shared,
    case_material_upload,
    case_materials_fetch_shared,
    case_materials_upload,
    case_refuse,
    case_request_supplement,
    case_start,
    case_submit,
    commitment_sha256,
    commitment_text,
    submission_problems,
)
from onewindow.cases.timeline import action_label
from onewindow.catalog.schemas import MAX_OFFSET, ErrorCause, error_answers
from onewindow.centers.models import ServiceCenter
from onewindow.inspections.models import CommitmentCheck, CommitmentCheckStatus
from onewindow.lib.idcheck import mask_id_number, mask_mobile

# Summaries and descriptions are lazy translations (ninja types them as str): the OpenAPI document
# is rendered in the caller's language.
router = Router(tags=[gettext_noop("办件")], auth=django_auth)

# The error answers these operations give, for the OpenAPI document (see catalog.schemas.error_answers).
CASE_NOT_FOUND: ErrorCause = (
    "case_not_found",
    gettext_lazy("没有这个办件，或您无权查看或办理它（不透露它是否存在）。"),
)
MATERIAL_NOT_IN_CASE: ErrorCause = ("material_not_in_case", gettext_lazy("这份材料不在本办件的材料清单中。"))
NOT_EDITABLE: ErrorCause = ("not_editable", gettext_lazy("办件已提交，不能再修改；如需修改请联系窗口。"))
STATUS_CHANGED: ErrorCause = (
    "status_changed",
    gettext_lazy("办件当前状态不能执行此操作（如已被受理、退回补正或不予受理），请刷新后查看。"),
)
LIBRARY_UNAVAILABLE: ErrorCause = (
    "library_unavailable",
    gettext_lazy("电子证照库暂时无法访问，什么都没有改变：请稍后再试，或先上传材料的扫描件。"),
)
HOLDER_CODE_MISSING: ErrorCause = (
    "holder_code_missing",
    gettext_lazy("申请表中还没有填写统一社会信用代码或身份证号码。"),
)
UPLOAD_REFUSED: ErrorCause = (
    ("upload_empty", "upload_too_large", "upload_type", "upload_damaged", "upload_too_many_pixels"),
    gettext_lazy("文件是空的、过大、不是 PDF、JPEG 或 PNG，已损坏或不完整，或图片像素过多。"),
)
ALREADY_SHARED: ErrorCause = ("already_shared", gettext_lazy("这份材料已从电子证照库调取，无需上传。"))


class StartIn(Schema):
    """A case to start. Window and guidance staff filing for an applicant identify him as the assist
    page does: by credit code or ID number, never by a user name alone; an existing account is used
    only once they confirm it (`confirm_account`, the user name the 409 answer showed them)."""

    bundle: str
    answers: dict[str, Any] = {}
    channel: str = Channel.ONLINE
    kind: str = ""  # "enterprise" or "person", when staff file on an applicant's behalf
    uscc: str = Field("", max_length=40)
    enterprise_name: str = Field("", max_length=100)
    legal_representative: str = Field("", max_length=50)
    id_number: str = Field("", max_length=40)
    display_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    uscc_override_reason: str = Field("", max_length=200)
    confirm_account: str = Field("", max_length=150)


class FormIn(Schema):
    data: dict[str, Any]


class SubmitIn(Schema):
    key: str


class SupplementEntry(Schema):
    material: str = ""
    reason: str


class SupplementIn(Schema):
    entries: list[SupplementEntry]
    note: str = ""


class RefuseIn(Schema):
    reason: str


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case_to_change(user: User, case_id: int, action: str) -> Case:
    # The service reads the case again under its row lock, with what it needs.
    return permissions.get_case_for(user, case_id, action, related=())


def _holder_code(case: Case, viewer: User) -> str:
    # A person's ID number is shown in full only to the applicant himself.
    if case.enterprise_id or viewer.pk == case.applicant_id:
        return case.holder_code
    return mask_id_number(case.holder_code) if case.holder_code else ""


def _form_data(case: Case, fields: set[str] | None, shown_in_full: bool) -> dict[str, Any]:
    """The form's values as the pages show them, only those of `fields` when given (a department's):
    ID numbers masked (as cases.forms.FieldRow.display_value does) unless `shown_in_full`."""
    values = case.form_data
    if fields is not None:
        values = {code: value for code, value in values.items() if code in fields}
    if shown_in_full:
        return values
    kinds = {spec["code"]: spec.get("type") for spec in case.plan["form"]}
    return {code: form_value_shown(kinds.get(code), value) for code, value in values.items()}


def case_summary(case: Case, viewer: User) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "bundle": case.bundle.code,
        "bundle_name": case.bundle.name,
        "status": case.status,
        "status_label": case.get_status_display(),
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "holder_name": case.holder_name,
        "holder_code": _holder_code(case, viewer),
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "assisted_by": case.assisted_by.name if case.assisted_by_id and case.assisted_by else None,
    }


def _check_shown(check: CommitmentCheck | None, with_findings: bool) -> dict[str, Any] | None:
    """The check of a commitment as the case shows it: its findings to the applicant and the checking
    department, its state to the other departments."""
    if check is None:
        return None
    return {
        "status": check.status,
        "status_label": check.get_status_display(),
        "due_on": check.due_on,
        "rectify_by": check.rectify_by if check.status == CommitmentCheckStatus.RECTIFYING else None,
        "findings": check.findings if with_findings else "",
    }


def case_detail(case: Case, viewer: User) -> dict[str, Any]:
    rows = list(case.materials.select_related("material"))
    # A department's reviewer or inspector sees the form fields and materials his items use and
    # what his department asked, as on his branch page; of the other departments only their results.
    items = permissions.department_items(viewer, case)
    fields = None if items is None else set(permissions.fields_used_by(case, items))
    form = [spec for spec in case.plan["form"] if fields is None or spec["code"] in fields]
    if permissions.can(viewer, permissions.DOWNLOAD_MATERIAL, case):
        shown = {row.material.code for row in rows}
    else:
        shown = set(permissions.materials_used_by(case, items or []))
    materials = [
        {
            "code": row.material.code,
            "name": row.material.name,
            "disposition": row.disposition,
            "provided": row.is_provided,
            "sha256": row.sha256,
            "shared_reference": row.shared_reference,
            "needs_supplement": row.needs_supplement,
            "supplement_reason": row.supplement_reason,
        }
        for row in rows
        if row.material.code in shown
    ]
    # Branches open on acceptance and supplements are asked for after a submit: a case that has not
    # reached that step has none to read.
    branches = [
        {
            "id": b.pk,
            "item": b.item.code,
            "item_name": b.item.name,
            "department": b.department.short_name,
            "status": b.status,
            "status_label": b.get_status_display(),
            "opened_on": b.opened_on,
            "due_on": b.due_on,
            # A due date counted through a year whose holidays are not entered yet may move.
            "calendar_warning": b.calendar_warning_shown,
            "decided_at": b.decided_at,
            "permit_number": b.permit_number,
            "reason": b.decision_reason
            or (b.rectification_note if items is None or b.department_id == viewer.department_id else ""),
            # A permit granted on commitment is checked on site afterwards (告知承诺事后核查).
            "commitment_check": _check_shown(
                getattr(b, "commitment_check", None), items is None or b.department_id == viewer.department_id
            ),
        }
        for b in (
            Branch.objects.filter(case=case)
            .select_related("item", "department", "commitment_check")
            .order_by("id")
            if case.accepted_at
            else []
        )
    ]
    editable = case.status in permissions.EDITABLE and permissions.can(viewer, permissions.EDIT, case)
    return {
        **case_summary(case, viewer),
        "form": form,
        # In full to the applicant, and to staff filling the form for him while it is open (the form
        # page's inputs show them the number; what such a client writes back must not be a masked copy).
        "form_data": _form_data(case, fields, viewer.pk == case.applicant_id or editable),
        "materials": materials,
        "branches": branches,
        "commitment_signed": hasattr(case, "commitment_signature"),
        "problems": submission_problems(case, rows) if editable else {},
        "outcome_note": case.outcome_note,
        "supplements": [
            {
                "requested_at": s.requested_at,
                "entries": s.entries,
                "note": s.note,
                "resolved_at": s.resolved_at,
            }
            for s in (case.supplement_requests.all() if case.submitted_at else [])
        ],
    }


# What identifies the applicant staff file for: the assist page's fields (cases.forms.AssistForm).
APPLICANT_FIELDS = (
    "kind",
    "uscc",
    "enterprise_name",
    "legal_representative",
    "id_number",
    "display_name",
    "phone",
    "uscc_override_reason",
)


def _account_shown(account: User) -> dict[str, Any]:
    """The account a case filed by staff would belong to, as the assist page's confirmation shows it."""
    enterprise = account.enterprise
    return {
        "username": account.username,
        "name": account.name,
        "enterprise": f"{enterprise.name}（{enterprise.uscc}）" if enterprise is not None else None,
        "id_number": mask_id_number(account.id_number) if account.id_number else None,
        "phone": mask_mobile(account.phone) if account.phone else None,
        "password_set": account.has_usable_password(),
        "date_joined": account.date_joined,
    }


def _assisted_applicant(payload: StartIn) -> User:
    """The applicant staff file for, by the assist page's rule: found by credit code or ID number and
    confirmed, else registered. AccountConfirmationRequired when an account awaits confirmation."""
    form = AssistForm({name: getattr(payload, name) for name in APPLICANT_FIELDS})
    del form.fields["bundle"]  # named by the request's `bundle`, which case_start checks
    if not form.is_valid():
        raise CaseInvalid(
            "applicant_invalid",
            _(
                "申请人信息有误，请按提示修改：须写明申请人类型（kind），以及企业的统一社会信用代码或个人的身份证号码。"
            ),
            fields={
                ("applicant" if name == "__all__" else name): " ".join(str(m) for m in messages)
                for name, messages in form.errors.items()
            },
        )
    confirmed = None
    if payload.confirm_account:
        confirmed = (
            User.objects.filter(username=payload.confirm_account, role=Role.APPLICANT)
            .values_list("pk", flat=True)
            .first()
        )
    try:
        return form.applicant(confirmed)
    except AccountConfirmationRequired:
        raise
    except RegistrationError as exc:
        error = CaseConflict if exc.code == "identity_ambiguous" else CaseInvalid
        raise error(exc.code, exc.message, fields=exc.fields) from None


def _own_channel(request: HttpRequest, asked: str) -> tuple[str, ServiceCenter | None]:
    """The channel of a case an applicant starts himself, and the centre it is filed with: where he
    is, as on the pages. A terminal the centre set up (its signed mark) files on kiosk with that
    centre; no one else may say he is at one."""
    terminal = kiosk_center(request)
    if asked == Channel.KIOSK and terminal is None:
        raise CaseForbidden(
            "kiosk_only",
            _("只有在政务服务中心设置的自助终端上开始的申请才记为自助终端渠道，请将 channel 设为 online。"),
            fields={"channel": _("本机不是自助终端。")},
        )
    if terminal is not None and asked in (Channel.ONLINE, Channel.KIOSK):
        return Channel.KIOSK, terminal
    return asked, None


@router.post(
    "/cases",
    response={201: dict[str, Any], 409: dict[str, Any]},
    summary=cast(str, gettext_lazy("从办理方案创建办件（草稿）")),
    description=cast(
        str,
        gettext_lazy(
            "窗口人员（channel=window）和导办人员（channel=guidance）代申请人创建时，与代办申请页面相同："
            "写明 kind（enterprise 或 person）及统一社会信用代码（uscc）或身份证号码（id_number），首次登记的还须写明"
            "企业名称和法定代表人或个人姓名。该申请人已有账号时返回 409 account_unconfirmed 及脱敏的账号信息（account），"
            "核对无误后将 confirm_account 设为该账号的用户名再次提交。"
        ),
    ),
    openapi_extra=error_answers(
        {
            400: [("no_service_center", gettext_lazy("系统尚未配置政务服务中心，请联系管理员。"))],
            403: [
                (
                    "assist_not_allowed",
                    gettext_lazy(
                        "只有综合窗口人员可以代申请人创建窗口办件，只有导办人员可以代申请人创建云端导办办件。"
                    ),
                ),
                (
                    "kiosk_only",
                    gettext_lazy("channel=kiosk 只能在政务服务中心设置的自助终端上使用（终端的签名标记）。"),
                ),
            ],
            404: [("bundle_not_found", gettext_lazy("没有这个一业一证主题（bundle）。"))],
            409: [
                (
                    "account_unconfirmed",
                    gettext_lazy(
                        "代申请人创建时，该申请人已有账号：答复另含 account（脱敏的账号信息），"
                        "核对无误后将 confirm_account 设为该账号的用户名再次提交。"
                    ),
                ),
                (
                    "identity_ambiguous",
                    gettext_lazy("该证件号码登记了多个申请人账号，无法确定办件归属，须由系统管理员核实。"),
                ),
            ],
            422: [
                ("invalid_answers", gettext_lazy("情形回答不符合要求，errors 中每个问题一条。")),
                ("empty_plan", gettext_lazy("按这些回答没有需要办理的事项。")),
                ("unknown_channel", gettext_lazy("申请渠道（channel）不正确。")),
                ("not_an_applicant", gettext_lazy("当前账号不是申请人账号，不能为自己创建办件。")),
                (
                    (
                        "applicant_invalid",
                        "enterprise_name_mismatch",
                        "enterprise_particulars_required",
                        "person_name_required",
                    ),
                    gettext_lazy("代申请人创建时申请人信息不全或与已登记的不一致，errors 逐项说明。"),
                ),
            ],
        }
    ),
)
def create_case(request: HttpRequest, payload: StartIn) -> Status:
    user = _user(request)
    if payload.channel not in (Channel.WINDOW, Channel.GUIDANCE):
        channel, center = _own_channel(request, payload.channel)
        case = case_start(
            bundle_code=payload.bundle,
            applicant=user,
            answers=payload.answers,
            channel=channel,
            service_center=center,
        )
        return Status(201, case_detail(case, user))
    if user.role != (Role.CLERK if payload.channel == Channel.WINDOW else Role.AGENT):
        # Checked before any lookup: nobody else learns whether an identity has an account.
        raise CaseForbidden(
            "assist_not_allowed",
            _("只有综合窗口人员可以代申请人创建窗口办件，只有导办人员可以代申请人创建云端导办办件。"),
        )
    try:
        # One transaction: an account registered for a case that cannot start is not kept.
        with transaction.atomic():
            applicant = _assisted_applicant(payload)
            case = case_start(
                bundle_code=payload.bundle,
                applicant=applicant,
                answers=payload.answers,
                channel=payload.channel,
                assisted_by=user,
            )
    except AccountConfirmationRequired as exc:
        hint = _("核对账号无误后，请将 confirm_account 设为“%(username)s”再次提交。") % {
            "username": exc.account.username
        }
        return Status(
            409,
            {
                "code": exc.code,
                "message": exc.message,
                "errors": [{"field": "confirm_account", "code": exc.code, "message": hint}],
                "account": _account_shown(exc.account),
            },
        )
    return Status(201, case_detail(case, user))


@router.get(
    "/cases",
    summary=cast(str, gettext_lazy("我的办件")),
    description=cast(str, gettext_lazy("申请人：自己的办件；综合窗口人员和导办人员：代申请人办理的办件。")),
)
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    user = _user(request)
    return [case_summary(c, user) for c in cases_listed_for(user)[:200]]


@router.get(
    "/cases/{case_id}",
    summary=cast(str, gettext_lazy("办件详情与进度")),
    openapi_extra=error_answers({404: [CASE_NOT_FOUND]}),
)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    return case_detail(permissions.get_case_for(user, case_id), user)


@router.put(
    "/cases/{case_id}/form",
    summary=cast(str, gettext_lazy("保存申请表（草稿随时保存）")),
    description=cast(
        str,
        gettext_lazy(
            "只保存 data 中给出的字段。企业办件的企业名称（enterprise_name）和统一社会信用代码（uscc）始终为"
            "办件申请企业的名称和代码，不能修改：给出其他值时保持原值，并在 problems 中说明。"
        ),
    ),
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND],
            409: [NOT_EDITABLE],
            422: [
                ("field_type", gettext_lazy("有的值不是文字或数字（如列表、对象、true），什么都没有保存。")),
                ("text_too_long", gettext_lazy("有的值过长（超过任何一项所能保存的长度），什么都没有保存。")),
            ],
        }
    ),
)
def save_form(request: HttpRequest, case_id: int, payload: FormIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    problems = case_form_save(case=case, user=user, data=payload.data)
    return {"saved": True, "problems": problems}


@router.post(
    "/cases/{case_id}/materials/{code}/upload",
    summary=cast(str, gettext_lazy("上传材料（PDF、JPEG、PNG）")),
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND, MATERIAL_NOT_IN_CASE],
            409: [NOT_EDITABLE, ALREADY_SHARED],
            422: [UPLOAD_REFUSED],
        }
    ),
)
def upload_material(
    request: HttpRequest, case_id: int, code: str, file: File[UploadedFile]
) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    row = case_material_upload(case=case, user=user, material_code=code, upload=file)
    return {"code": code, "sha256": row.sha256, "size": row.size, "content_type": row.content_type}


@router.post(
    "/cases/{case_id}/materials",
    summary=cast(str, gettext_lazy("一次上传多份材料（每个文件字段以材料编码命名）")),
    description=cast(
        str,
        gettext_lazy(
            "multipart/form-data，每份材料一个文件，字段名为材料编码。全部文件通过检查才一起保存，否则一份也不保存。"
        ),
    ),
    openapi_extra={
        # The view reads request.FILES itself: the body is documented here, fields named by material code.
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        },
        **error_answers(
            {
                404: [CASE_NOT_FOUND],
                409: [NOT_EDITABLE, ALREADY_SHARED],
                422: [
                    ("upload_none", gettext_lazy("没有上传任何文件。")),
                    (
                        "uploads_invalid",
                        gettext_lazy("有文件没有通过检查或不在材料清单中，errors 按材料逐项说明。"),
                    ),
                ],
            }
        ),
    },
)
def upload_materials(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """multipart/form-data: one file per material, the field named by the material's code."""
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    # One file per field: a field sent twice keeps its last file, as Django's form handling does.
    uploads = {code: files[-1] for code, files in request.FILES.lists() if files}
    rows = case_materials_upload(case=case, user=user, uploads=uploads)
    return {
        "materials": [
            {
                "code": row.material.code,
                "sha256": row.sha256,
                "size": row.size,
                "content_type": row.content_type,
            }
            for row in rows
        ]
    }


@router.post(
    "/cases/{case_id}/materials/shared",
    summary=cast(str, gettext_lazy("从电子证照库一次调取全部共享材料")),
    description=cast(
        str,
        gettext_lazy("一次查询调取所有尚未提交的共享材料；电子证照库中没有的列在 missing 中，请改为上传。"),
    ),
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND],
            409: [
                NOT_EDITABLE,
                ("case_changed", gettext_lazy("调取期间办件刚被修改，请刷新后重新调取。")),
            ],
            422: [HOLDER_CODE_MISSING],
            503: [LIBRARY_UNAVAILABLE],
        }
    ),
)
def fetch_all_shared(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Every shared material not yet handed in, in one lookup; those the library lacks are listed."""
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    fetched = case_materials_fetch_shared(case=case, user=user)
    return {
        "materials": [
            {"code": row.material.code, "shared_reference": row.shared_reference} for row in fetched.taken
        ],
        "missing": fetched.missing,
    }


@router.post(
    "/cases/{case_id}/materials/{code}/shared",
    summary=cast(str, gettext_lazy("从电子证照库调取材料")),
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND, MATERIAL_NOT_IN_CASE],
            409: [NOT_EDITABLE, ("case_changed", gettext_lazy("调取期间办件刚被修改，请刷新后重新调取。"))],
            422: [
                ("not_shared", gettext_lazy("这份材料不能从电子证照库调取，请上传或以承诺代替。")),
                ("shared_not_found", gettext_lazy("电子证照库中没有这份材料的有效证照，请上传扫描件。")),
                HOLDER_CODE_MISSING,
            ],
            503: [LIBRARY_UNAVAILABLE],
        }
    ),
)
def fetch_shared(request: HttpRequest, case_id: int, code: str) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    row = case_material_fetch_shared(case=case, user=user, material_code=code)
    return {"code": code, "shared_reference": row.shared_reference}


@router.get(
    "/cases/{case_id}/commitment",
    summary=cast(str, gettext_lazy("告知承诺书全文")),
    openapi_extra=error_answers({404: [CASE_NOT_FOUND]}),
)
def get_commitment(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = permissions.get_case_for(_user(request), case_id)
    signature = getattr(case, "commitment_signature", None)
    text = commitment_text(case)
    return {
        "text": text,
        # What to send back when signing: the letter is signed only as it was read.
        "text_sha256": commitment_sha256(text),
        "signed": signature is not None,
        # A signature over a text that is no longer the letter's does not count: sign again.
        "signature_current": signature is not None and signature.text == text,
        "signer": signature.signer_name if signature else None,
        "signed_at": signature.signed_at if signature else None,
        "sha256": signature.text_sha256 if signature else None,
    }


def _shown_sha256(request: HttpRequest) -> str | None:
    """The `sha256` of the text the signer read, from a JSON body; None when the request has none."""
    if request.content_type != "application/json" or not request.body.strip():
        return None
    message = _("请求内容应为 JSON 对象，其中 sha256 为所阅读的承诺书原文的 SHA-256 摘要。")
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        raise CaseInvalid("sign_body_invalid", message) from None
    if not isinstance(body, dict):
        raise CaseInvalid("sign_body_invalid", message)
    shown = body.get("sha256")
    if shown is not None and not isinstance(shown, str):
        raise CaseInvalid("sign_body_invalid", message, fields={"sha256": message})
    return shown


@router.post(
    "/cases/{case_id}/commitment/sign",
    summary=cast(str, gettext_lazy("签署告知承诺书")),
    description=cast(
        str,
        gettext_lazy(
            "请求内容可含 sha256：签署人所阅读的承诺书原文（GET …/commitment 的 text）的 SHA-256 摘要，即其中的"
            " text_sha256。给出时，承诺书内容在此期间如有变化则不签署，返回 409 commitment_changed。"
        ),
    ),
    openapi_extra={
        # The body is optional (clients from before it sign with none), so the view reads it itself.
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"sha256": {"type": "string", "maxLength": 64}},
                    }
                }
            },
        },
        **error_answers(
            {
                404: [CASE_NOT_FOUND],
                409: [
                    NOT_EDITABLE,
                    (
                        "commitment_changed",
                        gettext_lazy(
                            "承诺书内容已与所给摘要（sha256）不同，没有签署：请重新读取全文后再签署。"
                        ),
                    ),
                ],
                422: [("sign_body_invalid", gettext_lazy("请求内容不是 JSON 对象，或 sha256 不是文字。"))],
            }
        ),
    },
)
def sign_commitment(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    signature = case_commitment_sign(case=case, user=user, shown_sha256=_shown_sha256(request))
    return {
        "signed": True,
        "signer": signature.signer_name,
        "signed_at": signature.signed_at,
        "sha256": signature.text_sha256,
    }


@router.post(
    "/cases/{case_id}/submit",
    summary=cast(str, gettext_lazy("提交（同一提交令牌重复提交不会重复创建）")),
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND],
            409: [
                ("already_submitted", gettext_lazy("办件已提交，无需重复提交。")),
                ("submission_key_reused", gettext_lazy("这个提交令牌已用于其他办件，请换一个。")),
                (
                    "submission_key_stale",
                    gettext_lazy(
                        "这个提交令牌已用于办件上一次的提交（其后窗口要求了补正），本次没有提交：请换一个新的令牌。"
                    ),
                ),
            ],
            422: [
                ("submission_key", gettext_lazy("提交令牌（key）为空或超过 64 个字符。")),
                (
                    "incomplete",
                    gettext_lazy("还有内容没有填写、材料没有提交或承诺书没有签署，errors 逐项说明。"),
                ),
            ],
        }
    ),
)
def submit(request: HttpRequest, case_id: int, payload: SubmitIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    case = case_submit(case=case, user=user, key=payload.key)
    return case_summary(case, user)


@router.get(
    "/cases/{case_id}/events",
    summary=cast(str, gettext_lazy("办件记录（哈希链）")),
    openapi_extra=error_answers({404: [CASE_NOT_FOUND]}),
)
def events(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    case = permissions.get_case_for(user, case_id)
    shown = list(case.events.order_by("seq"))
    items = permissions.department_items(user, case)
    if items is not None:
        # A department reads the case-wide steps and its own, not what another one asked or was answered.
        from onewindow.inspections.selectors import inspections_joined

        department = user.department.code if user.department is not None else ""
        joined = inspections_joined(case_id=case.pk, department_id=user.department_id)
        shown = [e for e in shown if permissions.event_shown_to_department(e.data, items, department, joined)]
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor_name,
            "role": e.actor_role,
            "action": e.action,
            "label": action_label(e.action),
            "before": e.before,
            "after": e.after,
            "comment": e.comment,
            "hash": e.hash,
        }
        for e in shown
    ]


@router.get(
    "/window/queue",
    summary=cast(str, gettext_lazy("综合窗口受理队列")),
    tags=[gettext_noop("综合窗口")],
    description=cast(
        str, gettext_lazy("status：submitted（待受理，默认）、supplement（待补正）或 refused（不予受理）。")
    ),
    openapi_extra=error_answers(
        {
            404: [("not_found", gettext_lazy("当前账号不是综合窗口人员。"))],
            422: [("unknown_queue_status", gettext_lazy("status 不是受理队列的三种状态之一。"))],
        }
    ),
)
def queue(
    request: HttpRequest,
    status: str = CaseStatus.SUBMITTED,
    limit: int = 50,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    user = _user(request)
    if user.role != Role.CLERK:
        raise CaseNotFound("not_found", _("没有找到您请求的内容。"))
    if status not in WINDOW_QUEUE_STATUSES:
        message = _(
            "受理队列只有待受理（submitted）、待补正（supplement）和不予受理（refused）三种，"
            "请将 status 设为其中之一。"
        )
        raise CaseInvalid("unknown_queue_status", message, fields={"status": message})
    cases = window_queue(user, status)
    limit = max(1, min(limit, 200))
    return {"total": cases.count(), "items": [case_summary(c, user) for c in cases[offset : offset + limit]]}


@router.post(
    "/cases/{case_id}/accept",
    summary=cast(str, gettext_lazy("受理")),
    tags=[gettext_noop("综合窗口")],
    openapi_extra=error_answers({400: [CALENDAR_UNPUBLISHED], 404: [CASE_NOT_FOUND], 409: [STATUS_CHANGED]}),
)
def accept(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    return case_detail(case_accept(case=case, clerk=user), user)


@router.post(
    "/cases/{case_id}/supplement",
    summary=cast(str, gettext_lazy("一次性告知补正")),
    tags=[gettext_noop("综合窗口")],
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND],
            409: [STATUS_CHANGED],
            422: [
                (
                    ("supplement_empty", "supplement_invalid", "text_too_long"),
                    gettext_lazy("补正清单为空、有材料不在清单中、缺少原因或原因过长，errors 逐项说明。"),
                ),
                (
                    "supplement_not_told",
                    gettext_lazy(
                        "补正一次告知：申请人已按补正材料通知书补正后，只能就原通知书所列、仍未补正的材料和事项"
                        "（其他事项须与原文相同）再次告知，errors 逐项说明；否则请受理或不予受理。"
                    ),
                ),
            ],
        }
    ),
)
def supplement(request: HttpRequest, case_id: int, payload: SupplementIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    request_row = case_request_supplement(
        case=case, clerk=user, entries=[e.dict() for e in payload.entries], note=payload.note
    )
    return {"case": case.pk, "entries": request_row.entries, "requested_at": request_row.requested_at}


@router.post(
    "/cases/{case_id}/refuse",
    summary=cast(str, pgettext_lazy("window decision", "不予受理")),
    tags=[gettext_noop("综合窗口")],
    openapi_extra=error_answers(
        {
            404: [CASE_NOT_FOUND],
            409: [STATUS_CHANGED],
            422: [("reason_required", gettext_lazy("没有写明不予受理的理由和依据。"))],
        }
    ),
)
def refuse(request: HttpRequest, case_id: int, payload: RefuseIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    return case_summary(case_refuse(case=case, clerk=user, reason=payload.reason), user)

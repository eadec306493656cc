"""API for cases: start, fill, hand in, sign, submit, follow; and the window's accept/supplement/refuse."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.cases import permissions
from onewindow.cases.errors import CaseInvalid, CaseNotFound
from onewindow.cases.models import Case, CaseStatus, Channel
from onewindow.cases.selectors import cases_for_applicant, window_queue
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
    commitment_text,
    submission_problems,
)
from onewindow.cases.timeline import action_label
from onewindow.catalog.schemas import MAX_OFFSET
from onewindow.lib.idcheck import mask_id_number

router = Router(tags=["办件"], auth=django_auth)


class StartIn(Schema):
    bundle: str
    answers: dict[str, Any] = {}
    channel: str = Channel.ONLINE
    applicant: str | None = None  # username of the applicant when staff file on his behalf


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


def _form_data(case: Case, shown_in_full: bool) -> dict[str, Any]:
    """The form's values as the pages show them: ID numbers masked (as cases.forms.FieldRow.display_value
    does) unless `shown_in_full`."""
    if shown_in_full:
        return case.form_data
    id_fields = {spec["code"] for spec in case.plan["form"] if spec.get("type") == "id_number"}
    return {
        code: mask_id_number(str(value)) if code in id_fields and value else value
        for code, value in case.form_data.items()
    }


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


def case_detail(case: Case, viewer: User) -> dict[str, Any]:
    rows = list(case.materials.select_related("material"))
    # A department's reviewer or inspector sees the materials his items use, as on his branch page.
    if permissions.can(viewer, permissions.DOWNLOAD_MATERIAL, case):
        shown = {row.material.code for row in rows}
    else:
        shown = set(permissions.department_material_codes(viewer, case))
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
            "decided_at": b.decided_at,
            "permit_number": b.permit_number,
            "reason": b.decision_reason or b.rectification_note,
        }
        for b in (
            Branch.objects.filter(case=case).select_related("item", "department").order_by("id")
            if case.accepted_at
            else []
        )
    ]
    editable = case.status in permissions.EDITABLE and permissions.can(viewer, permissions.EDIT, case)
    return {
        **case_summary(case, viewer),
        "form": case.plan["form"],
        # In full to the applicant, and to staff filling the form for him while it is open (the form
        # page's inputs show them the number; what such a client writes back must not be a masked copy).
        "form_data": _form_data(case, viewer.pk == case.applicant_id or editable),
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


@router.post("/cases", response={201: dict[str, Any]}, summary="从办理方案创建办件（草稿）")
def create_case(request: HttpRequest, payload: StartIn) -> Status:
    user = _user(request)
    applicant, assisted_by = user, None
    if payload.channel in (Channel.WINDOW, Channel.GUIDANCE):
        if not payload.applicant:
            raise CaseInvalid(
                "applicant_required",
                "帮办代办时请指明申请人账号。",
                fields={"applicant": "请填写申请人账号。"},
            )
        found = User.objects.filter(username=payload.applicant, role=Role.APPLICANT).first()
        if found is None:
            raise CaseNotFound("applicant_not_found", "没有找到这个申请人账号，请先为申请人注册。")
        applicant, assisted_by = found, user
    case = case_start(
        bundle_code=payload.bundle,
        applicant=applicant,
        answers=payload.answers,
        channel=payload.channel,
        assisted_by=assisted_by,
    )
    return Status(201, case_detail(case, user))


@router.get("/cases", summary="我的办件")
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    user = _user(request)
    return [case_summary(c, user) for c in cases_for_applicant(user)[:200]]


@router.get("/cases/{case_id}", summary="办件详情与进度")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    return case_detail(permissions.get_case_for(user, case_id), user)


@router.put("/cases/{case_id}/form", summary="保存申请表（草稿随时保存）")
def save_form(request: HttpRequest, case_id: int, payload: FormIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    problems = case_form_save(case=case, user=user, data=payload.data)
    return {"saved": True, "problems": problems}


@router.post("/cases/{case_id}/materials/{code}/upload", summary="上传材料（PDF、JPEG、PNG）")
def upload_material(
    request: HttpRequest, case_id: int, code: str, file: File[UploadedFile]
) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    row = case_material_upload(case=case, user=user, material_code=code, upload=file)
    return {"code": code, "sha256": row.sha256, "size": row.size, "content_type": row.content_type}


@router.post("/cases/{case_id}/materials", summary="一次上传多份材料（每个文件字段以材料编码命名）")
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


@router.post("/cases/{case_id}/materials/shared", summary="从电子证照库一次调取全部共享材料")
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


@router.post("/cases/{case_id}/materials/{code}/shared", summary="从电子证照库调取材料")
def fetch_shared(request: HttpRequest, case_id: int, code: str) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    row = case_material_fetch_shared(case=case, user=user, material_code=code)
    return {"code": code, "shared_reference": row.shared_reference}


@router.get("/cases/{case_id}/commitment", summary="告知承诺书全文")
def get_commitment(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = permissions.get_case_for(_user(request), case_id)
    signature = getattr(case, "commitment_signature", None)
    return {
        "text": commitment_text(case),
        "signed": signature is not None,
        "signer": signature.signer_name if signature else None,
        "signed_at": signature.signed_at if signature else None,
        "sha256": signature.text_sha256 if signature else None,
    }


@router.post("/cases/{case_id}/commitment/sign", summary="签署告知承诺书")
def sign_commitment(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    signature = case_commitment_sign(case=case, user=user)
    return {
        "signed": True,
        "signer": signature.signer_name,
        "signed_at": signature.signed_at,
        "sha256": signature.text_sha256,
    }


@router.post("/cases/{case_id}/submit", summary="提交（同一提交令牌重复提交不会重复创建）")
def submit(request: HttpRequest, case_id: int, payload: SubmitIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.EDIT)
    case = case_submit(case=case, user=user, key=payload.key)
    return case_summary(case, user)


@router.get("/cases/{case_id}/events", summary="办件记录（哈希链）")
def events(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = permissions.get_case_for(_user(request), case_id)
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
        for e in case.events.order_by("seq")
    ]


@router.get("/window/queue", summary="综合窗口受理队列", tags=["综合窗口"])
def queue(
    request: HttpRequest,
    status: str = CaseStatus.SUBMITTED,
    limit: int = 50,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    user = _user(request)
    if user.role != Role.CLERK:
        raise CaseNotFound("not_found", "没有找到您请求的内容。")
    cases = window_queue(user, status)
    limit = max(1, min(limit, 200))
    return {"total": cases.count(), "items": [case_summary(c, user) for c in cases[offset : offset + limit]]}


@router.post("/cases/{case_id}/accept", summary="受理", tags=["综合窗口"])
def accept(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    return case_detail(case_accept(case=case, clerk=user), user)


@router.post("/cases/{case_id}/supplement", summary="一次性告知补正", tags=["综合窗口"])
def supplement(request: HttpRequest, case_id: int, payload: SupplementIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    request_row = case_request_supplement(
        case=case, clerk=user, entries=[e.dict() for e in payload.entries], note=payload.note
    )
    return {"case": case.pk, "entries": request_row.entries, "requested_at": request_row.requested_at}


@router.post("/cases/{case_id}/refuse", summary="不予受理", tags=["综合窗口"])
def refuse(request: HttpRequest, case_id: int, payload: RefuseIn) -> dict[str, Any]:
    user = _user(request)
    case = _case_to_change(user, case_id, permissions.WINDOW)
    return case_summary(case_refuse(case=case, clerk=user, reason=payload.reason), user)

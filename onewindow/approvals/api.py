"""API for department reviewers (the queue by urgency, a branch with what it needs, decisions) and for
the approvers of extension requests."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, Extension
from onewindow.approvals.selectors import (
    EXTENSION_APPROVER_ROLES,
    branch_view,
    decided_page,
    extension_inbox,
    get_branch_for,
    reviewer_queue,
)
from onewindow.approvals.services import (
    branch_approve,
    branch_deny,
    branch_pause,
    branch_resume,
    due_state,
    extension_approve,
    extension_decline,
    extension_request,
    extension_withdraw,
)
from onewindow.cases.errors import CaseError, CaseInvalid, CaseNotFound
from onewindow.catalog.schemas import MAX_OFFSET, ErrorCause, error_answers

# Summaries and descriptions are lazy translations (ninja types them as str): the OpenAPI document
# is rendered in the caller's language.
router = Router(tags=[gettext_noop("并联审批")], auth=django_auth)

# The largest branch version any database stores (Branch.version is an integer column); a request
# naming one outside 0..VERSION_MAX cannot be a page's stale copy, only a malformed request.
VERSION_MAX = 2**31 - 1

# The error answers these operations give, for the OpenAPI document (see catalog.schemas.error_answers).
NOT_A_REVIEWER: ErrorCause = ("not_found", gettext_lazy("当前账号不是部门审批人员。"))
NOT_AN_APPROVER: ErrorCause = ("not_found", gettext_lazy("当前账号不能审批延期申请。"))
BRANCH_NOT_FOUND: ErrorCause = ("branch_not_found", gettext_lazy("没有这个子件，或它不属于您的部门。"))
EXTENSION_NOT_FOUND: ErrorCause = (
    "extension_not_found",
    gettext_lazy("没有这份延期申请，或它不由您审批。"),
)
BRANCH_CHANGED: ErrorCause = (
    "branch_changed",
    gettext_lazy("子件已被他人处理，提交的 version 已过期：请重新读取子件，用新的 version 再决定。"),
)
BRANCH_STATUS: ErrorCause = (
    "branch_status",
    gettext_lazy("子件当前状态不能这样办理（已决定、在等待前置审批结果或正在暂停计时）。"),
)
INVALID_VERSION: ErrorCause = ("invalid_version", gettext_lazy("version 不是读取子件时可能返回的版本号。"))
CALENDAR_UNPUBLISHED: ErrorCause = (
    "calendar_unpublished",
    gettext_lazy("工作日历尚未发布到期日所在的年份，无法计算审批期限，请联系系统管理员。"),
)
EXTENSION_DECIDED: ErrorCause = (
    ("extension_decided", "branch_decided"),
    gettext_lazy("这份延期申请已审批，或子件已作出决定。"),
)
TEXT_TOO_LONG: ErrorCause = ("text_too_long", gettext_lazy("理由或意见过长，请精简。"))


class ApproveIn(Schema):
    permit_number: str = Field("", max_length=60)  # as Branch.permit_number
    valid_until: date | None = None
    comment: str = ""
    version: int | None = None


class DenyIn(Schema):
    reason: str
    legal_basis: str
    version: int | None = None


class PauseIn(Schema):
    reason: str = "rectification"
    note: str
    version: int | None = None


class ResumeIn(Schema):
    comment: str = ""
    version: int | None = None


class ExtendIn(Schema):
    days: int
    reason: str
    approver: str = Field(..., max_length=150)  # a username, as User.username
    version: int | None = None


class ExtensionApproveIn(Schema):
    comment: str = ""


class ExtensionDeclineIn(Schema):
    reason: str


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.REVIEWER or user.department_id is None:
        raise CaseNotFound("not_found", "没有找到您请求的内容。")
    return user


def _approver(request: HttpRequest) -> User:
    """Someone who may be named to approve an extension; everyone else is answered 404."""
    user = request.user
    assert isinstance(user, User)
    if user.role not in EXTENSION_APPROVER_ROLES:
        raise CaseNotFound("not_found", "没有找到您请求的内容。")
    return user


def _version(version: int | None) -> int | None:
    """The branch version a decision was made on, refused (422) if no branch can ever have it."""
    if version is not None and not 0 <= version <= VERSION_MAX:
        field = _("version 应为读取子件时返回的版本号（0 至 %(max)s 之间的整数）。") % {"max": VERSION_MAX}
        raise CaseInvalid(
            "invalid_version",
            _("子件版本号（version）无效，请重新读取该子件，用返回的 version 再提交。"),
            fields={"version": field},
        )
    return version


def _named_approver(username: str) -> User:
    """The account a reviewer names to approve his extension request, by its username.

    Whether that account may approve (on duty, a supervisor or a colleague) is the service's rule.
    """
    username = username.strip()
    if not username:
        message = _("请填写审批人的账号。")
        raise CaseInvalid("approver_required", message, fields={"approver": message})
    approver = User.objects.filter(username=username).first()
    if approver is None:
        message = _("没有找到账号为“%(username)s”的审批人，请核对。") % {"username": username}
        raise CaseInvalid("approver_not_found", message, fields={"approver": message})
    return approver


def _urgency(branch: Branch, today: date, calendar: Any) -> str:
    """The branch's urgency flag; none when its due date lies in a year without a schedule while
    WORKDAYS_FALLBACK is "error", as the queue page shows it: one such row never fails the queue."""
    try:
        return due_state(branch, today, settings.DUE_SOON_WORKDAYS, calendar)
    except CaseError:
        return ""


def branch_row(branch: Branch, today: date, calendar: Any) -> dict[str, Any]:
    return {
        "id": branch.pk,
        "version": branch.version,
        "case": branch.case_id,
        "case_number": branch.case.number,
        "holder_name": branch.case.holder_name,
        "item": branch.item.code,
        "item_name": branch.item.name,
        "status": branch.status,
        "status_label": branch.get_status_display(),
        "opened_on": branch.opened_on,
        "due_on": branch.due_on,
        "urgency": _urgency(branch, today, calendar),
        "calendar_warning": branch.calendar_warning_shown,
        "permit_number": branch.permit_number,
    }


@router.get(
    "/review/queue",
    summary=cast(str, gettext_lazy("本部门待办子件（按紧急程度排序）")),
    description=cast(
        str,
        gettext_lazy(
            "未决定的子件按到期日从早到晚，用 offset 翻页。status=decided 时为已决定的子件，最新在前，"
            "用 before（更早一页）/after（更新一页）加上一页返回的 older/newer 翻页：翻到多久以前都一样快。"
        ),
    ),
    openapi_extra=error_answers({400: [CALENDAR_UNPUBLISHED], 404: [NOT_A_REVIEWER]}),
)
def queue(
    request: HttpRequest,
    status: str = "",
    bundle: str = "",
    q: str = Query("", max_length=50),
    limit: int = 50,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    before: int | None = Query(None, ge=1),
    after: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    reviewer = _reviewer(request)
    branches = reviewer_queue(reviewer, status=status, bundle=bundle, query=q)
    limit = max(1, min(limit, 200))
    today, calendar = timezone.localdate(), current_calendar()
    if status == "decided" and not offset:
        decided = decided_page(branches, size=limit, before=before, after=after)
        return {
            "items": [branch_row(b, today, calendar) for b in decided.rows],
            "limit": limit,
            "newer": decided.newer,
            "older": decided.older,
        }
    page = list(branches[offset : offset + limit])
    return {"items": [branch_row(b, today, calendar) for b in page], "offset": offset, "limit": limit}


@router.get(
    "/branches/{branch_id}",
    summary=cast(str, gettext_lazy("子件详情：本事项用到的字段和材料、其他部门结果")),
    openapi_extra=error_answers({400: [CALENDAR_UNPUBLISHED], 404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER]}),
)
def get_branch(request: HttpRequest, branch_id: int) -> dict[str, Any]:
    reviewer = _reviewer(request)
    view = branch_view(get_branch_for(reviewer, branch_id))
    today, calendar = timezone.localdate(), current_calendar()
    return {
        **branch_row(view.branch, today, calendar),
        "fields": view.fields,
        "materials": [
            {
                "code": m.material.code,
                "name": m.material.name,
                "disposition": m.disposition,
                "sha256": m.sha256,
            }
            for m in view.materials
        ],
        "prerequisites": [
            {
                "item_name": p.item.name,
                "department": p.department.short_name,
                "status": p.status,
                "permit_number": p.permit_number,
            }
            for p in view.prerequisites
        ],
        "others": [
            {
                "item_name": o.item.name,
                "department": o.department.short_name,
                "status": o.status,
                "status_label": o.get_status_display(),
                "permit_number": o.permit_number,
                "reason": o.decision_reason,
            }
            for o in view.others
        ],
    }


def _decided(branch: Branch) -> dict[str, Any]:
    # The services return the branch as saved, with its case (as completed, if it was) and item.
    return branch_row(branch, timezone.localdate(), current_calendar())


@router.post(
    "/branches/{branch_id}/approve",
    summary=cast(str, pgettext_lazy("branch decision", "准予许可")),
    openapi_extra=error_answers(
        {
            400: [CALENDAR_UNPUBLISHED],
            404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER],
            409: [BRANCH_CHANGED, BRANCH_STATUS],
            422: [
                INVALID_VERSION,
                (
                    ("validity_past", "valid_until_out_of_range"),
                    gettext_lazy("有效期截止日期（valid_until）不在今天之后的允许范围内。"),
                ),
                (
                    "valid_until_beyond_term",
                    gettext_lazy(
                        "valid_until 晚于事项的法定有效期；有法定有效期的事项不填 valid_until 时按法定有效期计。"
                    ),
                ),
                ("permit_number_taken", gettext_lazy("许可证号已被使用，请核对或留空由系统生成。")),
            ],
        }
    ),
)
def approve(request: HttpRequest, branch_id: int, payload: ApproveIn) -> dict[str, Any]:
    reviewer = _reviewer(request)
    # The service answers 404 for another department's branch, as get_branch_for does.
    branch = branch_approve(
        branch_id=branch_id,
        reviewer=reviewer,
        permit_number=payload.permit_number,
        valid_until=payload.valid_until,
        comment=payload.comment,
        expected_version=_version(payload.version),
    )
    return _decided(branch)


@router.post(
    "/branches/{branch_id}/deny",
    summary=cast(str, pgettext_lazy("branch decision", "不予许可")),
    openapi_extra=error_answers(
        {
            400: [CALENDAR_UNPUBLISHED],
            404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER],
            409: [BRANCH_CHANGED, BRANCH_STATUS],
            422: [INVALID_VERSION, ("deny_incomplete", gettext_lazy("没有写明理由或法律依据。"))],
        }
    ),
)
def deny(request: HttpRequest, branch_id: int, payload: DenyIn) -> dict[str, Any]:
    reviewer = _reviewer(request)
    branch = branch_deny(
        branch_id=branch_id,
        reviewer=reviewer,
        reason=payload.reason,
        legal_basis=payload.legal_basis,
        expected_version=_version(payload.version),
    )
    return _decided(branch)


@router.post(
    "/branches/{branch_id}/pause",
    summary=cast(str, gettext_lazy("要求整改（暂停计时）")),
    openapi_extra=error_answers(
        {
            404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER],
            409: [BRANCH_CHANGED, BRANCH_STATUS],
            422: [
                INVALID_VERSION,
                (("pause_reason", "note_required"), gettext_lazy("暂停原因不正确，或没有写明整改要求。")),
            ],
        }
    ),
)
def pause(request: HttpRequest, branch_id: int, payload: PauseIn) -> dict[str, Any]:
    reviewer = _reviewer(request)
    version = _version(payload.version)
    branch = branch_pause(
        branch_id=get_branch_for(reviewer, branch_id).pk,
        reviewer=reviewer,
        reason=payload.reason,
        note=payload.note,
        expected_version=version,
    )
    return _decided(branch)


@router.post(
    "/branches/{branch_id}/resume",
    summary=cast(str, pgettext_lazy("branch decision", "恢复计时")),
    openapi_extra=error_answers(
        {
            400: [CALENDAR_UNPUBLISHED],
            404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER],
            409: [
                BRANCH_CHANGED,
                BRANCH_STATUS,
                ("inspection_holds_clock", gettext_lazy("子件正在联合核查中，核查通过后自动恢复计时。")),
            ],
            422: [INVALID_VERSION],
        }
    ),
)
def resume(request: HttpRequest, branch_id: int, payload: ResumeIn) -> dict[str, Any]:
    reviewer = _reviewer(request)
    version = _version(payload.version)
    branch = branch_resume(
        branch_id=get_branch_for(reviewer, branch_id).pk,
        reviewer=reviewer,
        comment=payload.comment,
        expected_version=version,
    )
    return _decided(branch)


@router.post(
    "/branches/{branch_id}/extend",
    summary=cast(str, gettext_lazy("申请延长审批期限（待审批人批准）")),
    description=cast(
        str,
        gettext_lazy(
            "提交延期申请，approver 为审批人的账号（在岗的督查/管理人员或本部门其他审批人员）。"
            "申请待审批（extension.status 为 pending），到期日不变；审批人批准后才顺延。"
        ),
    ),
    openapi_extra=error_answers(
        {
            404: [BRANCH_NOT_FOUND, NOT_A_REVIEWER],
            409: [
                BRANCH_CHANGED,
                BRANCH_STATUS,
                ("already_extended", gettext_lazy("该子件已经延期过一次，依法不能再次延期。")),
                ("extension_pending", gettext_lazy("该子件已有一份延期申请等待审批。")),
            ],
            422: [
                INVALID_VERSION,
                (
                    ("approver_required", "approver_not_found"),
                    gettext_lazy("没有填写审批人，或该账号不能审批这份申请。"),
                ),
                (
                    ("extension_not_allowed", "extension_days"),
                    gettext_lazy("该事项没有法定延长期限，或延长天数超出范围。"),
                ),
                ("reason_required", gettext_lazy("没有写明延期理由。")),
                TEXT_TOO_LONG,
            ],
        }
    ),
)
def extend(request: HttpRequest, branch_id: int, payload: ExtendIn) -> dict[str, Any]:
    reviewer = _reviewer(request)
    version = _version(payload.version)
    # The branch first: someone naming any approver for a branch he may not see is answered 404.
    branch = get_branch_for(reviewer, branch_id)
    approver = _named_approver(payload.approver)
    # The request changes nothing on the branch: it is answered as read, its due date unchanged.
    extension = extension_request(
        branch_id=branch.pk,
        reviewer=reviewer,
        approver=approver,
        days=payload.days,
        reason=payload.reason,
        expected_version=version,
    )
    return {**_decided(branch), "extension": extension_row(extension)}


def extension_row(extension: Extension) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "status": extension.status,
        "status_label": extension.get_status_display(),
        "days": extension.days,
        "reason": extension.reason,
        "requested_by": extension.requested_by.name,
        "requested_at": extension.requested_at,
        "approver": extension.approver.username,
        "approver_name": extension.approver.name,
        "approved_at": extension.approved_at,
        "declined_at": extension.declined_at,
        "withdrawn_at": extension.withdrawn_at,
        "comment": extension.decision_comment,
    }


def _extension_with_branch(extension: Extension) -> dict[str, Any]:
    branch = extension.branch
    return {
        **extension_row(extension),
        "branch": {
            "id": branch.pk,
            "case": branch.case_id,
            "case_number": branch.case.number,
            "holder_name": branch.case.holder_name,
            "item": branch.item.code,
            "item_name": branch.item.name,
            "department": branch.department.short_name,
            "status": branch.status,
            "due_on": branch.due_on,
        },
    }


@router.get(
    "/review/extension-requests",
    summary=cast(str, gettext_lazy("待我审批的延期申请")),
    description=cast(str, gettext_lazy("指定由当前账号审批、子件尚未作出决定的延期申请，最早提出的在前。")),
    openapi_extra=error_answers({404: [NOT_AN_APPROVER]}),
)
def extension_requests(request: HttpRequest) -> dict[str, Any]:
    approver = _approver(request)
    return {"items": [_extension_with_branch(e) for e in extension_inbox(approver)]}


@router.post(
    "/review/extension-requests/{extension_id}/approve",
    summary=cast(str, gettext_lazy("批准延期申请（到期日顺延）")),
    description=cast(str, gettext_lazy("只有申请指定的审批人可以批准；已审批或子件已决定时为 409。")),
    openapi_extra=error_answers(
        {
            400: [CALENDAR_UNPUBLISHED],
            404: [EXTENSION_NOT_FOUND, NOT_AN_APPROVER],
            409: [EXTENSION_DECIDED],
            422: [TEXT_TOO_LONG],
        }
    ),
)
def extension_approve_endpoint(
    request: HttpRequest, extension_id: int, payload: ExtensionApproveIn
) -> dict[str, Any]:
    approver = _approver(request)
    extension = extension_approve(extension_id=extension_id, approver=approver, comment=payload.comment)
    return _extension_with_branch(extension)


@router.post(
    "/review/extension-requests/{extension_id}/decline",
    summary=cast(str, gettext_lazy("不批准延期申请（须写明理由）")),
    description=cast(str, gettext_lazy("只有申请指定的审批人可以不批准；理由将通知提出人，到期日不变。")),
    openapi_extra=error_answers(
        {
            404: [EXTENSION_NOT_FOUND, NOT_AN_APPROVER],
            409: [EXTENSION_DECIDED],
            422: [("reason_required", gettext_lazy("没有写明不批准的理由。")), TEXT_TOO_LONG],
        }
    ),
)
def extension_decline_endpoint(
    request: HttpRequest, extension_id: int, payload: ExtensionDeclineIn
) -> dict[str, Any]:
    approver = _approver(request)
    extension = extension_decline(extension_id=extension_id, approver=approver, reason=payload.reason)
    return _extension_with_branch(extension)


@router.post(
    "/review/extension-requests/{extension_id}/withdraw",
    summary=cast(str, gettext_lazy("撤回延期申请（提出人）")),
    description=cast(
        str,
        gettext_lazy(
            "提出申请的审批人员撤回尚未审批的延期申请，到期日不变；撤回后可重新申请。已审批的申请不能撤回（409）。"
        ),
    ),
    openapi_extra=error_answers(
        {
            404: [
                ("extension_not_found", gettext_lazy("没有这份延期申请，或它不是您提出的。")),
                NOT_A_REVIEWER,
            ],
            409: [("extension_decided", gettext_lazy("这份延期申请已审批、撤回或作废。"))],
        }
    ),
)
def extension_withdraw_endpoint(request: HttpRequest, extension_id: int) -> dict[str, Any]:
    reviewer = _reviewer(request)
    extension = extension_withdraw(extension_id=extension_id, reviewer=reviewer)
    return _extension_with_branch(extension)

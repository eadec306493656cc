"""API for the checks of commitments after approval (告知承诺事后核查): a department's list, one
check with what the applicant committed to, and recording the result."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, cast

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import Field, Router, Schema
from ninja.security import django_auth

from onewindow.accounts.models import User
from onewindow.approvals.calendar import current_calendar
from onewindow.catalog.schemas import ErrorCause, error_answers
from onewindow.inspections.models import CHECK_TEXT_MAX, CommitmentCheck, CommitmentCheckStatus
from onewindow.inspections.permissions import get_commitment_check_for
from onewindow.inspections.selectors import CheckRow, check_row, commitment_checks_for, commitment_clauses
from onewindow.inspections.services import commitment_check_record

router = Router(tags=[gettext_noop("事后核查")], auth=django_auth)

CHECK_NOT_FOUND: ErrorCause = (
    "check_not_found",
    gettext_lazy(
        "没有这项事后核查，或它不由您所在的部门核查（只有作出许可决定的部门的核查和审批人员可以办理）。"
    ),
)
CHECK_CLOSED: ErrorCause = (
    ("check_closed", "check_changed"),
    gettext_lazy("这项核查已有结论，或已由他人记录了本次核查（round 已过期）：请重新读取后再办理。"),
)


class CheckResultIn(Schema):
    result: Literal["confirmed", "rectify", "revoke"]
    findings: str = Field(
        "", max_length=CHECK_TEXT_MAX * 2
    )  # the service says so in Chinese at CHECK_TEXT_MAX
    rectify_by: date | None = None
    round: int | None = Field(None, ge=1, le=32767)  # the round read with the check


def _row(check: CommitmentCheck, next_on: date | None = None, state: str = "") -> dict[str, Any]:
    return {
        "id": check.pk,
        "round": check.round,
        "case": check.case_id,
        "case_number": check.case.number,
        "holder_name": check.case.holder_name,
        "item": check.branch.item.code,
        "item_name": check.branch.item.name,
        "permit_number": check.branch.permit_number,
        "status": check.status,
        "status_label": check.get_status_display(),
        "due_on": check.due_on,
        "rectify_by": check.rectify_by if check.status == CommitmentCheckStatus.RECTIFYING else None,
        "next_on": next_on,
        "urgency": state,
        "findings": check.findings,
        "checked_at": check.checked_at,
        "checked_by": check.checked_by.name if check.checked_by else "",
    }


def _open_row(row: CheckRow) -> dict[str, Any]:
    return _row(row.check, row.next_on, row.state)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@router.get(
    "/commitment-checks",
    summary=cast(str, gettext_lazy("本部门的告知承诺事后核查")),
    description=cast(
        str,
        gettext_lazy(
            "open：待核查和限期整改中的，按下一次核查的日期（next_on）从早到晚，urgency 为 overdue（已超期）"
            "或 due_soon（即将到期）；closed：最近有结论的。不是部门核查或审批人员的账号得到两个空列表。"
        ),
    ),
)
def checks(request: HttpRequest) -> dict[str, Any]:
    rows, closed = commitment_checks_for(_user(request), timezone.localdate(), settings.DUE_SOON_WORKDAYS)
    return {"open": [_open_row(row) for row in rows], "closed": [_row(check) for check in closed]}


@router.get(
    "/commitment-checks/{check_id}",
    summary=cast(str, gettext_lazy("一项事后核查及申请人承诺的内容")),
    openapi_extra=error_answers({404: [CHECK_NOT_FOUND]}),
)
def check(request: HttpRequest, check_id: int) -> dict[str, Any]:
    found = get_commitment_check_for(_user(request), check_id)
    row = check_row(found, timezone.localdate(), settings.DUE_SOON_WORKDAYS, current_calendar())
    return {**_open_row(row), "commitment": commitment_clauses(found)}


@router.post(
    "/commitment-checks/{check_id}/result",
    summary=cast(str, gettext_lazy("记录事后核查结论")),
    description=cast(
        str,
        gettext_lazy(
            "result：confirmed（核查相符，核查结束）、rectify（责令限期整改：写明 findings 和 rectify_by，"
            "整改期限届满后再次核查）或 revoke（承诺不实，决定撤销许可：写明 findings；同时通知综合审批机构）。"
            "round 为读取时的 round，防止两人同时记录。"
        ),
    ),
    openapi_extra=error_answers(
        {
            400: [
                (
                    "calendar_unpublished",
                    gettext_lazy("整改期限所在年份的节假日安排尚未录入，无法核对整改期限。"),
                )
            ],
            404: [CHECK_NOT_FOUND],
            409: [CHECK_CLOSED],
            422: [
                (
                    ("check_result", "findings_required", "findings_too_long"),
                    gettext_lazy("没有选择结论，或责令整改、撤销许可时没有写明核查发现，或核查发现过长。"),
                ),
                (
                    ("rectify_by_required", "rectify_by_past", "rectify_by_too_late"),
                    gettext_lazy("责令整改时没有填写整改期限，或整改期限不在今天之后的允许范围内。"),
                ),
            ],
        }
    ),
)
def record(request: HttpRequest, check_id: int, payload: CheckResultIn) -> dict[str, Any]:
    recorded = commitment_check_record(
        check_id=check_id,
        inspector=_user(request),
        result=payload.result,
        findings=payload.findings,
        rectify_by=payload.rectify_by,
        expected_round=payload.round,
    )
    return _open_row(
        check_row(recorded, timezone.localdate(), settings.DUE_SOON_WORKDAYS, current_calendar())
    )

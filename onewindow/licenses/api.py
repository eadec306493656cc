"""API for licences: public verification (rate-limited), and for signed-in users issue, read,
change, revoke, cancel and hand out the comprehensive licence.

Endpoints parse input, call one service and shape the output. Who may see or act on a licence
is `licenses.views.get_licence_for` (404 for what the caller may not know exists, 403 for
what he may see but not do); every CaseError leaves in the standard error body with its status
through the API's CaseError handler.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from onewindow.accounts.models import Role, User
from onewindow.cases.api import CASE_NOT_FOUND
from onewindow.cases.errors import CaseForbidden
from onewindow.cases.notices import holder_code_display
from onewindow.cases.permissions import VIEW as CASE_VIEW
from onewindow.cases.permissions import get_case_for
from onewindow.catalog.schemas import ApiError, ErrorCause, ErrorOut, error_answers
from onewindow.lib.errors import CodedError
from onewindow.lib.pdf import FontUnavailable
from onewindow.lib.ratelimit import rate_limited
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense, Delivery, LicenceStatus, Permit
from onewindow.licenses.selectors import Verification, licence_verify, verification_cached
from onewindow.licenses.views import (
    CHANGE,
    CHOOSE_DELIVERY,
    END,
    HAND_OUT,
    can,
    delivery_for,
    get_licence_for,
    seal_for,
)

# Summaries and descriptions are lazy translations (ninja types them as str): the OpenAPI document
# is rendered in the caller's language.
router = Router(tags=[gettext_noop("证照")], auth=django_auth)

NOT_FOUND_MESSAGE = gettext_lazy(
    "没有找到与输入内容对应的证照。请核对电子证照标识、证照编号、许可证号或二维码核验码后重试。"
)
# Told as the error entry for `q`, beside NOT_FOUND_MESSAGE, which stays as it was (and translated).
ACCEPTED_FORMS_MESSAGE = gettext_lazy(
    "可输入证照编号、电子证照标识或任一许可证号，字母大小写和括号形式不限。"
)
THROTTLED_MESSAGE = gettext_lazy("核验请求过于频繁，请一分钟后再试。")

# The error answers these operations give, for the OpenAPI document (see catalog.schemas.error_answers).
LICENCE_NOT_FOUND: ErrorCause = ("licence_not_found", gettext_lazy("没有这张证照，或您无权查看或办理它。"))
NOT_ALLOWED: ErrorCause = ("not_allowed", gettext_lazy("您能查看这张证照，但您的岗位不能办理此项业务。"))
LICENCE_NOT_VALID: ErrorCause = (
    "licence_not_valid",
    gettext_lazy("证照已变更（这是旧版本）、已吊销或已注销，不能再办理。"),
)
SERVER_UNPREPARED: ErrorCause = (
    ("signing_key_missing", "signing_files_missing", "signing_key_unreadable", "font_unavailable"),
    gettext_lazy("签章证书、私钥或中文字体不可用，什么都没有改变：请系统管理员按 message 的提示处理后重试。"),
)
DELIVERY_STOPPED: ErrorCause = (
    "licence_not_valid",
    gettext_lazy("证照的最新版本已吊销或注销，已停止交付，什么都没有改变。"),
)
CALENDAR_UNPUBLISHED: ErrorCause = (
    "calendar_unpublished",
    gettext_lazy("工作日历尚未录入所需年份，无法计算办结用时，什么都没有改变：请系统管理员录入后重试。"),
)


def _operator_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signing, font or calendar missing: a 503 that says what the operator must fix, not a 500.

    CaseError needs nothing here: the API's own handler turns it into the standard error body.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except CodedError as exc:
            raise ApiError(503, exc.code, exc.message) from exc
        except FontUnavailable as exc:
            raise ApiError(503, "font_unavailable", str(exc)) from exc

    return wrapper


router.add_decorator(_operator_errors)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# ---------------------------------------------------------------- shapes


class PermitOut(Schema):
    item: str = Field(description="事项名称")
    department: str = Field(description="发证部门")
    number: str = Field(description="许可证号")
    valid_from: date
    valid_until: date | None = Field(description="为空表示长期有效")
    revoked_on: date | None = Field(
        None,
        description="审批部门决定撤销本项许可的日期；为空表示未撤销。综合许可证随后由综合审批机构变更或吊销",
    )


class VerifyOut(Schema):
    state: str = Field(
        description="valid 有效 / changed 已变更 / revoked 已吊销 / cancelled 已注销 / expired 已过期"
    )
    label: str = Field(description="状态的中文说明")
    licence_name: str
    number: str = Field(description="证照编号")
    version: int
    identifier: str = Field(description="电子证照标识（GB/T 36904）")
    holder_name: str
    holder_code: str = Field(description="统一社会信用代码；个人的身份证号码已脱敏")
    legal_representative: str = Field(description="已脱敏，仅显示姓氏")
    valid_from: date
    valid_until: date | None
    issuer: str
    issued_on: date
    reason: str = Field(description="吊销或注销的原因，其他状态为空")
    current_version: int | None = Field(description="已变更时最新版本的版本号")
    current_identifier: str | None = Field(description="已变更时最新版本的电子证照标识")
    current_state: str | None = Field(
        description="已变更时最新版本的状态：valid 有效 / revoked 已吊销 / cancelled 已注销 / expired 已过期；"
        "最新版本不是 valid 时，持证主体已没有有效的证照（label 也会说明）。未变更时为空"
    )
    permits: list[PermitOut]


class SignatureOut(Schema):
    code: str = Field(
        description="ok / untrusted / tampered / modified / bad_signature / unsigned / unreadable / missing / unavailable"
    )
    ok: bool
    label: str
    message: str
    signer: str
    signed_at: datetime | None
    stored_hash_matches: bool = Field(description="存储的文件与签发时记录的 SHA-256 一致")


class VersionOut(Schema):
    id: int
    version: int
    status: str
    status_label: str
    identifier: str
    issued_on: date
    change_note: str


class PushOut(Schema):
    operation: str
    operation_label: str
    status: str = Field(description="pending 待推送 / done 已推送")
    attempts: int
    last_error: str
    created_at: datetime
    done_at: datetime | None


class DeliveryOut(Schema):
    licence_id: int = Field(description="登记领取的证照版本")
    method: str = Field(description="pickup 窗口领取 / post 邮寄送达")
    method_label: str
    status: str = Field(description="waiting 待领取/待寄出 / shipped 已寄出 / done 已送达")
    status_label: str
    pickup_code: str | None = Field(description="取件码，只返回给申请人本人；作废后为 null")
    pickup_code_void: bool = Field(
        description="取件码在窗口连续输错 5 次后作废；申请人重新选择窗口领取（choose delivery）可获得新码"
    )
    recipient: str
    phone: str
    address: str
    carrier: str
    tracking_number: str
    handed_over_at: datetime | None
    case_status: str = Field(description="办件状态；送达后为 closed")


class CaseRef(Schema):
    id: int
    number: str | None
    status: str
    status_label: str


class LicenceOut(Schema):
    id: int
    licence_name: str
    number: str
    identifier: str
    version: int
    status: str = Field(
        description="valid 有效 / superseded 已变更（旧版）/ revoked 已吊销 / cancelled 已注销"
    )
    status_label: str
    holder_name: str
    holder_code: str
    holder_code_type: str = Field(description="001 统一社会信用代码 / 111 居民身份证号码")
    legal_representative: str
    address: str
    industry: str
    issuer: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    change_note: str
    end_reason: str
    ended_at: datetime | None
    case: CaseRef
    permits: list[PermitOut]
    versions: list[VersionOut] = Field(description="同一证照的全部版本，新版本在前")
    superseded_by: int | None = Field(description="已变更时新版本的 id")
    pdf_url: str
    verification_url: str
    signature: SignatureOut
    pushes: list[PushOut] = Field(description="推送省电子证照库的记录（仅工作人员可见）")
    delivery: DeliveryOut | None


class ChangeIn(Schema):
    legal_representative: str = Field("", max_length=50, description="新的法定代表人，不变更留空")
    address: str = Field("", max_length=200, description="新的经营场所，不变更留空")
    holder_name: str = Field("", max_length=100, description="新的持证主体名称，不变更留空")
    note: str = Field("", max_length=300, description="变更事项和依据（必填）")


class EndIn(Schema):
    reason: str = Field("", max_length=300, description="原因和依据（必填，公开核验时显示）")


class DeliveryIn(Schema):
    method: Delivery.Method = Field(description="pickup 窗口领取 / post 邮寄送达")
    recipient: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


class HandOverIn(Schema):
    pickup_code: str = Field(max_length=8, description="申请人出示的 6 位取件码")


class ShipIn(Schema):
    carrier: str = Field("", max_length=30)
    tracking_number: str = Field("", max_length=40)


class VerifyQuery(Schema):
    q: str = Field(
        min_length=1,
        max_length=120,
        description="电子证照标识、证照编号、许可证号或二维码核验码；除核验码须原样输入外，字母大小写、全角半角和年份括号形式不限",
    )


def _permit_out(permit: Permit) -> dict[str, Any]:
    return {
        "item": permit.item.name,
        "department": permit.department.name,
        "number": permit.number,
        "valid_from": permit.valid_from,
        "valid_until": permit.valid_until,
        "revoked_on": permit.revoked_on,
    }


def _delivery_out(delivery: Delivery, viewer: User) -> dict[str, Any]:
    licence = delivery.licence
    return {
        "licence_id": delivery.licence_id,
        "method": delivery.method,
        "method_label": delivery.get_method_display(),
        "status": delivery.status,
        "status_label": delivery.get_status_display(),
        # Staff must be shown the code by the applicant, never read it here.
        "pickup_code": (
            delivery.pickup_code
            if can(viewer, CHOOSE_DELIVERY, licence) and not delivery.pickup_code_void
            else None
        ),
        "pickup_code_void": delivery.pickup_code_void,
        "recipient": delivery.recipient,
        "phone": delivery.phone,
        "address": delivery.address,
        "carrier": delivery.carrier,
        "tracking_number": delivery.tracking_number,
        "handed_over_at": delivery.handed_over_at,
        "case_status": licence.case.status,
    }


def _licence_out(licence: ComprehensiveLicense, viewer: User) -> dict[str, Any]:
    is_staff = viewer.role != Role.APPLICANT
    case = licence.case
    seal = seal_for(licence)
    versions = list(
        ComprehensiveLicense.objects.filter(case_id=licence.case_id, number=licence.number).order_by(
            "-version"
        )
    )
    delivery = delivery_for(licence)
    return {
        "id": licence.pk,
        "licence_name": licence.licence_name,
        "number": licence.number,
        "identifier": licence.identifier,
        "version": licence.version,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "holder_name": licence.holder_name,
        "holder_code": holder_code_display(licence.holder_code) if is_staff else licence.holder_code,
        "holder_code_type": services.holder_code_type(licence.holder_code),
        "legal_representative": licence.legal_representative,
        "address": licence.address,
        "industry": licence.industry,
        "issuer": licence.issuer,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "change_note": licence.change_note,
        "end_reason": licence.end_reason,
        "ended_at": licence.ended_at,
        "case": {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "status_label": case.get_status_display(),
        },
        "permits": [
            _permit_out(p) for p in licence.permits.select_related("item", "department").order_by("id")
        ],
        "versions": [
            {
                "id": v.pk,
                "version": v.version,
                "status": v.status,
                "status_label": v.get_status_display(),
                "identifier": v.identifier,
                "issued_on": v.issued_on,
                "change_note": v.change_note,
            }
            for v in versions
        ],
        "superseded_by": next((v.pk for v in versions if v.supersedes_id == licence.pk), None),
        "pdf_url": reverse("licenses:pdf", kwargs={"licence_id": licence.pk}),
        "verification_url": services.verification_url(licence.verify_token),
        "signature": {
            "code": seal.code,
            "ok": seal.ok,
            "label": seal.label,
            "message": seal.message,
            "signer": seal.check.signer_name if seal.check else "",
            "signed_at": seal.check.signed_at if seal.check else None,
            "stored_hash_matches": seal.stored_hash_matches,
        },
        "pushes": [
            {
                "operation": push.operation,
                "operation_label": push.get_operation_display(),
                "status": push.status,
                "attempts": push.attempts,
                "last_error": push.last_error,
                "created_at": push.created_at,
                "done_at": push.done_at,
            }
            for push in licence.pushes.order_by("created_at", "id")
        ]
        if is_staff
        else [],
        "delivery": _delivery_out(delivery, viewer) if delivery else None,
    }


# ---------------------------------------------------------------- public verification


def _throttled() -> HttpResponse:
    # Imported here: onewindow.api imports this module to register the router.
    from onewindow.api import error_response

    response = error_response(429, "throttled", str(THROTTLED_MESSAGE))
    response["Retry-After"] = "60"
    return response


def _verify_out(result: Verification) -> dict[str, Any]:
    licence, current = result.licence, result.current
    changed = result.state == "changed"
    return {
        "state": result.state,
        "label": result.label,
        "licence_name": licence.licence_name,
        "number": licence.number,
        "version": licence.version,
        "identifier": licence.identifier,
        "holder_name": result.holder_name,
        "holder_code": result.holder_code,
        "legal_representative": result.legal_representative,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "issuer": licence.issuer,
        "issued_on": licence.issued_on,
        "reason": licence.end_reason,
        "current_version": current.version if changed else None,
        "current_identifier": current.identifier if changed else None,
        "current_state": result.current_state,
        "permits": result.permits,
    }


def _verify_body(query: str, today: date) -> bytes | None:
    # Imported here: onewindow.api imports this module to register the router.
    from onewindow.api import json_bytes

    result = licence_verify(query, today=today)
    if result is None:
        return None
    # Checked against VerifyOut once, when the answer is made, not on every request that reuses it.
    return json_bytes(VerifyOut.model_validate(_verify_out(result)).model_dump())


@router.get(
    "/verify",
    auth=None,
    response={200: VerifyOut, 404: ErrorOut, 429: ErrorOut},
    summary=cast(str, gettext_lazy("核验证照（公开，限流）")),
    openapi_extra=error_answers(
        {
            404: [("not_found", gettext_lazy("没有与输入内容对应的证照。"))],
            429: [("throttled", gettext_lazy("核验请求过于频繁：答复带 Retry-After，请一分钟后再试。"))],
        }
    ),
)
def verify(request: HttpRequest, query: Query[VerifyQuery]) -> HttpResponse:
    # One budget per address for the page and the API together.
    if rate_limited(request, scope="verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE):
        return _throttled()
    q = query.q.strip()
    # The rendered answer is reused until a licence changes (see selectors.verification_cached).
    body = verification_cached("api", q, lambda today: _verify_body(q, today))
    if body is None:
        accepted = {"field": "q", "code": "not_found", "message": str(ACCEPTED_FORMS_MESSAGE)}
        raise ApiError(404, "not_found", str(NOT_FOUND_MESSAGE), [accepted])
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# ---------------------------------------------------------------- issue and read


@router.post(
    "/issue/{case_id}",
    response={201: LicenceOut},
    summary=cast(str, gettext_lazy("签发综合许可证（综合审批机构）")),
    openapi_extra=error_answers(
        {
            403: [("not_an_issuer", gettext_lazy("只有综合审批机构人员可以发证。"))],
            404: [CASE_NOT_FOUND],
            409: [
                ("not_ready", gettext_lazy("办件还没有全部准予许可，或已经发证。")),
                ("all_permits_revoked", gettext_lazy("办件的许可均已被审批部门撤销（事后核查），不能发证。")),
                (
                    "licence_number_taken",
                    gettext_lazy("证照编号或标识刚刚被另一张证照使用，没有发证：请重试。"),
                ),
            ],
            503: [SERVER_UNPREPARED],
        }
    ),
)
def issue(request: HttpRequest, case_id: int) -> Status[dict[str, Any]]:
    user = _user(request)
    case = get_case_for(user, case_id, CASE_VIEW)
    if user.role != Role.ISSUER:
        raise CaseForbidden("not_an_issuer", _("只有综合审批机构人员可以发证。"))
    licence = services.licence_issue(case=case, issuer=user)
    return Status(201, _licence_out(get_licence_for(user, licence.pk), user))


@router.get(
    "/{licence_id}",
    response={200: LicenceOut},
    summary=cast(str, gettext_lazy("证照详情")),
    openapi_extra=error_answers({404: [LICENCE_NOT_FOUND]}),
)
def licence_detail(request: HttpRequest, licence_id: int) -> dict[str, Any]:
    user = _user(request)
    return _licence_out(get_licence_for(user, licence_id), user)


# ---------------------------------------------------------------- lifecycle


@router.post(
    "/{licence_id}/change",
    response={201: LicenceOut},
    summary=cast(str, gettext_lazy("变更（生成新版本）")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [
                LICENCE_NOT_VALID,
                (
                    "all_permits_revoked",
                    gettext_lazy("所含许可均已被审批部门撤销（事后核查），只能吊销或注销本证。"),
                ),
            ],
            422: [
                (
                    ("note_required", "nothing_changed"),
                    gettext_lazy("没有写明变更事项和依据，或没有填写任何变更内容。"),
                )
            ],
            503: [SERVER_UNPREPARED],
        }
    ),
)
def change(request: HttpRequest, licence_id: int, payload: ChangeIn) -> Status[dict[str, Any]]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, CHANGE)
    new = services.licence_change(
        licence_id=licence.pk,
        actor=user,
        legal_representative=payload.legal_representative,
        address=payload.address,
        holder_name=payload.holder_name,
        note=payload.note,
    )
    return Status(201, _licence_out(get_licence_for(user, new.pk), user))


def _end(request: HttpRequest, licence_id: int, status: str, reason: str) -> dict[str, Any]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, END)
    services.licence_end(licence_id=licence.pk, actor=user, status=status, reason=reason)
    return _licence_out(get_licence_for(user, licence.pk), user)


@router.post(
    "/{licence_id}/revoke",
    response={200: LicenceOut},
    summary=cast(str, pgettext_lazy("licence action", "吊销")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [LICENCE_NOT_VALID],
            422: [("reason_required", gettext_lazy("没有写明原因和依据。"))],
        }
    ),
)
def revoke(request: HttpRequest, licence_id: int, payload: EndIn) -> dict[str, Any]:
    return _end(request, licence_id, LicenceStatus.REVOKED, payload.reason)


@router.post(
    "/{licence_id}/cancel",
    response={200: LicenceOut},
    summary=cast(str, pgettext_lazy("licence action", "注销")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [LICENCE_NOT_VALID],
            422: [("reason_required", gettext_lazy("没有写明原因和依据。"))],
        }
    ),
)
def cancel(request: HttpRequest, licence_id: int, payload: EndIn) -> dict[str, Any]:
    return _end(request, licence_id, LicenceStatus.CANCELLED, payload.reason)


# ---------------------------------------------------------------- delivery


def _delivered(user: User, licence: ComprehensiveLicense) -> dict[str, Any]:
    delivery = delivery_for(licence)
    assert delivery is not None
    return _delivery_out(delivery, user)


@router.post(
    "/{licence_id}/delivery",
    response={200: DeliveryOut},
    summary=cast(str, gettext_lazy("选择领取方式（申请人）")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [
                (
                    "not_deliverable",
                    gettext_lazy(
                        "证照的最新版本已吊销或注销，或证照已交付、办件已办结，不能再选择送达方式。"
                    ),
                ),
                ("delivery_started", gettext_lazy("证照已寄出或已领取，不能再更改送达方式。")),
            ],
            422: [
                (
                    ("delivery_method", "delivery_incomplete", "phone_invalid", "address_too_short"),
                    gettext_lazy(
                        "送达方式不正确，或邮寄所需的收件人、电话、地址缺少或有误，errors 逐项说明。"
                    ),
                )
            ],
        }
    ),
)
def choose_delivery(request: HttpRequest, licence_id: int, payload: DeliveryIn) -> dict[str, Any]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, CHOOSE_DELIVERY)
    services.delivery_choose(
        licence=licence,
        user=user,
        method=payload.method,
        recipient=payload.recipient,
        phone=payload.phone,
        address=payload.address,
    )
    return _delivered(user, licence)


@router.post(
    "/{licence_id}/handover",
    response={200: DeliveryOut},
    summary=cast(str, gettext_lazy("窗口交付（核对取件码）")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [
                (("no_pickup", "already_delivered"), gettext_lazy("该证照未选择窗口领取，或已经领取。")),
                DELIVERY_STOPPED,
                (
                    "pickup_code_void",
                    gettext_lazy("取件码连续输错已作废：申请人须重新选择窗口领取以获得新码。"),
                ),
            ],
            422: [("pickup_code", gettext_lazy("取件码不正确；message 说明再输错几次将作废。"))],
            503: [CALENDAR_UNPUBLISHED],
        }
    ),
)
def handover(request: HttpRequest, licence_id: int, payload: HandOverIn) -> dict[str, Any]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, HAND_OUT)
    services.delivery_hand_over(licence=licence, staff=user, pickup_code=payload.pickup_code)
    return _delivered(user, licence)


@router.post(
    "/{licence_id}/ship",
    response={200: DeliveryOut},
    summary=cast(str, gettext_lazy("登记寄出")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [("not_waiting", gettext_lazy("该证照没有选择邮寄送达，或已经寄出。")), DELIVERY_STOPPED],
            422: [("tracking_required", gettext_lazy("没有填写快递公司和运单号。"))],
        }
    ),
)
def ship(request: HttpRequest, licence_id: int, payload: ShipIn) -> dict[str, Any]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, HAND_OUT)
    services.delivery_ship(
        licence=licence, staff=user, carrier=payload.carrier, tracking_number=payload.tracking_number
    )
    return _delivered(user, licence)


@router.post(
    "/{licence_id}/delivered",
    response={200: DeliveryOut},
    summary=cast(str, gettext_lazy("确认送达（办件办结）")),
    openapi_extra=error_answers(
        {
            403: [NOT_ALLOWED],
            404: [LICENCE_NOT_FOUND],
            409: [("not_shipped", gettext_lazy("该证照尚未寄出。")), DELIVERY_STOPPED],
            503: [CALENDAR_UNPUBLISHED],
        }
    ),
)
def delivered(request: HttpRequest, licence_id: int) -> dict[str, Any]:
    user = _user(request)
    licence = get_licence_for(user, licence_id, HAND_OUT)
    services.delivery_confirm(licence=licence, actor=user)
    return _delivered(user, licence)

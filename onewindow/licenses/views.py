"""Licence pages: the issuer's queue and issue page, the licence with its lifecycle and delivery,
the supervisor's time-saved report, and public verification (rate-limited).

Views parse input, call one service and render; what a change, a revocation or a hand-over
needs is checked in licenses.services. Who may see or act on a licence is decided here by
`can` / `get_licence_for`: people who may not see a licence get a 404, so no one learns it
exists; people who may see it but not act get the 403 page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.decorators import role_required, signed_in_required
from onewindow.accounts.models import CENTRE_ROLES, Role, User
from onewindow.cases.errors import CaseConflict, CaseError, CaseForbidden, CaseNotFound
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.notices import holder_code_display
from onewindow.cases.permissions import VIEW as CASE_VIEW
from onewindow.cases.permissions import get_case_for
from onewindow.lib.elicence_id import ElicenceIdentifier, ElicenceIdentifierError, parse_identifier
from onewindow.lib.errors import CodedError
from onewindow.lib.pdf import FontUnavailable
from onewindow.lib.ratelimit import rate_limited
from onewindow.licenses import services
from onewindow.licenses.forms import ChangeForm, DeliveryForm, EndForm, HandOverForm, ServiceForm, ShipForm
from onewindow.licenses.models import ComprehensiveLicense, Delivery, LibraryPush, LicenceStatus
from onewindow.licenses.selectors import (
    HANDOVER_STATES,
    issue_queue,
    issued_licences,
    licence_verify,
    renewals_due,
    time_saved_by_bundle,
    verification_cached,
)
from onewindow.licenses.signing import SignatureCheck, SigningUnavailable, validate_pdf

QUEUE_PAGE_SIZE = 50
RENEWAL_WINDOW_DAYS = 90


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# ---------------------------------------------------------------- who may do what

VIEW = "view"  # the licence page and its PDF
CHANGE = "change"  # 变更: a new version
END = "end"  # 吊销 / 注销
CHOOSE_DELIVERY = "choose_delivery"  # the applicant picks pickup or post
HAND_OUT = "hand_out"  # staff hand over at the window, record shipping and delivery

DENIED = {
    CHANGE: gettext_lazy("只有本中心综合审批机构人员可以办理证照变更。"),
    END: gettext_lazy("只有本中心综合审批机构人员或督查人员可以吊销或注销证照。"),
    CHOOSE_DELIVERY: gettext_lazy("只有申请人本人可以选择领取方式。"),
    HAND_OUT: gettext_lazy("只有本中心工作人员可以办理证照交付。"),
}


def can(user: User, action: str, licence: ComprehensiveLicense) -> bool:
    if not user.is_authenticated:
        return False
    case = licence.case
    role = user.role
    is_applicant = role == Role.APPLICANT and case.applicant_id == user.pk
    centre_staff = (
        role in CENTRE_ROLES
        and user.service_center_id is not None
        and case.service_center_id == user.service_center_id
    )
    if action == VIEW:
        return is_applicant or centre_staff or role == Role.SUPERVISOR
    if action == CHANGE:
        return centre_staff and role == Role.ISSUER
    if action == END:
        return (centre_staff and role == Role.ISSUER) or role == Role.SUPERVISOR
    if action == CHOOSE_DELIVERY:
        return is_applicant
    if action == HAND_OUT:
        return centre_staff
    return False


def get_licence_for(user: User, licence_id: int, action: str = VIEW) -> ComprehensiveLicense:
    """The licence if this user may do `action` on it; 404 if he may not even see it, 403 otherwise."""
    licence = (
        ComprehensiveLicense.objects.select_related("case__bundle", "case__applicant", "issued_by")
        .filter(pk=licence_id)
        .first()
    )
    if licence is None or not can(user, VIEW, licence):
        raise CaseNotFound("licence_not_found", _("没有找到这张证照，请核对证照链接。"))
    if not can(user, action, licence):
        denied = DENIED.get(action)
        raise CaseForbidden("not_allowed", str(denied) if denied else _("您没有办理此项业务的权限。"))
    return licence


def delivery_for(licence: ComprehensiveLicense) -> Delivery | None:
    """The case's delivery, whichever version it was chosen on: a licence is handed out once."""
    return (
        Delivery.objects.select_related("licence", "handed_over_by")
        .filter(licence__case_id=licence.case_id)
        .first()
    )


issuer_required = role_required(Role.ISSUER)
supervisor_required = role_required(Role.SUPERVISOR)


def _licence(request: HttpRequest, licence_id: int, action: str = VIEW) -> ComprehensiveLicense:
    try:
        return get_licence_for(_user(request), licence_id, action)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseForbidden as exc:
        raise PermissionDenied(exc.message) from None


# ---------------------------------------------------------------- the issuer's queue


@require_GET
@issuer_required
def queue(request: HttpRequest) -> HttpResponse:
    """待发证: cases of the issuer's centre with every branch approved, oldest approval first."""
    issuer = _user(request)
    cases = issue_queue(issuer).annotate(permit_count=Count("permits"))
    page = Paginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licenses/issue_queue.html",
        {"page": page, "cases": page.object_list, "centre": issuer.service_center},
    )


HANDOVER_TABS = (
    ("pickup", gettext_lazy("待窗口领取")),
    ("post", gettext_lazy("待寄出")),
    ("unchosen", gettext_lazy("待选择领取方式")),
    ("shipped", gettext_lazy("已寄出")),
    ("done", gettext_lazy("已交付")),
    ("all", gettext_lazy("全部")),
)
assert tuple(code for code, _label in HANDOVER_TABS) == HANDOVER_STATES


@require_GET
@role_required(*CENTRE_ROLES)
def issued(request: HttpRequest) -> HttpResponse:
    """证照交付: the centre's issued licences by delivery state, to find one when its holder comes."""
    staff = _user(request)
    state = request.GET.get("state", "")
    if state not in HANDOVER_STATES:
        state = "pickup"
    # No number, name or code has a NUL character, and PostgreSQL refuses one even in a query.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]
    page = Paginator(issued_licences(staff, state=state, query=query), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    deliveries = {
        d.licence.case_id: d
        for d in Delivery.objects.select_related("licence").filter(
            licence__case_id__in=[licence.case_id for licence in page.object_list]
        )
    }
    rows = [(licence, deliveries.get(licence.case_id)) for licence in page.object_list]
    return render(
        request,
        "licenses/issued.html",
        {
            "page": page,
            "rows": rows,
            "tabs": HANDOVER_TABS,
            "state": state,
            "query": query,
            "centre": staff.service_center,
        },
    )


def _validity_rule() -> str:
    rule = settings.LICENCE_VALIDITY_RULE
    if rule == "earliest":
        return _("按所含许可中最早的到期日确定")
    years = int(rule.removeprefix("years:"))
    return ngettext("自发证之日起 %(years)s 年", "自发证之日起 %(years)s 年", years) % {"years": years}


def _issue_page(request: HttpRequest, case: Case, *, error: str = "", status: int = 200) -> HttpResponse:
    # The permits and validity licence_issue will give the licence: a permit revoked meanwhile is left off.
    permits = [
        p for p in case.permits.select_related("item", "department").order_by("id") if p.revoked_on is None
    ]
    valid_until = services.licence_validity(permits)
    return render(
        request,
        "licenses/issue_case.html",
        {
            "case": case,
            "holder_code": holder_code_display(case.holder_code),
            "permits": permits,
            "valid_from": timezone.localdate(),
            "valid_until": valid_until,
            "validity_rule": _validity_rule(),
            "issuable": case.status == CaseStatus.APPROVED,
            "licences": list(case.licences.order_by("-version")[:1]),
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@issuer_required
def issue_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The permits a case's licence will carry, its validity, and the button that issues it."""
    issuer = _user(request)
    try:
        case = get_case_for(issuer, case_id, CASE_VIEW)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    if request.method != "POST":
        return _issue_page(request, case)
    try:
        licence = services.licence_issue(case=case, issuer=issuer)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        case.refresh_from_db()
        return _issue_page(request, case, error=exc.message, status=exc.status)
    except CodedError as exc:  # the signing certificate is missing: an operator's fix
        return _issue_page(request, case, error=exc.message, status=503)
    except FontUnavailable as exc:
        return _issue_page(request, case, error=str(exc), status=503)
    messages.success(
        request,
        _("已签发%(name)s（%(number)s），并已通知申请人选择领取方式。")
        % {"name": licence.licence_name, "number": licence.number},
    )
    return redirect("licenses:detail", licence_id=licence.pk)


# ---------------------------------------------------------------- the licence page


@dataclass(frozen=True)
class Seal:
    """The signature check as the page shows it: a badge and a sentence."""

    code: str  # SignatureCheck.code, or missing (no file) / unavailable (no trust roots configured)
    label: str
    tone: str
    message: str
    check: SignatureCheck | None
    stored_hash_matches: bool

    @property
    def ok(self) -> bool:
        return self.check is not None and self.check.ok


SEAL_LABELS = {
    "ok": (gettext_lazy("签名有效"), "green"),
    "untrusted": (gettext_lazy("签章证书不受信任"), "amber"),
    "tampered": (gettext_lazy("文件已被篡改"), "red"),
    "modified": (gettext_lazy("签署后被修改"), "red"),
    "bad_signature": (gettext_lazy("签名无效"), "red"),
    "unsigned": (gettext_lazy("未签章"), "red"),
    "unreadable": (gettext_lazy("文件无法读取"), "red"),
}


def _read_pdf(licence: ComprehensiveLicense) -> bytes | None:
    if not licence.pdf:
        return None
    try:
        with licence.pdf.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        return None


def seal_for(licence: ComprehensiveLicense) -> Seal:
    """Check the stored file's seal now, and whether the file is the one stored at issue."""
    content = _read_pdf(licence)
    if content is None:
        message = _("找不到这张证照的签章文件，请联系系统管理员恢复。")
        return Seal("missing", _("签章文件缺失"), "red", message, None, False)
    matches = hashlib.sha256(content).hexdigest() == licence.pdf_sha256
    try:
        check = validate_pdf(content)
    except SigningUnavailable as exc:
        return Seal("unavailable", _("暂无法核验"), "grey", exc.message, None, matches)
    label, tone = SEAL_LABELS.get(check.code, SEAL_LABELS["bad_signature"])
    return Seal(check.code, str(label), tone, check.message, check, matches)


# GB/T 36903 holder code types.
HOLDER_CODE_TYPES = {"001": gettext_lazy("统一社会信用代码"), "111": gettext_lazy("居民身份证号码")}


@dataclass(frozen=True)
class ActionForm:
    name: str
    title: str
    form: Form
    url: str
    open: bool


LIFECYCLE = {
    "change": (gettext_lazy("变更（生成新版本）"), CHANGE, ChangeForm),
    "revoke": (pgettext_lazy("licence action", "吊销"), END, EndForm),
    "cancel": (pgettext_lazy("licence action", "注销"), END, EndForm),
}


def _lifecycle_forms(user: User, licence: ComprehensiveLicense, bound: dict[str, Form]) -> list[ActionForm]:
    if licence.status != LicenceStatus.VALID:
        return []
    forms = []
    for name, (title, action, form_class) in LIFECYCLE.items():
        if not can(user, action, licence):
            continue
        form = bound.get(name) or form_class(prefix=name)
        url = reverse(f"licenses:{name}", kwargs={"licence_id": licence.pk})
        forms.append(ActionForm(name, str(title), form, url, form.is_bound))
    return forms


def _identifier_parts(identifier: str) -> ElicenceIdentifier | None:
    try:
        return parse_identifier(identifier)
    except ElicenceIdentifierError:
        return None


def _delivery_forms(
    user: User,
    licence: ComprehensiveLicense,
    current: ComprehensiveLicense,
    delivery: Delivery | None,
    bound: dict[str, Form],
) -> dict[str, Any]:
    """The delivery panel's forms for this viewer, by the delivery's method and progress.

    A licence is handed out once per case, as its current version stands, from any version's page;
    a revoked or cancelled licence is not handed out at all (see services.delivery_hand_over).
    """
    waiting = delivery is None or delivery.status == Delivery.Status.WAITING
    deliverable = current.status == LicenceStatus.VALID
    # While it waits the applicant may still switch method.
    can_choose = (
        can(user, CHOOSE_DELIVERY, licence)
        and licence.case.status == CaseStatus.ISSUED
        and deliverable
        and waiting
    )
    forms: dict[str, Any] = {
        "delivery_form": bound.get("delivery"),
        "handover_form": bound.get("handover"),
        "ship_form": bound.get("ship"),
        "can_confirm": False,
        "delivery_stopped": delivery is not None
        and delivery.status != Delivery.Status.DONE
        and not deliverable,
    }
    if can_choose and forms["delivery_form"] is None:
        forms["delivery_form"] = DeliveryForm(prefix="delivery", initial=_delivery_initial(delivery))
    if delivery is None or not deliverable or not can(user, HAND_OUT, licence):
        return forms
    pickup = delivery.method == Delivery.Method.PICKUP
    # A void code hands nothing over: the page says so instead of offering the form.
    if pickup and waiting and not delivery.pickup_code_void and forms["handover_form"] is None:
        forms["handover_form"] = HandOverForm(prefix="handover")
    if not pickup and waiting and forms["ship_form"] is None:
        forms["ship_form"] = ShipForm(prefix="ship")
    forms["can_confirm"] = not pickup and delivery.status == Delivery.Status.SHIPPED
    return forms


def _licence_page(
    request: HttpRequest,
    licence: ComprehensiveLicense,
    *,
    bound: dict[str, Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    bound = bound or {}
    is_staff = user.role != Role.APPLICANT
    delivery = delivery_for(licence)
    pushes = list(licence.pushes.order_by("created_at", "id"))
    versions = list(
        ComprehensiveLicense.objects.filter(case_id=licence.case_id, number=licence.number).order_by(
            "-version"
        )
    )
    permits = list(licence.permits.select_related("item", "department").order_by("id"))
    return render(
        request,
        "licenses/detail.html",
        {
            "licence": licence,
            "case": licence.case,
            "is_staff": is_staff,
            "is_applicant": can(user, CHOOSE_DELIVERY, licence),
            # A person's ID number is masked for staff; the holder himself sees his own code.
            "holder_code": holder_code_display(licence.holder_code) if is_staff else licence.holder_code,
            "holder_code_type": HOLDER_CODE_TYPES[services.holder_code_type(licence.holder_code)],
            "identifier_parts": _identifier_parts(licence.identifier),
            "permits": permits,
            "revoked_permits": [p for p in permits if p.revoked_on],
            "seal": seal_for(licence),
            "versions": versions,
            "newer": next((v for v in versions if v.supersedes_id == licence.pk), None),
            "pushes": pushes,
            "pushes_pending": any(push.status == LibraryPush.Status.PENDING for push in pushes),
            "expired": licence.status == LicenceStatus.VALID
            and licence.valid_until is not None
            and licence.valid_until < timezone.localdate(),
            "delivery": delivery,
            "delivery_elsewhere": delivery is not None and delivery.licence_id != licence.pk,
            **_delivery_forms(user, licence, versions[0], delivery, bound),
            "forms": _lifecycle_forms(user, licence, bound),
            "error": error,
        },
        status=status,
    )


def _delivery_initial(delivery: Delivery | None) -> dict[str, str]:
    if delivery is None:
        return {}
    return {
        "method": delivery.method,
        "recipient": delivery.recipient,
        "phone": delivery.phone,
        "address": delivery.address,
    }


@require_GET
@signed_in_required
def detail(request: HttpRequest, licence_id: int) -> HttpResponse:
    return _licence_page(request, _licence(request, licence_id))


@require_GET
@signed_in_required
def pdf(request: HttpRequest, licence_id: int) -> FileResponse:
    """The signed file exactly as stored at issue, shown in the browser."""
    licence = _licence(request, licence_id)
    if not licence.pdf:
        raise Http404(_("这张证照的签章文件尚未生成，请联系发证机关。"))
    try:
        handle = licence.pdf.open("rb")
    except OSError:
        raise Http404(_("找不到这张证照的签章文件，请联系发证机关。")) from None
    filename = _("%(name)s-%(number)s-第%(version)s版.pdf") % {
        "name": licence.licence_name,
        "number": licence.number,
        "version": licence.version,
    }
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- lifecycle and delivery actions

# What an action returns: the licence page to go to, and the message to show there.
Outcome = tuple[ComprehensiveLicense, str]


def _act(
    request: HttpRequest,
    licence_id: int,
    *,
    action: str,
    name: str,
    form: ServiceForm,
    perform: Callable[[ComprehensiveLicense, User, dict[str, Any]], Outcome],
) -> HttpResponse:
    """Run one service call from a posted form; show its errors beside the fields, or redirect."""
    user = _user(request)
    licence = _licence(request, licence_id, action)
    status = 422
    if form.is_valid():
        try:
            result, message = perform(licence, user, form.cleaned_data)
        except CaseNotFound as exc:
            raise Http404(exc.message) from None
        except CaseConflict as exc:
            # Show what the licence is now, with fresh forms.
            return _licence_page(request, _licence(request, licence_id), error=exc.message, status=409)
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        except CodedError as exc:  # signing unavailable while rendering a new version
            return _licence_page(request, licence, error=exc.message, status=503)
        except FontUnavailable as exc:
            return _licence_page(request, licence, error=str(exc), status=503)
        else:
            messages.success(request, message)
            return redirect("licenses:detail", licence_id=result.pk)
    return _licence_page(request, licence, bound={name: form}, status=status)


def _change(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
    new = services.licence_change(
        licence_id=licence.pk,
        actor=user,
        legal_representative=data["legal_representative"],
        address=data["address"],
        holder_name=data["holder_name"],
        note=data["note"],
    )
    return new, _("已生成第 %(version)s 版证照，旧版本已标记为已变更。") % {"version": new.version}


ENDED: dict[str, Promise] = {
    LicenceStatus.REVOKED: gettext_lazy("证照已吊销，公开核验页面即时显示。"),
    LicenceStatus.CANCELLED: gettext_lazy("证照已注销，公开核验页面即时显示。"),
}


def _ender(status: str) -> Callable[..., Outcome]:
    def perform(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
        ended = services.licence_end(licence_id=licence.pk, actor=user, status=status, reason=data["reason"])
        return ended, str(ENDED[status])

    return perform


@require_POST
@signed_in_required
def change(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = ChangeForm(request.POST, prefix="change")
    return _act(request, licence_id, action=CHANGE, name="change", form=form, perform=_change)


@require_POST
@signed_in_required
def revoke(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = EndForm(request.POST, prefix="revoke")
    perform = _ender(LicenceStatus.REVOKED)
    return _act(request, licence_id, action=END, name="revoke", form=form, perform=perform)


@require_POST
@signed_in_required
def cancel(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = EndForm(request.POST, prefix="cancel")
    perform = _ender(LicenceStatus.CANCELLED)
    return _act(request, licence_id, action=END, name="cancel", form=form, perform=perform)


def _choose(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
    delivery = services.delivery_choose(
        licence=licence,
        user=user,
        method=data["method"],
        recipient=data["recipient"],
        phone=data["phone"],
        address=data["address"],
    )
    if delivery.method == Delivery.Method.PICKUP:
        message = _("已选择窗口领取。取件码 %(code)s，领取时请向窗口出示。") % {"code": delivery.pickup_code}
        return licence, message
    return licence, _("已选择邮寄送达，证照寄出后会短信通知您运单号。")


def _hand_over(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
    services.delivery_hand_over(licence=licence, staff=user, pickup_code=data["pickup_code"])
    return licence, _("取件码正确，证照已交付申请人，办件已办结。")


def _ship(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
    services.delivery_ship(
        licence=licence, staff=user, carrier=data["carrier"], tracking_number=data["tracking_number"]
    )
    return licence, _("已登记寄出，并已短信通知申请人运单号。")


def _confirm(licence: ComprehensiveLicense, user: User, data: dict[str, Any]) -> Outcome:
    services.delivery_confirm(licence=licence, actor=user)
    return licence, _("已确认送达，办件已办结。")


@require_POST
@signed_in_required
def delivery(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = DeliveryForm(request.POST, prefix="delivery")
    return _act(request, licence_id, action=CHOOSE_DELIVERY, name="delivery", form=form, perform=_choose)


@require_POST
@signed_in_required
def handover(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = HandOverForm(request.POST, prefix="handover")
    return _act(request, licence_id, action=HAND_OUT, name="handover", form=form, perform=_hand_over)


@require_POST
@signed_in_required
def ship(request: HttpRequest, licence_id: int) -> HttpResponse:
    form = ShipForm(request.POST, prefix="ship")
    return _act(request, licence_id, action=HAND_OUT, name="ship", form=form, perform=_ship)


@require_POST
@signed_in_required
def delivered(request: HttpRequest, licence_id: int) -> HttpResponse:
    return _act(
        request,
        licence_id,
        action=HAND_OUT,
        name="delivered",
        form=ServiceForm(request.POST),
        perform=_confirm,
    )


# ---------------------------------------------------------------- time saved


@dataclass(frozen=True)
class RenewalRow:
    licence: ComprehensiveLicense
    days_left: int


@require_GET
@supervisor_required
def time_saved(request: HttpRequest) -> HttpResponse:
    """Per bundle: closed cases, working days taken against the serial statutory sum; renewals due."""
    rows = time_saved_by_bundle()
    totals = {
        "cases": sum(r["cases"] for r in rows),
        "elapsed": sum(r["elapsed"] or 0 for r in rows),
        "serial": sum(r["serial"] or 0 for r in rows),
        "saved": sum(r["saved"] for r in rows),
    }
    today = timezone.localdate()
    due = renewals_due(RENEWAL_WINDOW_DAYS, today=today).select_related("case")
    renewals = [RenewalRow(licence, _days_between(today, licence.valid_until)) for licence in due]
    return render(
        request,
        "licenses/time_saved.html",
        {"rows": rows, "totals": totals, "renewals": renewals, "window": RENEWAL_WINDOW_DAYS},
    )


def _days_between(today: date, until: date | None) -> int:
    return (until - today).days if until else 0


# ---------------------------------------------------------------- public verification


def _limited(request: HttpRequest) -> HttpResponse | None:
    if rate_limited(request, scope="verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE):
        response = render(request, "licenses/verify.html", {"limited": True}, status=429)
        response["Retry-After"] = "60"
        return response
    return None


def _answer_html(query: str) -> str | None:
    """The answer's HTML, or None when nothing matches; kept until a licence changes.

    Rendered without the request (see _verify_result.html), once per language: the rest of the page
    (header, CSRF token) is the visitor's own and is rendered on every request.
    """

    def render_answer(today: date) -> str | None:
        result = licence_verify(query, today=today)
        return render_to_string("licenses/_verify_result.html", {"result": result}) if result else None

    return verification_cached(f"page:{translation.get_language()}", query, render_answer)


def verify(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:120]
    if query:
        limited = _limited(request)
        if limited:
            return limited
    result_html = _answer_html(query) if query else None
    status = 404 if query and result_html is None else 200
    return render(
        request, "licenses/verify.html", {"query": query, "result_html": result_html}, status=status
    )


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    limited = _limited(request)
    if limited:
        return limited
    result_html = _answer_html(token[:64])
    return render(
        request,
        "licenses/verify.html",
        {"query": "", "result_html": result_html},
        status=200 if result_html else 404,
    )

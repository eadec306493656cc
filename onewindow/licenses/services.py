"""Writes to licences: permits from approvals, issue, change, revoke, cancel, library pushes, delivery."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.accounts.models import CENTRE_ROLES, Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.cases.errors import CaseConflict, CaseError, CaseInvalid, CaseNotFound
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import event_append
from onewindow.catalog.models import Department
from onewindow.integrations.elicense.adapter import LibraryUnavailable, get_library
from onewindow.lib.counters import counter_next
from onewindow.lib.elicence_id import build_identifier, random_serial
from onewindow.lib.idcheck import IdentifierError, is_valid_uscc, normalize_mobile
from onewindow.lib.workdays import UnpublishedYearError, WorkdayCalendar
from onewindow.licenses.models import (
    PICKUP_CODE_MAX_FAILURES,
    ComprehensiveLicense,
    Delivery,
    LibraryPush,
    LicenceCounter,
    LicenceStatus,
    Permit,
    PermitCounter,
)
from onewindow.notifications.services import notify_case_applicant

PUSH_BACKOFF_SECONDS = (10, 30, 60, 300, 900, 3600)

# A landline with its area code (0728-5221360, 010 12345678): 0, two or three more digits, then
# seven or eight, once spaces, hyphens and brackets are taken out.
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}")
_LANDLINE_SEPARATORS = re.compile(r"[\s\-()]")
# The shortest address a courier can find: a street and a number (钟惺大道88号) at least.
ADDRESS_MIN_LENGTH = 5


# ---------------------------------------------------------------- permits


# How many generated numbers may turn out taken (typed by hand) before a rule is called broken.
PERMIT_NUMBER_ATTEMPTS = 1000


def permit_number_next(department: Department, year: int) -> str:
    """The department's next permit number by its numbering rule. Call inside a transaction."""
    seq = counter_next(PermitCounter, department_id=department.pk, year=year)
    return department.permit_number_format.format(
        short=department.short_name, code=department.code, year=year, seq=seq
    )


def permit_create(*, branch: Branch) -> Permit:
    """The permit an approved branch yields. Call inside the approving transaction."""
    assert branch.status == BranchStatus.APPROVED and branch.valid_from is not None
    try:
        # A savepoint: on PostgreSQL a failed insert would otherwise spoil the whole transaction.
        with transaction.atomic():
            return Permit.objects.create(
                branch=branch,
                case=branch.case,
                item=branch.item,
                department=branch.department,
                number=branch.permit_number,
                valid_from=branch.valid_from,
                valid_until=branch.valid_until,
            )
    except IntegrityError:
        # Another approval, not yet committed when permit_number_for looked, took the same number.
        message = gettext(
            "许可证号“%(number)s”刚刚已被另一份许可使用，请核对后重新提交，或留空由系统按编号规则生成。"
        ) % {"number": branch.permit_number}
        raise CaseInvalid("permit_number_taken", message, fields={"permit_number": message}) from None


# ---------------------------------------------------------------- issue


def licence_validity(permits: list[Permit]) -> date | None:
    """Earliest expiry among the permits (settings.LICENCE_VALIDITY_RULE = "earliest"), or fixed years.

    "years:N" ends on the day before the N-th anniversary of the issue, the usual end of a validity
    period and the one permits are given (a licence issued on 29 February ends on 28 February).
    """
    if settings.LICENCE_VALIDITY_RULE == "earliest":
        expiries = [p.valid_until for p in permits if p.valid_until]
        return min(expiries) if expiries else None
    # Imported here: approvals.services imports this module.
    from onewindow.approvals.services import validity_end

    years = int(settings.LICENCE_VALIDITY_RULE.removeprefix("years:"))
    return validity_end(timezone.localdate(), years)


def _licence_number(case: Case, issued_on: date) -> str:
    """The next number of the year for the bundle's prefix: HOT202600001. Call inside a transaction.

    Counted per year rather than taken from the case number, whose date may be of an earlier year.
    Numbers given before (the issue year and the case number's last nine digits) stay as printed;
    they are longer than these, and a number already given is passed over all the same.
    """
    prefix = case.bundle.code[:3].upper()
    while True:
        seq = counter_next(LicenceCounter, prefix=prefix, year=issued_on.year)
        number = f"{prefix}{issued_on:%Y}{seq:05d}"
        if not ComprehensiveLicense.objects.filter(number=number).exists():
            return number


def _render(licence: ComprehensiveLicense, permits: list[Permit]) -> bytes:
    from onewindow.licenses.licence_pdf import LicenceData, PermitLine, render_licence_pdf
    from onewindow.licenses.signing import sign_pdf

    data = LicenceData(
        licence_name=licence.licence_name,
        licence_number=licence.number,
        identifier=licence.identifier,
        holder_name=licence.holder_name,
        uscc=licence.holder_code,
        legal_representative=licence.legal_representative,
        address=licence.address,
        industry=licence.industry,
        permits=tuple(
            PermitLine(
                item_name=p.item.name,
                department=p.department.name,
                permit_number=p.number,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
            )
            for p in permits
        ),
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issuer=licence.issuer,
        issue_date=licence.issued_on,
        verification_url=verification_url(licence.verify_token),
        version=licence.version,
    )
    return sign_pdf(render_licence_pdf(data))


def verification_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("licenses:verify_token", args=[token])


def _identifier(version: int, serial: str) -> str:
    return build_identifier(
        type_code=settings.LICENCE_TYPE_CODE,
        issuer_code=settings.LICENCE_ISSUER_CODE,
        serial=serial,
        version=version,
    )


def _store_pdf(licence: ComprehensiveLicense, content: bytes) -> None:
    licence.pdf.save(f"{licence.number}-v{licence.version}.pdf", ContentFile(content), save=False)
    licence.pdf_sha256 = hashlib.sha256(content).hexdigest()
    licence.save(update_fields=["pdf", "pdf_sha256"])


def permits_in_force(permits: list[Permit], *, none_left: str) -> list[Permit]:
    """The permits a licence carries: those their department has not revoked (事后核查). With none
    left there is nothing to carry, and `none_left` says what to do instead."""
    kept = [p for p in permits if p.revoked_on is None]
    if not kept:
        raise CaseConflict("all_permits_revoked", none_left)
    return kept


def licence_issue(*, case: Case, issuer: User) -> ComprehensiveLicense:
    """一证准营: one signed licence with every permit; pushed to the library after commit."""
    if issuer.role != Role.ISSUER:
        raise CaseError("not_an_issuer", gettext("只有综合审批机构人员可以发证。"))
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("bundle", "enterprise")
            .get(pk=case.pk)
        )
        if locked.service_center_id != issuer.service_center_id:
            raise CaseNotFound("case_not_found", gettext("没有找到这个办件，请确认办件编号。"))
        if locked.status != CaseStatus.APPROVED:
            raise CaseConflict(
                "not_ready",
                gettext("办件当前状态为“%(status)s”，只有全部准予许可的办件才能发证。")
                % {"status": locked.get_status_display()},
            )
        permits = permits_in_force(
            list(locked.permits.select_related("item", "department").order_by("id")),
            none_left=gettext("本办件的许可均已被审批部门撤销，不能发证。"),
        )
        enterprise = locked.enterprise
        issued_on = timezone.localdate()
        licence = ComprehensiveLicense(
            case=locked,
            licence_name=locked.bundle.licence_name,
            number=_licence_number(locked, issued_on),
            identifier=_identifier(1, random_serial()),
            version=1,
            verify_token=secrets.token_urlsafe(16),
            holder_name=locked.holder_name,
            holder_code=locked.holder_code,
            legal_representative=enterprise.legal_representative if enterprise else locked.holder_name,
            address=locked.form_data.get("business_address") or (enterprise.address if enterprise else ""),
            industry=locked.bundle.industry,
            valid_from=issued_on,
            valid_until=licence_validity(permits),
            issuer=settings.LICENCE_ISSUER_NAME,
            issued_on=issued_on,
            issued_by=issuer,
        )
        try:
            # A savepoint: on PostgreSQL a failed insert would otherwise spoil the whole transaction.
            with transaction.atomic():
                licence.save()
        except IntegrityError:
            raise CaseConflict(
                "licence_number_taken",
                gettext(
                    "证照编号或电子证照标识刚刚已被另一张证照使用，本次没有发证，什么都没有改变。"
                    "请重新点击“签发”，系统会给出新的编号。"
                ),
            ) from None
        licence.permits.set(permits)
        _store_pdf(licence, _render(licence, permits))
        locked.status = CaseStatus.ISSUED
        locked.save(update_fields=["status", "updated_at"])
        event_append(
            case=locked,
            actor=issuer,
            action="licence_issued",
            before=CaseStatus.APPROVED,
            after=CaseStatus.ISSUED,
            data={"licence": licence.number, "identifier": licence.identifier, "sha256": licence.pdf_sha256},
        )
        _push_enqueue(licence, LibraryPush.Operation.ISSUE)
        notify_case_applicant(
            locked,
            "综合许可证已签发",
            f"您的{licence.licence_name}（{licence.number}）已签发，请选择领取方式。",
        )
    return licence


def holder_code_type(code: str) -> str:
    """GB/T 36903 holder code type: 001 统一社会信用代码, 111 居民身份证号码."""
    return "001" if is_valid_uscc(code) else "111"


def _library_payload(licence: ComprehensiveLicense, status: str) -> dict[str, Any]:
    return {
        "identifier": licence.identifier,
        "licence_type": licence.licence_name,
        "licence_number": licence.number,
        "holder_name": licence.holder_name,
        "holder_code": licence.holder_code,
        "holder_code_type": holder_code_type(licence.holder_code),
        "issuer": licence.issuer,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "version": licence.version,
        "status": status,
        "permits": [
            {
                "item": p.item.name,
                "number": p.number,
                "valid_until": p.valid_until.isoformat() if p.valid_until else None,
            }
            for p in licence.permits.select_related("item")
        ],
    }


LIBRARY_STATUS: dict[str, str] = {
    LibraryPush.Operation.ISSUE: "01",
    LibraryPush.Operation.CHANGE: "01",
    LibraryPush.Operation.REVOKE: "03",
    LibraryPush.Operation.CANCEL: "04",
    # GB/T 36903 05 失效: the version a change replaced is no longer a licence one may rely on.
    LibraryPush.Operation.SUPERSEDE: "05",
}


def _push_enqueue(licence: ComprehensiveLicense, operation: str, **extra: Any) -> LibraryPush:
    """Queue a push of this version; `extra` goes into the payload beside the licence's metadata."""
    from onewindow.licenses.tasks import push_to_library

    push = LibraryPush.objects.create(
        licence=licence,
        operation=operation,
        key=f"{licence.identifier}:{operation}",
        payload={**_library_payload(licence, LIBRARY_STATUS[operation]), **extra},
    )
    push_id = push.pk
    transaction.on_commit(lambda: push_to_library.enqueue(push_id))
    return push


def push_attempt(*, push_id: int) -> bool:
    """Try one pending push; on failure keep it with a later retry time. True when delivered."""
    push = LibraryPush.objects.filter(pk=push_id, status=LibraryPush.Status.PENDING).first()
    if push is None:
        return True
    try:
        get_library().push(key=push.key, operation=push.operation, licence=push.payload)
    except LibraryUnavailable as exc:
        delay = PUSH_BACKOFF_SECONDS[min(push.attempts, len(PUSH_BACKOFF_SECONDS) - 1)]
        LibraryPush.objects.filter(pk=push.pk).update(
            attempts=F("attempts") + 1,
            last_error=str(exc)[:300],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return False
    LibraryPush.objects.filter(pk=push.pk).update(
        status=LibraryPush.Status.DONE, attempts=F("attempts") + 1, done_at=timezone.now(), last_error=""
    )
    return True


def pushes_retry(*, now: Any = None, limit: int = 100) -> tuple[int, int]:
    """Retry pending pushes that are due, oldest first, in order; stop at the first failure."""
    now = now or timezone.now()
    delivered = failed = 0
    due = LibraryPush.objects.filter(status=LibraryPush.Status.PENDING).order_by("created_at", "id")[:limit]
    for push in due:
        if push.next_attempt_at and push.next_attempt_at > now:
            continue
        if push_attempt(push_id=push.pk):
            delivered += 1
        else:
            failed += 1
            break  # the library is down: keep the order, try again later
    return delivered, failed


# ---------------------------------------------------------------- lifecycle


def licence_change(
    *,
    licence_id: int,
    actor: User,
    legal_representative: str = "",
    address: str = "",
    holder_name: str = "",
    note: str,
) -> ComprehensiveLicense:
    """变更: a new version of the licence; the old one is marked superseded at once, here and in the
    library (after the new version, so the library never lacks a valid one)."""
    if actor.role != Role.ISSUER:
        raise CaseError("not_an_issuer", gettext("只有综合审批机构人员可以办理变更。"))
    if not note.strip():
        raise CaseInvalid(
            "note_required", gettext("请写明变更事项和依据。"), fields={"note": gettext("请填写变更说明。")}
        )
    with transaction.atomic():
        old = _lock_licence(licence_id)
        if old.status != LicenceStatus.VALID:
            raise CaseConflict(
                "licence_not_valid",
                gettext("该证照当前为“%(status)s”，不能变更。") % {"status": old.get_status_display()},
            )
        changes = {
            "legal_representative": legal_representative.strip() or old.legal_representative,
            "address": address.strip() or old.address,
            "holder_name": holder_name.strip() or old.holder_name,
        }
        permits = list(old.permits.select_related("item", "department"))
        # A permit its department revoked (事后核查) is left off the new version.
        kept = permits_in_force(
            permits, none_left=gettext("本证所含许可均已被审批部门撤销，不能变更：请吊销或注销本证。")
        )
        if all(getattr(old, k) == v for k, v in changes.items()) and len(kept) == len(permits):
            raise CaseInvalid("nothing_changed", gettext("没有填写任何变更内容。"))
        dropped = [p.number for p in permits if p.revoked_on is not None]
        permits = kept
        serial = old.identifier.split(".")[-3]
        new = ComprehensiveLicense.objects.create(
            case=old.case,
            licence_name=old.licence_name,
            number=old.number,
            identifier=_identifier(old.version + 1, serial),
            version=old.version + 1,
            verify_token=secrets.token_urlsafe(16),
            holder_code=old.holder_code,
            industry=old.industry,
            valid_from=timezone.localdate(),
            valid_until=old.valid_until,
            issuer=old.issuer,
            issued_on=timezone.localdate(),
            issued_by=actor,
            supersedes=old,
            change_note=note.strip(),
            **changes,
        )
        new.permits.set(permits)
        old.status = LicenceStatus.SUPERSEDED
        old.ended_at = timezone.now()
        old.save(update_fields=["status", "ended_at"])
        _store_pdf(new, _render(new, permits))
        event_append(
            case=old.case,
            actor=actor,
            action="licence_changed",
            comment=note,
            data={
                "licence": new.number,
                "version": new.version,
                "changes": changes,
                "permits_dropped": dropped,
            },
        )
        _push_enqueue(new, LibraryPush.Operation.CHANGE)
        _push_enqueue(old, LibraryPush.Operation.SUPERSEDE, superseded_by=new.identifier)
    return new


def _lock_licence(licence_id: int) -> ComprehensiveLicense:
    try:
        return (
            ComprehensiveLicense.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=licence_id)
        )
    except ComprehensiveLicense.DoesNotExist:
        raise CaseNotFound("licence_not_found", gettext("没有找到这张证照。")) from None


def licence_end(*, licence_id: int, actor: User, status: str, reason: str) -> ComprehensiveLicense:
    """吊销 (revoke) or 注销 (cancel), with a reason; verification shows it at once."""
    if actor.role not in (Role.ISSUER, Role.SUPERVISOR):
        raise CaseError("not_allowed", gettext("只有综合审批机构或督查人员可以吊销或注销证照。"))
    if status not in (LicenceStatus.REVOKED, LicenceStatus.CANCELLED):
        raise CaseInvalid("bad_status", gettext("只能吊销或注销。"))
    if not reason.strip():
        raise CaseInvalid(
            "reason_required", gettext("请写明原因和依据。"), fields={"reason": gettext("请填写原因。")}
        )
    with transaction.atomic():
        licence = _lock_licence(licence_id)
        if licence.status != LicenceStatus.VALID:
            raise CaseConflict(
                "licence_not_valid",
                gettext("该证照当前为“%(status)s”。") % {"status": licence.get_status_display()},
            )
        licence.status = status
        licence.ended_at = timezone.now()
        licence.end_reason = reason.strip()
        licence.save(update_fields=["status", "ended_at", "end_reason"])
        event_append(
            case=licence.case,
            actor=actor,
            action=f"licence_{status}",
            comment=reason,
            data={"licence": licence.number, "version": licence.version},
        )
        operation = (
            LibraryPush.Operation.REVOKE if status == LicenceStatus.REVOKED else LibraryPush.Operation.CANCEL
        )
        _push_enqueue(licence, operation)
    return licence


# ---------------------------------------------------------------- delivery


def _delivery_phone(value: str) -> str | None:
    """A mainland mobile as its 11 digits, a landline with area code as typed, or None for neither."""
    try:
        return normalize_mobile(value)
    except IdentifierError:
        pass
    if _LANDLINE.fullmatch(_LANDLINE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))):
        return value.strip()
    return None


def _delivery_contact_check(method: str, phone: str, address: str) -> str:
    """The phone as stored; refused unless a courier can call it and, for post, find the address."""
    problems: dict[str, tuple[str, str]] = {}
    checked = _delivery_phone(phone) if phone.strip() else ""
    if checked is None:
        message = gettext("收件电话应为11位手机号码，或带区号的固定电话（如 0728-5221360），请核对。")
        problems["phone"] = ("phone_invalid", message)
    if method == Delivery.Method.POST and len(address.strip()) < ADDRESS_MIN_LENGTH:
        message = gettext("收件地址过短，请填写到街道和门牌号，以便快递送达。")
        problems["address"] = ("address_too_short", message)
    if problems:
        code, message = next(iter(problems.values()))
        if len(problems) > 1:
            message = gettext("收件电话和收件地址不正确，请核对后重新填写。")
        raise CaseInvalid(code, message, fields={field: text for field, (_code, text) in problems.items()})
    assert checked is not None  # a phone that is neither is among the problems
    return checked


def delivery_choose(
    *,
    licence: ComprehensiveLicense,
    user: User,
    method: str,
    recipient: str = "",
    phone: str = "",
    address: str = "",
) -> Delivery:
    """The applicant chooses pickup or post, or changes his choice while nothing has been handed out.

    Any version of the case's licence may be given: a licence is handed out once, as it now stands.
    The delivery chosen on an earlier version stays there and changes there; a first choice is
    recorded on the current version.
    """
    if user.pk != licence.case.applicant_id:
        raise CaseNotFound("licence_not_found", gettext("没有找到这张证照。"))
    with transaction.atomic():
        current = _lock_current_version(licence.case_id)
        if current.status != LicenceStatus.VALID or current.case.status != CaseStatus.ISSUED:
            raise CaseConflict("not_deliverable", gettext("只有已签发且有效的最新版证照可以选择送达方式。"))
        if method not in Delivery.Method.values:
            raise CaseInvalid("delivery_method", gettext("请选择窗口领取或邮寄送达。"))
        missing = {}
        if method == Delivery.Method.POST:
            if not recipient.strip():
                missing["recipient"] = gettext("请填写收件人。")
            if not phone.strip():
                missing["phone"] = gettext("请填写收件电话。")
            if not address.strip():
                missing["address"] = gettext("请填写收件地址。")
        try:
            phone = _delivery_contact_check(method, phone, address)
        except CaseInvalid as exc:
            if not missing:
                raise
            # Every mistake at once: what is missing, and what was typed wrongly beside it.
            missing = {**exc.fields, **missing}
        if missing:
            raise CaseInvalid(
                "delivery_incomplete", gettext("邮寄送达需要收件人、电话和地址。"), fields=missing
            )
        delivery = _lock_delivery(licence)
        if delivery is None:
            delivery = Delivery(licence=current)
        elif delivery.status != Delivery.Status.WAITING:
            raise CaseConflict("delivery_started", gettext("证照已寄出或已领取，不能再更改送达方式。"))
        delivery.method = method
        delivery.recipient, delivery.phone, delivery.address = (
            recipient.strip(),
            phone.strip(),
            address.strip(),
        )
        delivery.pickup_code = f"{secrets.randbelow(10**6):06d}" if method == Delivery.Method.PICKUP else ""
        delivery.pickup_code_failures = 0
        delivery.save()
        event_append(case=current.case, actor=user, action="delivery_chosen", data={"method": method})
    return delivery


def _lock_current_version(case_id: int) -> ComprehensiveLicense:
    """The case's newest licence version, locked with its case read: a change, a revocation or a
    cancellation waits for a delivery step in progress, and a delivery step for them."""
    versions = (
        ComprehensiveLicense.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(case_id=case_id)
        .order_by("-version")
    )
    current = versions.first()
    if current is not None and current.status == LicenceStatus.SUPERSEDED:
        # A change committed while this waited for the row: read again to find the version it made.
        current = versions.first()
    assert current is not None  # a licence of this case is at hand
    return current


def _lock_delivery(licence: ComprehensiveLicense) -> Delivery | None:
    """The case's delivery, whichever version it was chosen on, locked."""
    return Delivery.objects.select_for_update(of=("self",)).filter(licence__case_id=licence.case_id).first()


def _require_deliverable(current: ComprehensiveLicense) -> None:
    """A revoked or cancelled licence is not handed out: the window keeps it and the case stays open."""
    if current.status != LicenceStatus.VALID:
        raise CaseConflict(
            "licence_not_valid",
            gettext(
                "该证照当前为“%(status)s”，已停止交付，不能再窗口领取、登记寄出或确认送达。"
                "如有疑问请联系发证机关。"
            )
            % {"status": current.get_status_display()},
        )


def _pickup_code_void_error() -> CaseConflict:
    return CaseConflict(
        "pickup_code_void",
        gettext(
            "取件码已连续输错 %(limit)d 次，已作废，不能再用于领取。"
            "请申请人登录后在证照页面的“证照领取”中重新选择“窗口领取”，获得新的取件码后再出示。"
        )
        % {"limit": PICKUP_CODE_MAX_FAILURES},
        fields={"pickup_code": gettext("取件码已作废，请申请人重新选择窗口领取获取新码。")},
    )


def delivery_hand_over(*, licence: ComprehensiveLicense, staff: User, pickup_code: str) -> Delivery:
    """Window pickup: the code the applicant shows closes the case. Any version of the case's licence
    may be given; the case's current version must be valid.

    Each wrong code is counted, and kept although the request is refused; after
    PICKUP_CODE_MAX_FAILURES the code is void until the applicant chooses window pickup again.
    """
    wrong_code: CaseError | None = None
    with transaction.atomic():
        _require_centre_staff(licence, staff)
        current = _lock_current_version(licence.case_id)
        delivery = _lock_delivery(licence)
        if delivery is None or delivery.method != Delivery.Method.PICKUP:
            raise CaseConflict("no_pickup", gettext("该证照未选择窗口领取。"))
        if delivery.status != Delivery.Status.WAITING:
            raise CaseConflict("already_delivered", gettext("该证照已经领取。"))
        _require_deliverable(current)
        if delivery.pickup_code_void:
            raise _pickup_code_void_error()
        # Full-width digits from a Chinese input method are the same code; compared as bytes, since
        # compare_digest refuses str with other characters and any text may be typed.
        typed = unicodedata.normalize("NFKC", pickup_code).strip()
        if not secrets.compare_digest(delivery.pickup_code.encode(), typed.encode()):
            # Raised after the block commits: a rolled-back count would allow endless guesses.
            delivery.pickup_code_failures += 1
            delivery.save(update_fields=["pickup_code_failures"])
            left = PICKUP_CODE_MAX_FAILURES - delivery.pickup_code_failures
            if left == 0:
                event_append(
                    case=licence.case,
                    actor=staff,
                    action="pickup_code_voided",
                    data={"failures": delivery.pickup_code_failures},
                )
            wrong_code = (
                _pickup_code_void_error()
                if left <= 0
                else CaseInvalid(
                    "pickup_code",
                    gettext(
                        "取件码不正确，请核对申请人短信中的 6 位取件码。再输错 %(left)d 次，该取件码将作废。"
                    )
                    % {"left": left},
                    fields={
                        "pickup_code": gettext("取件码不正确。再输错 %(left)d 次，该取件码将作废。")
                        % {"left": left}
                    },
                )
            )
        else:
            delivery.status = Delivery.Status.DONE
            delivery.handed_over_at = timezone.now()
            delivery.handed_over_by = staff
            delivery.save()
            event_append(case=licence.case, actor=staff, action="handed_over")
            _close(licence.case, staff)
    if wrong_code is not None:
        raise wrong_code
    return delivery


def delivery_ship(
    *, licence: ComprehensiveLicense, staff: User, carrier: str, tracking_number: str
) -> Delivery:
    """Posting recorded with its tracking number; any version of the case's licence may be given."""
    if not carrier.strip() or not tracking_number.strip():
        raise CaseInvalid("tracking_required", gettext("请填写快递公司和运单号。"))
    with transaction.atomic():
        _require_centre_staff(licence, staff)
        current = _lock_current_version(licence.case_id)
        delivery = _lock_delivery(licence)
        if (
            delivery is None
            or delivery.method != Delivery.Method.POST
            or delivery.status != Delivery.Status.WAITING
        ):
            raise CaseConflict("not_waiting", gettext("该证照不是待寄出状态。"))
        _require_deliverable(current)
        delivery.carrier, delivery.tracking_number = carrier.strip(), tracking_number.strip()
        delivery.status = Delivery.Status.SHIPPED
        delivery.handed_over_by = staff
        delivery.save()
        event_append(
            case=licence.case,
            actor=staff,
            action="shipped",
            data={"carrier": carrier, "tracking": tracking_number},
        )
        notify_case_applicant(
            licence.case, "证照已寄出", f"您的证照已由{carrier}寄出，运单号 {tracking_number}。"
        )
    return delivery


def delivery_confirm(*, licence: ComprehensiveLicense, actor: User | None) -> Delivery:
    """The carrier reports delivery (or staff record it): the case closes. Any version of the case's
    licence may be given; the case's current version must be valid."""
    with transaction.atomic():
        current = _lock_current_version(licence.case_id)
        delivery = _lock_delivery(licence)
        if (
            delivery is None
            or delivery.method != Delivery.Method.POST
            or delivery.status != Delivery.Status.SHIPPED
        ):
            raise CaseConflict("not_shipped", gettext("该证照尚未寄出。"))
        _require_deliverable(current)
        delivery.status = Delivery.Status.DONE
        delivery.handed_over_at = timezone.now()
        delivery.save()
        event_append(case=licence.case, actor=actor, action="delivered")
        _close(licence.case, actor)
    return delivery


def _require_centre_staff(licence: ComprehensiveLicense, staff: User) -> None:
    """Hand-over and shipping are done by the issuing centre's staff: issuers, window clerks and the
    centre's administrator, who are offered them on the licence page and on 证照交付."""
    if staff.role not in CENTRE_ROLES or staff.service_center_id != licence.case.service_center_id:
        raise CaseNotFound("licence_not_found", gettext("没有找到这张证照。"))


def _close(case: Case, actor: User | None) -> None:
    """The case closes on delivery, recording elapsed working days against the serial statutory sum."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    start = timezone.localdate(locked.submitted_at) if locked.submitted_at else timezone.localdate()
    calendar = current_calendar()
    try:
        elapsed = calendar.between(start, timezone.localdate()).days
    except UnpublishedYearError:
        # A statistic must not stop a licence being handed over: in a year without a schedule, even
        # with WORKDAYS_FALLBACK "error", the figure is counted Monday–Friday as the fallback would.
        elapsed = (
            WorkdayCalendar(calendar.overrides, fallback="weekends").between(start, timezone.localdate()).days
        )
    locked.status = CaseStatus.CLOSED
    locked.elapsed_workdays = max(elapsed, 0)
    locked.statutory_serial_days = sum(i["statutory_limit_days"] for i in locked.plan.get("items", []))
    locked.closed_at = timezone.now()
    locked.save(
        update_fields=["status", "elapsed_workdays", "statutory_serial_days", "closed_at", "updated_at"]
    )
    event_append(
        case=locked,
        actor=actor,
        action="closed",
        before=CaseStatus.ISSUED,
        after=CaseStatus.CLOSED,
        data={
            "elapsed_workdays": locked.elapsed_workdays,
            "statutory_serial_days": locked.statutory_serial_days,
        },
    )


def permit_number_for(branch: Branch, requested: str) -> str:
    """The reviewer's number if given and unused, otherwise the next unused one by the department's rule."""
    requested = requested.strip()
    if requested:
        if Permit.objects.filter(number=requested).exists():
            raise CaseInvalid(
                "permit_number_taken",
                gettext("该许可证号已被使用，请核对或留空由系统按编号规则生成。"),
                fields={"permit_number": gettext("许可证号已被使用。")},
            )
        return requested
    # A number typed by hand (from the paper register, say) may be one the rule has not reached yet:
    # the rule passes over it rather than give it a second time.
    year = timezone.localdate().year
    for _attempt in range(PERMIT_NUMBER_ATTEMPTS):
        number = permit_number_next(branch.department, year)
        if not Permit.objects.filter(number=number).exists():
            return number
    # Only a rule that gives every permit the same number (one saved before rules were checked)
    # comes here; without a bound the approval would never end.
    raise CaseError(
        "permit_number_rule_exhausted",
        gettext(
            "按本部门的许可证编号规则生成的编号都已被使用，请联系系统管理员检查该规则（须含当年序号 {seq}）。"
        ),
    )

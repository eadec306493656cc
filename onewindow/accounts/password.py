"""Applicants set or reset their password with a code sent by SMS to the phone they registered."""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from onewindow.accounts.models import PASSWORD_CODE_MAX_ATTEMPTS, PasswordCode, Role, User
from onewindow.accounts.services import login_throttle_clear
from onewindow.lib.errors import CodedError
from onewindow.lib.idcheck import IdentifierError, normalize_id_number, normalize_mobile, normalize_uscc
from onewindow.lib.ratelimit import minutes_until_window_ends, rate_limited
from onewindow.notifications.models import OutboundMessage
from onewindow.notifications.tasks import deliver_outbound

Kind = User.ApplicantKind

CODE_VALID_FOR = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
SENDS_PER_HOUR = 5
# A service hall's wifi puts many applicants behind one address, so this is well above one person's need.
SENDS_PER_ADDRESS_PER_HOUR = 30

_HOUR = timedelta(hours=1)


class PasswordCodeError(CodedError):
    """Refused, nothing sent or set; `field` names the form field the message belongs beside."""

    def __init__(self, code: str, message: str, *, field: str = "", status: int = 422) -> None:
        super().__init__(code, message)
        self.field = field
        self.status = status


def _holder(*, kind: str, holder_id: str, phone: str) -> tuple[str, str, str]:
    """(keyed digest of who asks, normalized ID, normalized mobile): the same however they were typed."""
    if kind not in Kind.values:
        raise PasswordCodeError("kind_invalid", _("请选择企业或个人。"), field="kind")
    holder = normalize_uscc(holder_id) if kind == Kind.ENTERPRISE else normalize_id_number(holder_id)
    try:
        mobile = normalize_mobile(phone)
    except IdentifierError as exc:
        raise PasswordCodeError(exc.code, exc.message, field="phone") from None
    key = salted_hmac(
        "onewindow.accounts.password.holder", f"{kind}:{holder}:{mobile}", algorithm="sha256"
    ).hexdigest()
    return key, holder, mobile


def _code_hash(*, holder_key: str, code: str) -> str:
    return salted_hmac(
        "onewindow.accounts.password.code", f"{holder_key}:{code}", algorithm="sha256"
    ).hexdigest()


def _applicants(*, kind: str, holder: str, mobile: str) -> QuerySet[User]:
    users = User.objects.filter(role=Role.APPLICANT, is_active=True, applicant_kind=kind, phone=mobile)
    if kind == Kind.ENTERPRISE:
        return users.filter(enterprise__uscc=holder)
    return users.filter(id_number=holder)


def _check_send_limits(*, holder_key: str, now: datetime) -> None:
    sent = list(
        PasswordCode.objects.filter(holder_key=holder_key, created_at__gt=now - _HOUR)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    if sent and sent[0] > now - RESEND_AFTER:
        seconds = math.ceil((sent[0] + RESEND_AFTER - now).total_seconds())
        raise PasswordCodeError(
            "code_too_soon",
            _("验证码刚刚发送过，请 %(seconds)d 秒后再重新获取；已收到的验证码10分钟内仍可使用。")
            % {"seconds": max(1, seconds)},
            status=429,
        )
    if len(sent) >= SENDS_PER_HOUR:
        minutes = math.ceil((sent[SENDS_PER_HOUR - 1] + _HOUR - now).total_seconds() / 60)
        raise PasswordCodeError(
            "code_too_many",
            _("1小时内最多获取%(limit)d次验证码，请 %(minutes)d 分钟后再试；已收到的验证码10分钟内仍可使用。")
            % {"limit": SENDS_PER_HOUR, "minutes": max(1, minutes)},
            status=429,
        )


def password_code_address_check(request: HttpRequest) -> None:
    """Count one request for a code from this client address; raise once the address used up its hour."""
    if rate_limited(request, scope="password_code", limit=SENDS_PER_ADDRESS_PER_HOUR, window_seconds=3600):
        raise PasswordCodeError(
            "address_too_many",
            _(
                "本网络获取验证码的次数过多，请 %(minutes)d 分钟后再试；急需办理的，请携带证件到政务服务中心窗口。"
            )
            % {"minutes": minutes_until_window_ends(3600)},
            status=429,
        )


def password_code_send(*, kind: str, holder_id: str, phone: str) -> None:
    """Text a 6-digit code, and the username, to the applicant these details identify.

    Details that match no active applicant get the same limits and the same silence as those that
    do, and nothing is sent: the caller cannot tell which it was, so nobody learns who has an account.
    """
    holder_key, holder, mobile = _holder(kind=kind, holder_id=holder_id, phone=phone)
    with transaction.atomic():
        # The account row is the lock that keeps two requests from both passing the limits.
        user = (
            _applicants(kind=kind, holder=holder, mobile=mobile)
            .select_for_update(of=("self",))
            .order_by("pk")
            .first()
        )
        now = timezone.now()
        _check_send_limits(holder_key=holder_key, now=now)
        code = f"{secrets.randbelow(10**6):06d}"
        PasswordCode.objects.create(
            user=user,
            holder_key=holder_key,
            code_hash=_code_hash(holder_key=holder_key, code=code) if user is not None else "",
            created_at=now,
            expires_at=now + CODE_VALID_FOR,
        )
        if user is None:
            return
        message = OutboundMessage.objects.create(
            channel=OutboundMessage.Channel.SMS,
            recipient=user.phone,
            body=_(
                "【一窗通办】您正在设置一窗通办账号的登录密码，验证码 %(code)s，10分钟内有效。"
                "您的用户名是 %(username)s。如非本人操作请忽略，不要把验证码告诉任何人。"
            )
            % {"code": code, "username": user.username},
        )
        transaction.on_commit(partial(deliver_outbound.enqueue, message.pk))


def _code_used() -> PasswordCodeError:
    return PasswordCodeError(
        "code_used",
        _("这个验证码已经用过，每个验证码只能用一次；如需再次设置密码，请重新获取验证码。"),
        field="code",
    )


def _code_void() -> PasswordCodeError:
    return PasswordCodeError(
        "code_void",
        _("验证码已输错%(limit)d次，已经作废，请重新获取验证码。") % {"limit": PASSWORD_CODE_MAX_ATTEMPTS},
        field="code",
    )


def _code_open(row: PasswordCode, *, code: str, now: datetime) -> User | PasswordCodeError:
    """The account this code opens, or why it does not; a wrong guess is counted against the code."""
    if row.used_at is not None:
        return _code_used()
    if row.attempts >= PASSWORD_CODE_MAX_ATTEMPTS:
        return _code_void()
    if row.expires_at <= now:
        return PasswordCodeError(
            "code_expired", _("验证码已过期（10分钟内有效），请重新获取验证码。"), field="code"
        )
    if (
        row.user is not None
        and row.user.is_active
        and row.code_hash
        and hmac.compare_digest(row.code_hash, _code_hash(holder_key=row.holder_key, code=code))
    ):
        return row.user
    PasswordCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    left = PASSWORD_CODE_MAX_ATTEMPTS - row.attempts - 1
    if left <= 0:
        return _code_void()
    return PasswordCodeError(
        "code_wrong",
        _("验证码不正确，请核对短信中的6位数字；还可以再试 %(left)d 次。") % {"left": left},
        field="code",
    )


def password_set_with_code(*, kind: str, holder_id: str, phone: str, code: str, password: str) -> User:
    """Set the password of the applicant whose newest code this is; the code is then used up.

    A wrong guess must stay counted although the call fails, so it is committed before raising.
    """
    holder_key, _holder_id, _mobile = _holder(kind=kind, holder_id=holder_id, phone=phone)
    with transaction.atomic():
        row = (
            PasswordCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(holder_key=holder_key)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            raise PasswordCodeError(
                "code_missing", _("还没有获取验证码，请先点击“获取短信验证码”。"), field="code"
            )
        now = timezone.now()
        opened = _code_open(row, code=code, now=now)
        if isinstance(opened, User):
            user = opened
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise PasswordCodeError(
                    "password_invalid", " ".join(exc.messages), field="password1"
                ) from None
            used = PasswordCode.objects.filter(pk=row.pk, used_at=None).update(used_at=now)
            if used != 1:
                raise _code_used()
            user.set_password(password)
            user.save(update_fields=["password"])
            login_throttle_clear(username=user.username)
            return user
    raise opened

"""Applicant accounts: self-registration as an enterprise or a person, and the window's find-or-register."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.lib.idcheck import (
    IdentifierError,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
    validate_id_number,
    validate_uscc,
)
from onewindow.lib.ratelimit import minutes_until_window_ends, rate_limited

Kind = User.ApplicantKind


class RegistrationError(Exception):
    """Registration refused; `fields` maps form field names to messages in the request's language."""

    def __init__(
        self, code: str, message: str, *, fields: dict[str, str] | None = None, status: int = 422
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status


class AccountConfirmationRequired(RegistrationError):
    """The applicant already has an account: staff must see it and confirm before a case is filed for it."""

    def __init__(self, account: User) -> None:
        super().__init__("account_unconfirmed", _("该申请人已有账号，请核对账号信息，确认后再创建申请。"))
        self.account = account


# Each refusal says whether a credit code, ID number or username has an account, so one address may
# not ask too often. A service hall's wifi puts many applicants behind one address, hence the margin.
REGISTRATIONS_PER_ADDRESS_PER_HOUR = 30


def registration_address_check(request: HttpRequest) -> None:
    """Count one registration attempt from this client address; raise once the address used up its hour."""
    if rate_limited(request, scope="register", limit=REGISTRATIONS_PER_ADDRESS_PER_HOUR, window_seconds=3600):
        raise RegistrationError(
            "address_too_many",
            _(
                "本网络提交注册的次数过多，请 %(minutes)d 分钟后再试；急需办理的，请携带证件到政务服务中心窗口。"
            )
            % {"minutes": minutes_until_window_ends(3600)},
            status=429,
        )


def _username_taken() -> RegistrationError:
    return RegistrationError(
        "username_taken", _("用户名已被使用。"), fields={"username": _("这个用户名已被使用，请换一个。")}
    )


def identity_registered_error(kind: str) -> RegistrationError:
    """The refusal of a second account for a credit code or ID number, with what the person can do."""
    if kind == Kind.ENTERPRISE:
        field, short = "uscc", _("该统一社会信用代码已注册申请人账号，请按页面上方的说明办理。")
        message = _(
            "该统一社会信用代码已注册申请人账号，一个企业只能有一个账号。如是本单位的账号，请直接登录；"
            "忘记用户名或密码，或曾在窗口办理业务、尚未设置密码的，请通过“设置或找回密码”用登记的手机号码找回。"
            "如该账号不是本单位注册的，或登记的手机号码已不再使用，请携带营业执照原件和经办人身份证到政务服务中心"
            "综合窗口，核实后由工作人员停用原账号，再重新注册。"
        )
    else:
        field, short = "id_number", _("该身份证号码已注册申请人账号，请按页面上方的说明办理。")
        message = _(
            "该身份证号码已注册申请人账号，一个人只能有一个账号。如是您本人的账号，请直接登录；"
            "忘记用户名或密码，或曾在窗口办理业务、尚未设置密码的，请通过“设置或找回密码”用登记的手机号码找回。"
            "如该账号不是您本人注册的，或登记的手机号码已不再使用，请携带居民身份证原件到政务服务中心综合窗口，"
            "核实后由工作人员停用原账号，再重新注册。"
        )
    return RegistrationError("identity_registered", message, fields={field: short})


def applicants_with_identity(
    *, kind: str, enterprise: Enterprise | None = None, id_number: str = ""
) -> QuerySet[User]:
    """The active applicant accounts holding this enterprise's credit code or this ID number."""
    accounts = User.objects.filter(role=Role.APPLICANT, is_active=True)
    if kind == Kind.ENTERPRISE:
        return accounts.filter(enterprise=enterprise).order_by("pk")
    return (
        accounts.filter(applicant_kind=Kind.PERSON, id_number=id_number).exclude(id_number="").order_by("pk")
    )


# ---------------------------------------------------------------- writes


def _enterprise_for(
    *, uscc: str, name: str, legal_representative: str, override_reason: str = ""
) -> Enterprise:
    """The enterprise with this code; created on first use. The stored name is the reference."""
    enterprise = Enterprise.objects.select_for_update().filter(uscc=uscc).first()
    if enterprise is not None:
        if name and name.strip() != enterprise.name:
            raise RegistrationError(
                "enterprise_name_mismatch",
                _("企业信息与已登记的不一致。"),
                fields={
                    "enterprise_name": _(
                        "该统一社会信用代码已登记为“%(name)s”，请按营业执照核对企业名称；如企业已更名，请到窗口办理变更。"
                    )
                    % {"name": enterprise.name}
                },
            )
        return enterprise
    if not name.strip() or not legal_representative.strip():
        raise RegistrationError(
            "enterprise_particulars_required",
            _("首次登记企业须填写企业名称和法定代表人。"),
            fields={
                key: message
                for key, value, message in (
                    ("enterprise_name", name, _("请填写企业名称（与营业执照一致）。")),
                    ("legal_representative", legal_representative, _("请填写法定代表人姓名。")),
                )
                if not value.strip()
            },
        )
    enterprise = Enterprise(
        uscc=uscc,
        name=name.strip(),
        legal_representative=legal_representative.strip(),
        uscc_override_reason=override_reason.strip(),
    )
    enterprise.full_clean()
    enterprise.save()
    return enterprise


def _save_new_applicant(user: User) -> None:
    """Save; a username or an identity taken by a concurrent registration is refused, not a 500."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if User.objects.filter(username__iexact=user.username).exists():
            raise _username_taken() from None
        raise identity_registered_error(user.applicant_kind) from None


@transaction.atomic
def applicant_register(
    *,
    kind: str,
    username: str,
    password: str,
    phone: str,
    display_name: str = "",
    uscc: str = "",
    enterprise_name: str = "",
    legal_representative: str = "",
    id_number: str = "",
) -> User:
    """A new applicant account, refused when the credit code or ID number already has one.

    The code and the name of an enterprise are public, so they prove nothing: an account linked to
    an enterprise that already has one would receive the cases the window files for it.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise _username_taken()
    user = User(username=username, role=Role.APPLICANT, applicant_kind=kind, phone=phone)
    if kind == Kind.ENTERPRISE:
        enterprise = _enterprise_for(
            uscc=uscc, name=enterprise_name, legal_representative=legal_representative
        )
        user.enterprise = enterprise
        contact = display_name.strip() or enterprise.legal_representative
        user.display_name = f"{contact}（{enterprise.name}）"[:50]
    else:
        user.id_number = id_number
        user.display_name = display_name.strip()[:50]
    if applicants_with_identity(kind=kind, enterprise=user.enterprise, id_number=user.id_number).exists():
        raise identity_registered_error(kind)
    user.set_password(password)
    _save_new_applicant(user)
    return user


@transaction.atomic
def applicant_find_or_register(
    *,
    kind: str,
    phone: str = "",
    display_name: str = "",
    uscc: str = "",
    enterprise_name: str = "",
    legal_representative: str = "",
    id_number: str = "",
    uscc_override_reason: str = "",
    confirmed_account_id: int | None = None,
) -> User:
    """The applicant a window clerk serves: found by credit code or ID number, else registered.

    An existing account is returned only when it is the one the clerk saw and confirmed
    (`confirmed_account_id`); otherwise AccountConfirmationRequired carries it to be shown. Several
    accounts with the identity (from before one account per identity) are refused, never chosen.

    An account registered at the window has no password; the applicant sets one later at the
    window or by resetting it, so nobody can sign in with it in the meantime.
    """
    enterprise = None
    if kind == Kind.ENTERPRISE:
        enterprise = _enterprise_for(
            uscc=uscc,
            name=enterprise_name,
            legal_representative=legal_representative,
            override_reason=uscc_override_reason,
        )
    found = list(applicants_with_identity(kind=kind, enterprise=enterprise, id_number=id_number)[:10])
    if len(found) > 1:
        raise _identity_ambiguous(kind, found)
    if found:
        if found[0].pk != confirmed_account_id:
            raise AccountConfirmationRequired(found[0])
        return found[0]
    if enterprise is not None:
        contact = display_name.strip() or enterprise.legal_representative
        user = User(
            role=Role.APPLICANT,
            applicant_kind=Kind.ENTERPRISE,
            enterprise=enterprise,
            display_name=f"{contact}（{enterprise.name}）"[:50],
            phone=phone,
        )
    else:
        if not display_name.strip():
            raise RegistrationError(
                "person_name_required",
                _("首次登记个人须填写姓名。"),
                fields={"display_name": _("请填写申请人姓名。")},
            )
        user = User(
            role=Role.APPLICANT,
            applicant_kind=Kind.PERSON,
            id_number=id_number,
            display_name=display_name.strip()[:50],
            phone=phone,
        )
    # The username never carries the ID number: user names appear in lists and logs.
    user.username = f"assisted-{uuid.uuid4().hex[:12]}"
    user.set_unusable_password()
    try:
        _save_new_applicant(user)
    except RegistrationError:
        # Registered by someone else a moment ago: that account, too, must be seen first.
        raced = applicants_with_identity(kind=kind, enterprise=enterprise, id_number=id_number).first()
        if raced is None:
            raise
        raise AccountConfirmationRequired(raced) from None
    return user


def _identity_ambiguous(kind: str, accounts: list[User]) -> RegistrationError:
    names = _("、").join(account.username for account in accounts)
    if kind == Kind.ENTERPRISE:
        message = _(
            "该统一社会信用代码登记了多个申请人账号（%(names)s），无法确定办件归属，未创建申请。"
            "请申请人携带营业执照原件核实，由系统管理员停用不属于该企业的账号后再办理。"
        ) % {"names": names}
    else:
        message = _(
            "该身份证号码登记了多个申请人账号（%(names)s），无法确定办件归属，未创建申请。"
            "请申请人携带居民身份证原件核实，由系统管理员停用不属于本人的账号后再办理。"
        ) % {"names": names}
    return RegistrationError("identity_ambiguous", message)


# ---------------------------------------------------------------- forms


def describe_fields(form: forms.BaseForm) -> None:
    """Point every input at its hint and its error line, which cases/_bound_field.html renders."""
    for name, field in form.fields.items():
        html_name = form.add_prefix(name)
        described = [f"error-{html_name}"]
        if field.help_text:
            described.insert(0, f"hint-{html_name}")
        field.widget.attrs.setdefault("aria-describedby", " ".join(described))


def code_input() -> forms.TextInput:
    """A box for a credit code or ID number: capitals on phone keyboards, no spelling fixes."""
    return forms.TextInput(
        attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
    )


def clean_uscc(value: str, *, allow_override: bool = False) -> tuple[str, str]:
    """(normalized code, error code of a failed check digit or "")."""
    code = normalize_uscc(value)
    try:
        validate_uscc(code)
    except IdentifierError as exc:
        if allow_override and exc.code == "uscc_check":
            return code, exc.code
        message = exc.message
        if exc.code == "uscc_check" and not allow_override:
            message += _("如确为早期试点代码，请携带营业执照到政务服务中心窗口办理登记。")
        raise forms.ValidationError(message, code=exc.code) from None
    return code, ""


def clean_id(value: str) -> str:
    number = normalize_id_number(value)
    try:
        validate_id_number(number)
    except IdentifierError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None
    return number


def clean_mobile(value: str) -> str:
    try:
        return normalize_mobile(value)
    except IdentifierError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


def kind_field() -> forms.ChoiceField:
    """The enterprise-or-person choice that decides which identity number a form asks for."""
    return forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=[
            (Kind.ENTERPRISE, gettext_lazy("企业（法人或其他组织）")),
            (Kind.PERSON, gettext_lazy("个人")),
        ],
        initial=Kind.ENTERPRISE,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择申请人类型。"),
            "invalid_choice": gettext_lazy("请选择企业或个人。"),
        },
    )


def clean_identity(form: forms.Form, cleaned: dict[str, Any], *, allow_uscc_override: bool) -> None:
    """Require and check the credit code of an enterprise or the ID number of a person.

    The checked number replaces the typed one in `cleaned`; for an enterprise,
    `uscc_check_failed` says whether a code with a wrong check digit was let through.
    """
    kind = cleaned.get("kind")
    if kind == Kind.ENTERPRISE:
        raw = cleaned.get("uscc", "")
        if not raw:
            form.add_error("uscc", _("请填写统一社会信用代码。"))
            return
        try:
            code, failed = clean_uscc(raw, allow_override=allow_uscc_override)
        except forms.ValidationError as exc:
            form.add_error("uscc", exc)
        else:
            cleaned["uscc"] = code
            cleaned["uscc_check_failed"] = bool(failed)
    elif kind == Kind.PERSON:
        raw = cleaned.get("id_number", "")
        if not raw:
            form.add_error("id_number", _("请填写身份证号码。"))
            return
        try:
            cleaned["id_number"] = clean_id(raw)
        except forms.ValidationError as exc:
            form.add_error("id_number", exc)


class ApplicantFieldsForm(forms.Form):
    """What identifies an applicant: the kind, then the enterprise's or the person's particulars."""

    kind = kind_field()
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("18位，见营业执照；字母不区分大小写。"),
        widget=code_input(),
    )
    enterprise_name = forms.CharField(
        label=gettext_lazy("企业名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    legal_representative = forms.CharField(label=gettext_lazy("法定代表人"), required=False, max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("18位居民身份证号码，登记后只显示前6位和后4位。"),
        widget=code_input(),
    )
    display_name = forms.CharField(
        label=gettext_lazy("姓名"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("个人申请人填写本人姓名；企业可填写经办人姓名（默认为法定代表人）。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系手机"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写联系手机号码。")},
        help_text=gettext_lazy("办件进度会以短信通知此号码。"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    allow_uscc_override = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_fields(self)

    def clean_phone(self) -> str:
        return clean_mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_identity(self, cleaned, allow_uscc_override=self.allow_uscc_override)
        return cleaned


class RegistrationForm(ApplicantFieldsForm):
    username = forms.RegexField(
        label=gettext_lazy("用户名"),
        max_length=30,
        min_length=3,
        regex=r"^[A-Za-z0-9_.@-]+$",
        help_text=gettext_lazy("3至30位字母、数字或 _ . @ -，登录时使用，可用手机号。"),
        error_messages={
            "required": gettext_lazy("请填写用户名。"),
            "invalid": gettext_lazy("用户名只能包含字母、数字和 _ . @ -。"),
            "min_length": gettext_lazy("用户名至少3位。"),
            "max_length": gettext_lazy("用户名不能超过30位。"),
        },
    )
    password1 = forms.CharField(
        label=gettext_lazy("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少8位，不要只用数字，也不要与用户名相近。"),
        error_messages={"required": gettext_lazy("请设置密码。")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("请再次输入密码。")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Kind.ENTERPRISE:
            for name, message in (
                ("enterprise_name", _("请填写企业名称（与营业执照一致）。")),
                ("legal_representative", _("请填写法定代表人姓名。")),
            ):
                if not cleaned.get(name, "").strip() and name not in self.errors:
                    self.add_error(name, message)
        elif kind == Kind.PERSON and not cleaned.get("display_name", "").strip():
            self.add_error("display_name", _("请填写姓名（与身份证一致）。"))
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif password1:
            probe = User(username=cleaned.get("username", ""), display_name=cleaned.get("display_name", ""))
            try:
                validate_password(password1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


# ---------------------------------------------------------------- view


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def register(request: HttpRequest) -> HttpResponse:
    """注册: an enterprise or a person creates an applicant account and is signed in."""
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method != "POST":
        return HttpResponseRedirect(next_url or reverse("cases:my_cases"))
    form = RegistrationForm(request.POST or None)
    status = 200
    refusal: RegistrationError | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Only a complete form reaches the account lookups, so only it counts toward the limit.
                registration_address_check(request)
                user = applicant_register(
                    kind=data["kind"],
                    username=data["username"],
                    password=data["password1"],
                    phone=data["phone"],
                    display_name=data.get("display_name", ""),
                    uscc=data.get("uscc", ""),
                    enterprise_name=data.get("enterprise_name", ""),
                    legal_representative=data.get("legal_representative", ""),
                    id_number=data.get("id_number", ""),
                )
            except RegistrationError as exc:
                refusal = exc
                for name, message in exc.fields.items():
                    form.add_error(
                        name if name in form.fields else None, forms.ValidationError(message, code=exc.code)
                    )
                if not exc.fields:
                    form.add_error(None, forms.ValidationError(exc.message, code=exc.code))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return HttpResponseRedirect(next_url or reverse("cases:my_cases"))
        status = refusal.status if refusal else 422
    return render(
        request,
        "accounts/register.html",
        {"form": form, "next": next_url, "refusal": refusal},
        status=status,
    )

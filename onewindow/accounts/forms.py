"""Forms of the password page; they only parse input, the rules are in accounts.password."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.password import PasswordCodeError
from onewindow.accounts.registration import (
    clean_identity,
    clean_mobile,
    code_input,
    describe_fields,
    kind_field,
)

Kind = User.ApplicantKind


class ServiceErrorForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_fields(self)

    def add_service_error(self, error: PasswordCodeError) -> None:
        """The service's message beside its field, or at the top when it names none on this form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class PasswordHolderForm(ServiceErrorForm):
    """Who asks: the credit code or ID number registered with, and the mobile number on the account."""

    kind = kind_field()
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        required=False,
        max_length=40,
        help_text=_("注册或在窗口登记时使用的18位代码，见营业执照。"),
        widget=code_input(),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=40,
        help_text=_("注册或在窗口登记时使用的18位居民身份证号码。"),
        widget=code_input(),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("注册或登记时留的手机号码，验证码会发送到这个号码。"),
        error_messages={"required": _("请填写注册或登记时留的手机号码。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return clean_mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A few early pilot codes fail the check digit yet were registered at the window.
        clean_identity(self, cleaned, allow_uscc_override=True)
        return cleaned

    @property
    def holder_id(self) -> str:
        data = self.cleaned_data
        return str(data["uscc"] if data["kind"] == Kind.ENTERPRISE else data["id_number"])


class PasswordSetForm(ServiceErrorForm):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=20,
        help_text=_("短信中的6位数字，10分钟内有效。"),
        error_messages={"required": _("请填写短信中的6位验证码。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "short"}
        ),
    )
    password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少8位，不要只用数字，也不要与用户名相近。"),
        error_messages={"required": _("请设置新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        error_messages={"required": _("请再次输入新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_code(self) -> str:
        # NFKC turns full-width digits typed with a Chinese input method into ASCII.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if len(code) != 6 or not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("验证码是短信中的6位数字，请核对后重新输入。"), code="code_format")
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致，请重新输入。"))
        return cleaned

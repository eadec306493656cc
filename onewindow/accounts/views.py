"""Sign-in and sign-out pages with throttling of repeated failures, and setting a password by SMS code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.forms import PasswordHolderForm, PasswordSetForm
from onewindow.accounts.kiosk import is_kiosk
from onewindow.accounts.models import User
from onewindow.accounts.password import (
    PasswordCodeError,
    password_code_address_check,
    password_code_send,
    password_set_with_code,
)
from onewindow.accounts.services import login_failure_record, login_locked_until, login_success_record
from onewindow.lib.idcheck import mask_id_number, mask_mobile
from onewindow.lib.ratelimit import client_address

# The username the password page just told the applicant, filled into the sign-in form once.
LOGIN_USERNAME_SESSION_KEY = "accounts_login_username"


LOCKED_MESSAGE = _("登录失败次数过多，已暂时锁定。请于 %(minutes)d 分钟后再试，或联系系统管理员。")


class LoginThrottleMixin(forms.Form):
    """Refuses sign-in while a lock covers this username, this address or the two, and counts each failure.

    Mixed into every sign-in form (the site's and the admin's) so one lock covers them all.
    """

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        # The username as its field accepted it: one the field refused (too long, or with a NUL
        # character, which PostgreSQL refuses even in a query) signs nobody in.
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        locked_until = login_locked_until(username=username, address=address)
        if locked_until is not None:
            minutes = max(1, int((locked_until - timezone.now()).total_seconds() // 60) + 1)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked", params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            # The right password refused for another reason (the admin site wants a staff account)
            # is no guess, so it does not count toward the lock.
            if self.get_user() is None:  # type: ignore[attr-defined]
                login_failure_record(username=username, address=address)
            raise
        # Only a sign-in clears the failures: a form missing its password raises no error either.
        if self.get_user() is not None:  # type: ignore[attr-defined]
            login_success_record(username=username, address=address)
        return cleaned or {}


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。请检查后重试；连续多次错误将暂时锁定登录。"),
        "inactive": _("此账号已停用，请联系系统管理员。"),
    }


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The admin site's sign-in (set in onewindow/urls.py), under the same lock as the site's."""


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        username = self.request.session.pop(LOGIN_USERNAME_SESSION_KEY, "")
        if username:
            initial["username"] = username
        return initial


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        # The next person at a self-service terminal starts from the kiosk page, still in kiosk mode.
        if is_kiosk(self.request):
            return reverse("cases:kiosk")
        return super().get_default_redirect_url()


def _password_page(
    request: HttpRequest,
    *,
    holder: PasswordHolderForm,
    form: PasswordSetForm | None = None,
    send_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Step 1 asks who the applicant is; step 2 (with `form`) takes the code and the new password."""
    context: dict[str, Any] = {
        "step": 1 if form is None else 2,
        "holder": holder,
        "form": form,
        "send_error": send_error,
    }
    if form is not None:
        data = holder.cleaned_data
        context["holder_shown"] = (
            data["uscc"]
            if data["kind"] == User.ApplicantKind.ENTERPRISE
            else mask_id_number(data["id_number"])
        )
        context["phone_shown"] = mask_mobile(data["phone"])
    return render(request, "accounts/password.html", context, status=status)


def password(request: HttpRequest) -> HttpResponse:
    """设置/找回密码: a code by SMS to the registered phone, then a new password.

    The answer to step 1 is the same whether or not an account matched, so the page tells nobody
    which credit codes, ID numbers and phones have an account.
    """
    if request.method != "POST":
        return _password_page(request, holder=PasswordHolderForm())
    holder = PasswordHolderForm(request.POST)
    if not holder.is_valid():
        return _password_page(request, holder=holder, status=422)
    data = holder.cleaned_data
    if request.POST.get("step") != "set":
        try:
            password_code_address_check(request)
            password_code_send(kind=data["kind"], holder_id=holder.holder_id, phone=data["phone"])
        except PasswordCodeError as exc:
            if exc.field in holder.fields:
                holder.add_service_error(exc)
                return _password_page(request, holder=holder, status=exc.status)
            return _password_page(
                request, holder=holder, form=PasswordSetForm(), send_error=exc.message, status=exc.status
            )
        return _password_page(request, holder=holder, form=PasswordSetForm())
    form = PasswordSetForm(request.POST)
    if not form.is_valid():
        return _password_page(request, holder=holder, form=form, status=422)
    try:
        user = password_set_with_code(
            kind=data["kind"],
            holder_id=holder.holder_id,
            phone=data["phone"],
            code=form.cleaned_data["code"],
            password=form.cleaned_data["password1"],
        )
    except PasswordCodeError as exc:
        form.add_service_error(exc)
        return _password_page(request, holder=holder, form=form, status=exc.status)
    request.session[LOGIN_USERNAME_SESSION_KEY] = user.username
    messages.success(
        request,
        gettext("密码已设置。您的用户名是 %(username)s，请用它和新密码登录。") % {"username": user.username},
    )
    return HttpResponseRedirect(reverse("accounts:login"))

"""Setting a password with a code texted to the registered phone, online or after window registration."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import run_queued_tasks
from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.accounts.tests.steps import (
    WANG_ID,
    WANG_PHONE,
    ask_for_code,
    can_sign_in,
    code_in,
    codes_texted_to,
    holder_of,
    page_text,
    set_password,
)
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.notifications.models import Notification, OutboundMessage


@pytest.mark.django_db
def test_applicant_sets_a_new_password_with_the_code_texted_to_her(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    login_page = page_text(client.get(reverse("accounts:login")))
    assert "忘记密码或首次设置密码？" in login_page
    assert reverse("accounts:password") in login_page

    with django_capture_on_commit_callbacks(execute=True):
        asked = ask_for_code(client, holder_of(alice))
    assert asked.status_code == 200
    assert "验证码已发送到手机 138****8000，10分钟内有效" in page_text(asked)
    assert run_queued_tasks() == 1
    [sms] = codes_texted_to(alice.phone)
    assert sms.status == OutboundMessage.Status.SENT
    assert "设置一窗通办账号的登录密码" in sms.body
    assert "10分钟内有效" in sms.body
    assert "您的用户名是 applicant" in sms.body
    assert not Notification.objects.filter(user=alice).exists()

    done = set_password(client, holder_of(alice), code_in(sms))
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:login")
    login_page = page_text(client.get(done["Location"]))
    assert "密码已设置。您的用户名是 applicant，请用它和新密码登录。" in login_page
    assert 'value="applicant"' in login_page
    assert can_sign_in("applicant")
    assert not can_sign_in("applicant", DEMO_PASSWORD)


@pytest.mark.django_db
def test_window_registered_applicant_sets_his_first_password(client: Client) -> None:
    client.force_login(User.objects.get(username="clerk"))
    registered = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {
            "bundle": "hotel",
            "kind": "person",
            "id_number": WANG_ID,
            "display_name": "王芳",
            "phone": WANG_PHONE,
            **{f"q_{code}": value for code, value in HOTEL_FOUR_ITEMS.items()},
        },
        follow=True,
    )
    # The clerk is told how the applicant gets into his new account.
    hint = f"在 {reverse('accounts:password')} 用登记的手机号码 139****9000 获取验证码，自行设置密码。"
    assert hint in page_text(registered)
    wang = User.objects.get(id_number=WANG_ID)
    assert not wang.has_usable_password()

    applicant = Client()
    ask_for_code(applicant, {"kind": "person", "id_number": WANG_ID.lower(), "phone": "+86 139 0013 9000"})
    [sms] = codes_texted_to(WANG_PHONE)
    assert f"您的用户名是 {wang.username}" in sms.body
    done = set_password(applicant, holder_of(wang), code_in(sms))
    assert wang.username in page_text(applicant.get(done["Location"]))
    assert can_sign_in(wang.username)


@pytest.mark.django_db
def test_weak_password_is_refused_with_the_reason_and_the_code_still_works(
    client: Client, alice: User
) -> None:
    ask_for_code(client, holder_of(alice))
    code = code_in(codes_texted_to(alice.phone)[0])

    weak = set_password(client, holder_of(alice), code, password="12345678")
    assert weak.status_code == 422
    assert "这个密码太常见了。" in page_text(weak)
    assert "密码只包含数字。" in page_text(weak)
    like_username = set_password(client, holder_of(alice), code, password="applicant1")
    assert "太相似" in page_text(like_username)
    mistyped = set_password(client, holder_of(alice), code, again="Qingshan-Lake-2028")
    assert "两次输入的密码不一致，请重新输入。" in page_text(mistyped)
    assert not can_sign_in("applicant")

    assert set_password(client, holder_of(alice), code).status_code == 302
    assert can_sign_in("applicant")


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3)
def test_locked_out_applicant_signs_in_at_once_after_setting_a_password(client: Client, alice: User) -> None:
    for _attempt in range(3):
        Client().post(reverse("accounts:login"), {"username": "applicant", "password": "guess"})
    assert not can_sign_in("applicant", DEMO_PASSWORD)

    ask_for_code(client, holder_of(alice))
    set_password(client, holder_of(alice), code_in(codes_texted_to(alice.phone)[0]))
    assert can_sign_in("applicant")

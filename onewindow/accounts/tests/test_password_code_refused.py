"""A code that was guessed at, has expired or was used opens nothing and says to get a new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from onewindow.accounts.models import PasswordCode, User
from onewindow.accounts.tests.steps import (
    ask_for_code,
    can_sign_in,
    code_in,
    codes_texted_to,
    holder_of,
    page_text,
    set_password,
)


def _age_codes(by: timedelta) -> None:
    PasswordCode.objects.update(created_at=F("created_at") - by, expires_at=F("expires_at") - by)


@pytest.mark.django_db
def test_five_wrong_codes_void_the_code(client: Client, alice: User) -> None:
    ask_for_code(client, holder_of(alice))
    code = code_in(codes_texted_to(alice.phone)[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for left in (4, 3, 2, 1):
        refused = set_password(client, holder_of(alice), wrong)
        assert refused.status_code == 422
        assert f"验证码不正确，请核对短信中的6位数字；还可以再试 {left} 次。" in page_text(refused)
    fifth = set_password(client, holder_of(alice), wrong)
    assert "验证码已输错5次，已经作废，请重新获取验证码。" in page_text(fifth)
    too_late = set_password(client, holder_of(alice), code)
    assert "验证码已输错5次，已经作废，请重新获取验证码。" in page_text(too_late)
    assert not can_sign_in("applicant")

    # A new code works again.
    _age_codes(timedelta(minutes=2))
    ask_for_code(client, holder_of(alice))
    fresh = code_in(codes_texted_to(alice.phone)[-1])
    assert set_password(client, holder_of(alice), fresh).status_code == 302
    assert can_sign_in("applicant")


@pytest.mark.django_db
def test_expired_code_is_refused(client: Client, alice: User) -> None:
    ask_for_code(client, holder_of(alice))
    _age_codes(timedelta(minutes=11))
    refused = set_password(client, holder_of(alice), code_in(codes_texted_to(alice.phone)[0]))
    assert refused.status_code == 422
    assert "验证码已过期（10分钟内有效），请重新获取验证码。" in page_text(refused)
    assert not can_sign_in("applicant")


@pytest.mark.django_db
def test_a_code_opens_once_and_a_new_code_replaces_the_old(client: Client, alice: User) -> None:
    ask_for_code(client, holder_of(alice))
    first = code_in(codes_texted_to(alice.phone)[0])
    _age_codes(timedelta(minutes=2))
    ask_for_code(client, holder_of(alice))
    second = code_in(codes_texted_to(alice.phone)[1])
    if first != second:
        replaced = set_password(client, holder_of(alice), first)
        assert "验证码不正确" in page_text(replaced)

    assert set_password(client, holder_of(alice), second).status_code == 302
    again = set_password(client, holder_of(alice), second, password="Another-Lake-2028")
    assert "这个验证码已经用过" in page_text(again)
    assert can_sign_in("applicant")

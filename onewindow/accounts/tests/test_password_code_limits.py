"""How often codes may be asked for: per account (and per typed details), and per client address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from onewindow.accounts import password
from onewindow.accounts.models import PasswordCode, User
from onewindow.accounts.tests.steps import ask_for_code, codes_texted_to, holder_of, page_text


def _age_codes(by: timedelta) -> None:
    PasswordCode.objects.update(created_at=F("created_at") - by, expires_at=F("expires_at") - by)


@pytest.mark.django_db
def test_a_second_code_within_a_minute_is_refused_with_the_wait(client: Client, alice: User) -> None:
    assert ask_for_code(client, holder_of(alice)).status_code == 200
    again = ask_for_code(client, holder_of(alice))
    assert again.status_code == 429
    wait = re.search(
        r"验证码刚刚发送过，请 (\d+) 秒后再重新获取；已收到的验证码10分钟内仍可使用。", page_text(again)
    )
    assert wait
    assert 55 <= int(wait.group(1)) <= 60
    assert len(codes_texted_to(alice.phone)) == 1

    # Details that match no account are limited alike, so the wait gives nothing away.
    unknown = {**holder_of(alice), "phone": "13700000000"}
    assert ask_for_code(client, unknown).status_code == 200
    assert "验证码刚刚发送过" in page_text(ask_for_code(client, unknown))

    _age_codes(timedelta(seconds=61))
    assert ask_for_code(client, holder_of(alice)).status_code == 200
    assert len(codes_texted_to(alice.phone)) == 2


@pytest.mark.django_db
def test_at_most_five_codes_an_hour(client: Client, alice: User) -> None:
    for _code in range(5):
        assert ask_for_code(client, holder_of(alice)).status_code == 200
        _age_codes(timedelta(seconds=61))
    sixth = ask_for_code(client, holder_of(alice))
    assert sixth.status_code == 429
    # The oldest of the five was sent 5 × 61 s ago and leaves the hour in 55 minutes.
    assert "1小时内最多获取5次验证码，请 55 分钟后再试" in page_text(sixth)
    assert len(codes_texted_to(alice.phone)) == 5


@pytest.mark.django_db
def test_one_address_asking_for_many_accounts_is_stopped(
    client: Client, alice: User, wang: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(password, "SENDS_PER_ADDRESS_PER_HOUR", 2)
    assert ask_for_code(client, holder_of(alice)).status_code == 200
    assert ask_for_code(client, holder_of(wang)).status_code == 200
    third = ask_for_code(client, {**holder_of(alice), "phone": "13700000000"})
    assert third.status_code == 429
    assert "本网络获取验证码的次数过多" in page_text(third)
    assert "政务服务中心窗口" in page_text(third)

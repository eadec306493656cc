"""One client address may submit only so many registrations an hour: each refusal tells who has an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts import registration
from onewindow.accounts.models import User
from onewindow.accounts.tests.steps import WANG_ID, page_text
from onewindow.cases.demo import id_number

PASSWORD = "Quiet-harbour-2026"


def register(client: Client, **fields: str) -> Any:
    data = {
        "kind": "person",
        "id_number": WANG_ID,
        "display_name": "王芳",
        "phone": "13900001111",
        "username": "prober",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(fields)
    return client.post(reverse("accounts:register"), data)


@pytest.fixture
def two_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registration, "REGISTRATIONS_PER_ADDRESS_PER_HOUR", 2)


@pytest.mark.django_db
def test_an_address_probing_identities_is_stopped_with_the_wait(
    client: Client, wang: User, two_an_hour: None
) -> None:
    for _probe in range(2):
        assert "该身份证号码已注册申请人账号" in page_text(register(client))
    third = register(client)
    assert third.status_code == 429
    body = page_text(third)
    wait = re.search(
        r"本网络提交注册的次数过多，请 (\d+) 分钟后再试；急需办理的，请携带证件到政务服务中心窗口。", body
    )
    assert wait
    assert 1 <= int(wait.group(1)) <= 60
    assert 'data-error-code="address_too_many"' in body
    # The limited answer no longer says whether the ID number has an account.
    assert "该身份证号码已注册申请人账号" not in body
    assert not User.objects.filter(username="prober").exists()


@pytest.mark.django_db
def test_the_limit_holds_back_a_new_applicant_on_that_address_only(
    client: Client, wang: User, two_an_hour: None
) -> None:
    for _probe in range(2):
        register(client)
    newcomer = {"id_number": id_number("42900619800101123"), "username": "newcomer", "display_name": "李四"}
    assert register(client, **newcomer).status_code == 429
    assert register(Client(REMOTE_ADDR="10.0.0.99"), **newcomer).status_code == 302
    assert User.objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_forms_refused_by_their_fields_do_not_count(client: Client, two_an_hour: None) -> None:
    for _typo in range(3):
        assert register(client, password2="Different-2026").status_code == 422
    assert register(client).status_code == 302

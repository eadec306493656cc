"""A credit code or ID number has one applicant account: a second self-registration is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.accounts.tests.steps import WANG_ID, page_text

PASSWORD = "Quiet-harbour-2026"


def register(client: Client, **fields: str) -> Any:
    data = {
        "kind": "enterprise",
        "uscc": "",
        "enterprise_name": "",
        "legal_representative": "",
        "id_number": "",
        "display_name": "",
        "phone": "13900001111",
        "username": "squatter",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(fields)
    return client.post(reverse("accounts:register"), data)


@pytest.mark.django_db
def test_a_second_account_for_a_registered_credit_code_is_refused(client: Client, alice: User) -> None:
    enterprise = alice.enterprise
    assert enterprise is not None
    # The code and the name are printed on the business licence: anyone can type them.
    response = register(
        client,
        uscc=enterprise.uscc,
        enterprise_name=enterprise.name,
        legal_representative=enterprise.legal_representative,
    )
    assert response.status_code == 422
    body = page_text(response)
    assert "该统一社会信用代码已注册申请人账号，一个企业只能有一个账号。" in body
    assert "携带营业执照原件和经办人身份证到政务服务中心综合窗口" in body
    assert 'data-error-code="identity_registered"' in body
    assert "错误代码 identity_registered" in body
    assert f'href="{reverse("accounts:password")}"' in body
    assert not User.objects.filter(username="squatter").exists()
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_a_second_account_for_a_registered_id_number_is_refused(client: Client, wang: User) -> None:
    response = register(client, kind="person", id_number=WANG_ID.lower(), display_name="王芳")
    assert response.status_code == 422
    body = page_text(response)
    assert "该身份证号码已注册申请人账号，一个人只能有一个账号。" in body
    assert "曾在窗口办理业务、尚未设置密码的，请通过“设置或找回密码”用登记的手机号码找回" in body
    assert 'data-error-code="identity_registered"' in body
    assert not User.objects.filter(username="squatter").exists()


@pytest.mark.django_db
def test_a_stopped_account_frees_its_identity(client: Client, wang: User) -> None:
    """The window's remedy: once staff stop the account that is not the holder's, he registers."""
    User.objects.filter(pk=wang.pk).update(is_active=False)
    response = register(client, kind="person", id_number=WANG_ID, display_name="王芳")
    assert response.status_code == 302
    assert User.objects.get(username="squatter").id_number == WANG_ID


@pytest.mark.django_db
def test_the_database_refuses_a_second_account_for_an_identity(alice: User, wang: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="twin-enterprise", role=Role.APPLICANT, enterprise=alice.enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username="twin-person", role=Role.APPLICANT, applicant_kind="person", id_number=WANG_ID
        )
    # An enterprise account carries its operator's ID number; the same person may still apply himself.
    User.objects.create(
        username="operator", role=Role.APPLICANT, applicant_kind="enterprise", id_number=WANG_ID
    )

"""Error pages say in Chinese what happened and what to do; the 500 page needs no request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from onewindow.accounts.models import User

pytestmark = pytest.mark.django_db


def test_unknown_address_is_a_chinese_404(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "没有找到您要的页面" in body
    assert "12345" in body
    assert "Resolver404" not in body


def test_500_page_renders_without_any_context() -> None:
    html = render_to_string("500.html")
    assert '<html lang="zh-Hans">' in html
    assert "系统暂时出错" in html
    assert "12345" in html


def test_500_handler_uses_the_chinese_page() -> None:
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统暂时出错" in response.content.decode()


def test_403_page_explains_and_offers_sign_in() -> None:
    request = RequestFactory().get("/cases/1/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有权限查看这个页面" in body
    assert "登录后再试" in body


def test_403_page_says_why_when_the_refusal_does(client: Client, alice: User) -> None:
    # The applicant opens a reviewer's page: the refusal names what his role lacks.
    client.force_login(alice)

    response = client.get(reverse("approvals:queue"))

    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有权限查看这个页面" in body
    assert '<p class="error-reason">当前岗位没有此页面的权限。</p>' in body


def test_403_page_without_a_reason_shows_none() -> None:
    request = RequestFactory().get("/cases/1/")
    request.user = AnonymousUser()
    body = defaults.permission_denied(request, PermissionDenied()).content.decode()
    assert "error-reason" not in body

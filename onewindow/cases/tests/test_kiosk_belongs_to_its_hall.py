"""A self-service terminal belongs to the hall whose staff set it up: cases started on it wait in that
hall's window queue, not the municipal centre's, and only that hall's clerks may accept them."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from onewindow.accounts.kiosk import KIOSK_COOKIE
from onewindow.accounts.models import Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseStatus, Channel
from onewindow.cases.services import case_submit
from onewindow.centers.models import ServiceCenter

pytestmark = pytest.mark.django_db

API = "/api/v1"
# The salt every terminal in the field has been marked with: changing it would unmark them all.
MARK_SALT = "onewindow.accounts.kiosk"


@pytest.fixture
def hall(db: None) -> ServiceCenter:
    return ServiceCenter.objects.get(code="429006107")


@pytest.fixture
def municipal(db: None) -> ServiceCenter:
    return ServiceCenter.objects.get(code="429006")


@pytest.fixture
def hall_clerk(hall: ServiceCenter) -> User:
    """A window clerk of 岳口镇便民服务中心; the demo clerk works at the municipal centre."""
    return User.objects.create_user(
        username="clerk_yuekou", role=Role.CLERK, display_name="刘芳（岳口镇）", service_center=hall
    )


def text(page: bytes) -> str:
    """What a person reads on the page: its text without the markup."""
    return re.sub(r"<[^>]+>", "", page.decode())


def terminal_set_up_by(staff: User) -> Client:
    terminal = Client()
    terminal.force_login(staff)
    assert terminal.post(reverse("cases:kiosk"))["Location"] == reverse("cases:kiosk")
    terminal.post(reverse("accounts:logout"))
    return terminal


def browser_marked(value: str) -> Client:
    """A browser carrying a terminal mark signed as the kiosk page signs it."""
    browser = Client()
    browser.cookies[KIOSK_COOKIE] = signing.get_cookie_signer(salt=KIOSK_COOKIE + MARK_SALT).sign(value)
    return browser


def start_on_page(terminal: Client, applicant: User) -> Case:
    terminal.force_login(applicant)
    response = terminal.post(
        reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)}
    )
    assert response.status_code == 302, text(response.content)
    return Case.objects.filter(applicant=applicant).latest("created_at")


def api(client: Client, path: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, Any]]:
    response = client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json()


def start_by_api(terminal: Client, applicant: User, channel: str = Channel.ONLINE) -> Case:
    terminal.force_login(applicant)
    status, body = api(
        terminal, "/cases", {"bundle": "hotel", "answers": dict(HOTEL_FOUR_ITEMS), "channel": channel}
    )
    assert status == 201, body
    return Case.objects.get(pk=body["id"])


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_window_queue(clerk: User, case: Case) -> bool:
    page = as_user(clerk).get(reverse("cases:window_queue")).content.decode()
    return reverse("cases:window_case", args=[case.pk]) in page


def test_the_kiosk_page_says_which_hall_the_terminal_belongs_to(
    hall_clerk: User, hall: ServiceCenter
) -> None:
    offered = text(as_user(hall_clerk).get(reverse("cases:kiosk")).content)
    assert f"本机将成为{hall.name}的自助终端" in offered

    terminal = terminal_set_up_by(hall_clerk)

    page = text(terminal.get(reverse("cases:kiosk")).content)
    assert f"本机为{hall.name}的自助终端" in page
    assert "本机不是自助终端" not in page


def test_a_case_started_on_a_hall_terminal_waits_at_the_halls_window(
    alice: User, clerk: User, hall_clerk: User, hall: ServiceCenter
) -> None:
    case = start_on_page(terminal_set_up_by(hall_clerk), alice)
    assert (case.channel, case.service_center) == (Channel.KIOSK, hall)
    fill_case(case, alice)
    case = case_submit(case=case, user=alice, key="kiosk-hall-page")

    assert in_window_queue(hall_clerk, case)
    assert not in_window_queue(clerk, case)
    assert as_user(clerk).post(reverse("cases:window_accept", args=[case.pk])).status_code == 404
    accepted = as_user(hall_clerk).post(reverse("cases:window_accept", args=[case.pk]))
    assert accepted["Location"] == reverse("cases:window_case", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_APPROVAL


def test_through_the_api_a_hall_terminal_files_with_the_hall(
    alice: User, clerk: User, hall_clerk: User, hall: ServiceCenter
) -> None:
    terminal = terminal_set_up_by(hall_clerk)
    assert start_by_api(terminal, alice, Channel.KIOSK).service_center == hall
    case = start_by_api(terminal, alice, Channel.ONLINE)
    assert (case.channel, case.service_center) == (Channel.KIOSK, hall)
    fill_case(case, alice)
    status, body = api(terminal, f"/cases/{case.pk}/submit", {"key": "kiosk-hall-api"})
    assert (status, body["status"]) == (200, CaseStatus.SUBMITTED)

    def queued_for(user: User) -> list[object]:
        items = as_user(user).get(f"{API}/window/queue").json()["items"]
        return [item["id"] for item in items]

    assert case.pk in queued_for(hall_clerk)
    assert case.pk not in queued_for(clerk)
    status, body = api(as_user(clerk), f"/cases/{case.pk}/accept")
    assert (status, body["code"]) == (404, "case_not_found")
    status, body = api(as_user(hall_clerk), f"/cases/{case.pk}/accept")
    assert (status, body["status"]) == (200, CaseStatus.IN_APPROVAL)


def test_a_terminal_set_up_before_terminals_had_a_hall_files_with_the_municipal_centre(
    alice: User, municipal: ServiceCenter
) -> None:
    terminal = browser_marked("1")

    page = text(terminal.get(reverse("cases:kiosk")).content)
    assert f"本机为{municipal.name}的自助终端" in page

    case = start_on_page(terminal, alice)
    assert (case.channel, case.service_center) == (Channel.KIOSK, municipal)
    assert start_by_api(terminal, alice).service_center == municipal


def test_a_mark_naming_a_centre_that_is_gone_files_with_the_municipal_centre(
    alice: User, municipal: ServiceCenter
) -> None:
    gone = (ServiceCenter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    terminal = browser_marked(f"center:{gone}")

    response = terminal.get(reverse("cases:kiosk"))
    assert response.status_code == 200
    assert f"本机为{municipal.name}的自助终端" in text(response.content)

    case = start_on_page(terminal, alice)
    assert (case.channel, case.service_center) == (Channel.KIOSK, municipal)
    assert start_by_api(terminal, alice, Channel.KIOSK).service_center == municipal


def test_a_mark_edited_to_name_another_centre_makes_no_terminal(
    alice: User, hall_clerk: User, hall: ServiceCenter, municipal: ServiceCenter
) -> None:
    terminal = terminal_set_up_by(hall_clerk)
    mark = terminal.cookies[KIOSK_COOKIE].value
    edited = mark.replace(f"center:{hall.pk}:", f"center:{municipal.pk}:", 1)
    assert edited != mark
    terminal.cookies[KIOSK_COOKIE] = edited

    response = terminal.get(reverse("cases:kiosk"))
    assert response.status_code == 200
    assert "本机不是自助终端" in text(response.content)
    assert start_on_page(terminal, alice).channel == Channel.ONLINE
    status, body = api(
        terminal, "/cases", {"bundle": "hotel", "answers": dict(HOTEL_FOUR_ITEMS), "channel": Channel.KIOSK}
    )
    assert (status, body["code"]) == (403, "kiosk_only")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CLERK])
def test_staff_of_no_centre_cannot_set_up_a_terminal(alice: User, role: str) -> None:
    staff = User.objects.create_user(username=f"{role}_nowhere", role=role, service_center=None)
    browser = as_user(staff)

    page = browser.get(reverse("cases:kiosk")).content
    assert b'id="kiosk-set-up"' not in page
    assert "您的账号没有所属服务中心，不能设置自助终端" in text(page)
    refused = browser.post(reverse("cases:kiosk"))
    assert refused.status_code == 403
    assert "您的账号没有所属服务中心，不能设置自助终端" in text(refused.content)

    assert start_on_page(browser, alice).channel == Channel.ONLINE

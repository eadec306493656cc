"""On a self-service terminal an idle sign-in ends by itself: the page warns, 继续办理 keeps it, and
otherwise the field being typed in is saved, the person signed out and the kiosk page shown again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.demo import demo_enterprises_create
from onewindow.cases.models import Case
from onewindow.cases.services import case_start

from .conftest import OpenPage, log_in

pytestmark = pytest.mark.browser

HOTEL_FOUR_ITEMS = {"premises_leased": "yes", "food": "breakfast", "use_commitment": "yes"}
# The page signs out 2 s before the server would, and warns 4 s before that.
IDLE_SECONDS = 12
WAIT_MS = 15_000


@pytest.fixture
def draft(open_page: OpenPage, settings: Settings) -> Case:
    settings.KIOSK_IDLE_SECONDS = IDLE_SECONDS
    demo_enterprises_create()
    applicant = User.objects.get(username="applicant")
    return case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))


def test_an_idle_terminal_saves_what_was_typed_and_signs_out(open_page: OpenPage, draft: Case) -> None:
    terminal = open_page("clerk")
    terminal.goto("/kiosk/")
    terminal.get_by_role("button", name="将本机设为自助终端").click()
    terminal.get_by_role("button", name="退出登录").click()
    expect(terminal).to_have_url(re.compile(r"/kiosk/$"))
    log_in(terminal, "applicant")

    terminal.goto(f"/cases/{draft.pk}/form/")
    warning = terminal.get_by_text("即将自动退出，点击继续办理")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    terminal.get_by_role("button", name="继续办理").click()
    expect(warning).to_be_hidden()
    expect(terminal).to_have_url(re.compile(rf"/cases/{draft.pk}/form/$"))

    address = terminal.get_by_label("经营场所地址")
    address.fill("天门市竟陵街道东湖路8号3楼")  # still in the field: not saved yet
    expect(warning).to_be_visible(timeout=WAIT_MS)
    terminal.wait_for_url(re.compile(r"/kiosk/$"), timeout=WAIT_MS)

    expect(terminal.get_by_role("link", name="登录")).to_be_visible()
    expect(terminal.get_by_text("当前用户")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.form_data["business_address"] == "天门市竟陵街道东湖路8号3楼"
    terminal.goto("/my/cases/")
    expect(terminal).to_have_url(re.compile(r"/accounts/login/"))

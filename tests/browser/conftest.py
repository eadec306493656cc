"""Browser journeys: Debian's headless Chromium, driven by Playwright, against a live, freshly seeded server."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from onewindow.accounts.services import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
# How this machine kind runs Debian's Chromium (docs: architecture.md, Stack).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000

OpenPage = Callable[..., Page]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, after pytest-django's own ordering.

    While the session's Playwright runs, its event loop is the main thread's running loop, so
    a later test calling asyncio.run() (pyHanko's signing does) would fail. With the browser
    tests last, Playwright stops at the end of the session with nothing left to disturb.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, so fixtures can tell a failed test at teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = (
            f"未找到浏览器 {CHROMIUM}，请安装 Debian 的 chromium 软件包。"
            f" / Chromium not found at {CHROMIUM}: install Debian's chromium package."
        )
        if os.environ.get("ONEWINDOW_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in the main thread, where Django's ORM
    # (the fixtures, and the live server's shared test connection) then refuses to run.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def seeded_live_server(
    live_server: LiveServer, transactional_db: None, settings: Settings, tmp_path: Path
) -> LiveServer:
    """The live server over a database seeded again: live_server's transactional_db flushes it after each test."""
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded materials stay out of var/
    call_command("seed", "--demo", "--without-cases", stdout=StringIO())
    return live_server


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person does."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    expect(page.get_by_role("button", name="退出")).to_be_visible()


@pytest.fixture
def open_page(
    browser: Browser, seeded_live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[OpenPage]:
    """open_page(username=None): a page in a new browser context (its own cookies), signed in when asked.

    On failure every open page is saved to test-results/: the last one opened as <test>.png.
    """
    opened: list[tuple[str, BrowserContext, Page]] = []

    def open_(username: str | None = None) -> Page:
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", base_url=seeded_live_server.url
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        opened.append((username or "anonymous", context, page))
        if username:
            log_in(page, username)
        return page

    yield open_

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = request.config.rootpath / "test-results"
        folder.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for index, (label, _context, page) in enumerate(reversed(opened)):
            path = folder / (f"{name}.png" if index == 0 else f"{name}-{len(opened) - index}-{label}.png")
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"screenshot {path} not saved: {exc}")
    for _label, context, _page in opened:
        context.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """An anonymous visitor's page (locale zh-CN)."""
    return open_page()

"""Shared test fixtures: the seeded city and a fixed cast of users per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import translation
from pytest_django.fixtures import Settings

from onewindow.lib.revision import RevisionCache

if TYPE_CHECKING:
    from onewindow.accounts.models import User
    from onewindow.cases.models import Case


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Seed reference data and the demo cast once per test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("seed", "--demo", "--without-cases", verbosity=0)


@pytest.fixture
def alice(db: None) -> User:
    """The demo applicant, owner of 天门市悦来宾馆有限公司; the demo enterprises are in the e-licence library."""
    from onewindow.accounts.models import User
    from onewindow.cases.demo import demo_enterprises_create

    demo_enterprises_create()
    return User.objects.select_related("enterprise").get(username="applicant")


@pytest.fixture
def bob(alice: User) -> User:
    """Another applicant, owner of 天门市陆羽茶文化酒店有限公司: alice's cases are none of his business."""
    from onewindow.accounts.models import Enterprise, Role, User

    enterprise = Enterprise.objects.get(name="天门市陆羽茶文化酒店有限公司")
    return User.objects.create_user(
        username="bob", password="Bob-pass-2026", role=Role.APPLICANT, enterprise=enterprise
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language (Chinese).

    A request in English leaves English active on the thread (LocaleMiddleware does not switch
    back), and a later test calling a service or command directly would answer in English.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_media(settings: Settings, tmp_path: Path) -> None:
    """Uploads, notices and licences a test writes go to its own directory, never the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path


def seed_again() -> None:
    """Seed reference data, the demo cast and the demo enterprises again.

    For tests with `transaction=True`: they flush the database afterwards, so each seeds its own.
    """
    from onewindow.cases.demo import demo_enterprises_create

    call_command("seed", "--demo", "--without-cases", verbosity=0)
    demo_enterprises_create()


def accepted_hotel_case(applicant: User, answers: Mapping[str, str] | None = None) -> Case:
    """A hotel case of the applicant's, filled, submitted and accepted by the demo clerk: one branch
    per item in the departments' queues. Four items (HOTEL_FOUR_ITEMS) unless `answers` say otherwise."""
    from onewindow.accounts.models import User
    from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
    from onewindow.cases.services import case_accept, case_start, case_submit

    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(answers or HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    case = case_submit(case=case, user=applicant, key=f"accepted-{case.pk}")
    return case_accept(case=case, clerk=User.objects.get(username="clerk"))


def run_queued_tasks() -> int:
    """Run every queued task as the database worker does, inside the test's transaction.

    `onewindow db_worker` itself closes connections that are inside a transaction, which would end
    the test's own transaction on PostgreSQL; this drives the same Worker.run_task instead.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    for row in DBTaskResult.objects.ready().order_by("enqueued_at", "id"):
        row.claim("tests")
        worker.run_task(row)
        ran += 1
    return ran


def rows_locked_while(hold: Callable[[], object], rows: dict[str, QuerySet[Any]]) -> list[str]:
    """Names of the `rows` another connection cannot lock while `hold()` runs in a transaction.

    For PostgreSQL tests with `transaction=True`: `hold` runs in a thread inside its own transaction
    and keeps its locks while a second thread tries each query set with FOR UPDATE NOWAIT.
    """
    import threading

    from django.db import DatabaseError, connection, transaction

    held = threading.Event()
    release = threading.Event()
    blocked: list[str] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def probe() -> None:
        try:
            for name, queryset in rows.items():
                try:
                    with transaction.atomic():
                        list(queryset.select_for_update(nowait=True))
                except DatabaseError:
                    blocked.append(name)
        finally:
            connection.close()

    holding = threading.Thread(target=holder)
    holding.start()
    assert held.wait(timeout=30), "the holding transaction did not start"
    probing = threading.Thread(target=probe)
    probing.start()
    probing.join(timeout=30)
    release.set()
    holding.join(timeout=30)
    return blocked


@contextmanager
def cache_isolated(
    cache: RevisionCache[Any, Any], token_file: Path, *, keep_in_transactions: bool = False
) -> Iterator[None]:
    """The cache empty, with a revision file of the test's own (other processes using the data
    directory cannot bump it), and empty again afterwards. With `keep_in_transactions` it keeps what
    is read inside the test's transaction, as it would outside one."""
    saved = cache.token_file, cache.keep_in_transactions
    cache.token_file, cache.keep_in_transactions = token_file, keep_in_transactions
    cache.clear()
    try:
        yield
    finally:
        cache.token_file, cache.keep_in_transactions = saved
        cache.clear()

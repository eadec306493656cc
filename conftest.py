"""Shared test fixtures: the seeded city and a fixed cast of users per role."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Seed reference data and the demo cast once per test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("seed", "--demo", "--without-cases", verbosity=0)


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

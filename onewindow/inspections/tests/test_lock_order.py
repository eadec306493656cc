"""A joint inspection's steps lock the case before its branches, as decisions do: no deadlock between them."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.cases.models import Case
from onewindow.inspections.models import InspectionStatus, JointInspection
from onewindow.inspections.services import inspection_close


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


@pytest.fixture(autouse=True)
def seeded(transactional_db: None) -> None:
    # Transactional tests flush the database afterwards; seed what this one needs before the
    # fixtures below look up the demo inspector.
    call_command("seed", "--demo", "--without-cases", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_an_inspection_step_waits_for_the_case_before_taking_any_branch(
    inspection: JointInspection, chen: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    branch_ids = list(inspection.assignments.values_list("branch_id", flat=True))
    held, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def decision_holding_the_case() -> None:
        try:
            with transaction.atomic():
                list(Case.objects.select_for_update().filter(pk=inspection.case_id))
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def organiser_closing_the_inspection() -> None:
        try:
            inspection_close(
                inspection=JointInspection.objects.get(pk=inspection.pk),
                organiser=chen,
                reason="申请人要求改期",
            )
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=decision_holding_the_case)
    holder.start()
    assert held.wait(timeout=30)
    closer = threading.Thread(target=organiser_closing_the_inspection)
    closer.start()
    deadline = time.monotonic() + 10
    while backends_waiting_for_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backends_waiting_for_a_lock() == 1, "closing the inspection should be waiting for the case"

    # While it waits for the case, it holds none of the branches a decision would lock next.
    with transaction.atomic():
        free = list(Branch.objects.filter(pk__in=branch_ids).select_for_update(nowait=True, of=("self",)))
    assert len(free) == len(branch_ids)

    release.set()
    holder.join(timeout=30)
    closer.join(timeout=30)
    assert not failures, failures
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED

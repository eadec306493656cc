"""A write to one case holds that case's row only: other applicants' cases of the same bundle go on."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from onewindow.accounts.models import User
from onewindow.bundles.models import Bundle
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, demo_enterprises_create
from onewindow.cases.models import Case
from onewindow.cases.services import _lock, case_start


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="行锁范围只在 PostgreSQL 上可观察")
@pytest.mark.django_db(transaction=True)
def test_a_case_write_in_progress_leaves_bundle_and_applicant_free() -> None:
    call_command("seed", "--demo", "--without-cases", verbosity=0)
    demo_enterprises_create()
    alice = User.objects.get(username="applicant")
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    held = threading.Event()
    release = threading.Event()
    blocked: list[str] = []

    def write() -> None:
        try:
            with transaction.atomic():
                _lock(case.pk)
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def probe() -> None:
        rows = {
            "bundle": Bundle.objects.filter(pk=case.bundle_id),
            "applicant": User.objects.filter(pk=alice.pk),
            "case": Case.objects.filter(pk=case.pk),
        }
        try:
            for name, rows_of in rows.items():
                try:
                    with transaction.atomic():
                        list(rows_of.select_for_update(nowait=True))
                except DatabaseError:
                    blocked.append(name)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    assert held.wait(timeout=30)
    prober = threading.Thread(target=probe)
    prober.start()
    prober.join(timeout=30)
    release.set()
    writer.join(timeout=30)

    assert blocked == ["case"]

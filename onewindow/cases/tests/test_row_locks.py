"""A write to one case holds that case's row only: other applicants' cases of the same bundle go on."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import rows_locked_while, seed_again
from onewindow.accounts.models import User
from onewindow.bundles.models import Bundle
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case
from onewindow.cases.services import _lock, case_start


@pytest.mark.skipif(connection.vendor != "postgresql", reason="行锁范围只在 PostgreSQL 上可观察")
@pytest.mark.django_db(transaction=True)
def test_a_case_write_in_progress_leaves_bundle_and_applicant_free() -> None:
    seed_again()
    alice = User.objects.get(username="applicant")
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))

    blocked = rows_locked_while(
        lambda: _lock(case.pk),
        {
            "bundle": Bundle.objects.filter(pk=case.bundle_id),
            "applicant": User.objects.filter(pk=alice.pk),
            "case": Case.objects.filter(pk=case.pk),
        },
    )

    assert blocked == ["case"]

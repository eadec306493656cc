"""While the e-licence library is down nothing is lost: pushes arrive when it returns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import run_queued_tasks
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.integrations.elicense.models import LibraryLicence, LibraryState
from onewindow.licenses.models import ComprehensiveLicense, LibraryPush, LicenceStatus
from onewindow.licenses.services import licence_end, licence_issue, push_attempt, pushes_retry


@pytest.mark.django_db
def test_pushes_made_during_an_outage_all_arrive_afterwards(
    approved_case: Callable[..., Case], issuer: User, django_capture_on_commit_callbacks
) -> None:
    cases = [approved_case(), approved_case()]
    LibraryState.objects.update_or_create(pk=1, defaults={"online": False, "note": "演练：证照库停机"})
    with django_capture_on_commit_callbacks(execute=True):
        first = licence_issue(case=cases[0], issuer=issuer)
        second = licence_issue(case=cases[1], issuer=issuer)
        licence_end(licence_id=first.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="演练吊销")
    assert run_queued_tasks() >= 1
    pending = LibraryPush.objects.filter(status=LibraryPush.Status.PENDING)
    assert pending.count() == 3
    assert all(p.attempts == 1 and p.last_error for p in pending)
    assert not LibraryLicence.objects.filter(identifier__in=[first.identifier, second.identifier]).exists()

    assert pushes_retry() == (0, 0), "not due yet: retries back off"
    later = timezone.now() + timedelta(hours=2)
    assert pushes_retry(now=later) == (0, 1), "still down: stop at the first failure, keep the order"

    LibraryState.objects.filter(pk=1).update(online=True)
    call_command("pushes", "retry", "--all")
    assert not LibraryPush.objects.filter(status=LibraryPush.Status.PENDING).exists()
    stored = {row.identifier: row.status for row in LibraryLicence.objects.all()}
    assert stored[first.identifier] == LibraryLicence.Status.REVOKED
    assert stored[second.identifier] == LibraryLicence.Status.VALID


@pytest.mark.django_db
def test_a_repeated_push_changes_nothing_twice(issued: ComprehensiveLicense) -> None:
    push = LibraryPush.objects.get(licence=issued)
    assert push_attempt(push_id=push.pk)
    LibraryPush.objects.filter(pk=push.pk).update(status=LibraryPush.Status.PENDING)
    assert push_attempt(push_id=push.pk)
    assert LibraryLicence.objects.filter(identifier=issued.identifier).count() == 1

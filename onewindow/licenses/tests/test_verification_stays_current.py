"""Public verification is served from a per-process cache, yet a change, revocation, cancellation or
expiry shows at once, on the API and on the page.

These tests commit for real (transaction=True): only committed changes start a new licence
revision, and inside a transaction nothing is cached at all, so a test in one transaction would
never reach the cache. The revision file is a temporary one, so other test runs on the machine
cannot disturb it; it is the only thing that tells a process a licence changed, in this process
as in every other gunicorn worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from conftest import cache_isolated
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.licenses import selectors
from onewindow.licenses.models import ComprehensiveLicense, LicenceStatus
from onewindow.licenses.services import licence_change, licence_end, licence_issue

pytestmark = [pytest.mark.django_db(transaction=True)]

API_VERIFY = "/api/v1/licences/verify"


@pytest.fixture(autouse=True)
def _own_revision(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0  # many look-ups here; the limit has its own tests
    with cache_isolated(selectors.verification_cache, tmp_path / "licences.revision"):
        yield


@pytest.fixture
def issued(approved_case: Callable[..., Case]) -> tuple[ComprehensiveLicense, User]:
    # Transactional tests flush the database afterwards; seed what this one needs.
    call_command("seed", "--demo", "--without-cases", verbosity=0)
    issuer = User.objects.get(username="issuer")
    return licence_issue(case=approved_case(), issuer=issuer), issuer


def api(query: str) -> dict[str, Any]:
    response = Client().get(API_VERIFY, {"q": query})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def page(query: str) -> str:
    response = Client().get(reverse("licenses:verify"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def queries_for(request: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured.captured_queries)


def test_a_revocation_shows_at_once_after_the_answer_was_cached(
    issued: tuple[ComprehensiveLicense, User],
) -> None:
    licence, issuer = issued
    assert api(licence.identifier)["state"] == "valid"
    assert 'data-state="valid"' in page(licence.identifier)
    # Served from the cache now: without this the test would prove nothing about staleness.
    assert queries_for(lambda: api(licence.identifier)) == 0
    assert queries_for(lambda: page(licence.identifier)) == 0

    licence_end(
        licence_id=licence.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="以欺骗手段取得许可"
    )

    body = api(licence.identifier)
    assert body["state"] == "revoked"
    assert body["label"] == "已吊销"
    assert body["reason"] == "以欺骗手段取得许可"
    html = page(licence.identifier)
    assert 'data-state="revoked"' in html
    assert "以欺骗手段取得许可" in html
    token_page = Client().get(reverse("licenses:verify_token", args=[licence.verify_token]))
    assert 'data-state="revoked"' in token_page.content.decode()


def test_a_change_marks_the_cached_old_version_changed_and_finds_the_new_one(
    issued: tuple[ComprehensiveLicense, User],
) -> None:
    licence, issuer = issued
    permit_number = licence.permits.order_by("id").values_list("number", flat=True)[0]
    for query in (licence.identifier, licence.number, permit_number):
        assert api(query)["version"] == 1
        assert api(query)["state"] == "valid"

    new = licence_change(
        licence_id=licence.pk, actor=issuer, legal_representative="赵六", note="法定代表人变更"
    )

    old = api(licence.identifier)
    assert old["state"] == "changed"
    assert old["current_version"] == 2
    assert old["current_identifier"] == new.identifier
    assert 'data-state="changed"' in page(licence.identifier)
    for query in (licence.number, permit_number):
        current = api(query)
        assert (current["version"], current["state"]) == (2, "valid")
        assert current["legal_representative"] == "赵*"


def test_a_cancellation_and_the_expiry_date_show_at_once(
    issued: tuple[ComprehensiveLicense, User],
) -> None:
    licence, issuer = issued
    assert licence.valid_until is not None
    assert api(licence.identifier)["state"] == "valid"
    # The day after the licence's last valid day, with the answer of today in the cache.
    with mock.patch.object(timezone, "localdate", return_value=licence.valid_until + timedelta(days=1)):
        assert api(licence.identifier)["state"] == "expired"
        assert 'data-state="expired"' in page(licence.identifier)
    assert api(licence.identifier)["state"] == "valid"

    licence_end(licence_id=licence.pk, actor=issuer, status=LicenceStatus.CANCELLED, reason="申请人申请注销")

    assert api(licence.identifier)["state"] == "cancelled"
    assert 'data-state="cancelled"' in page(licence.identifier)


def test_answers_are_kept_until_the_revision_file_changes(
    issued: tuple[ComprehensiveLicense, User], settings: Settings
) -> None:
    """What another worker process sees: its cached answer, until the file tells it to drop it."""
    licence, _issuer = issued
    cache.clear()
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 1000
    assert api(licence.identifier)["state"] == "valid"
    # A write that sends no signal (the process that made it would have replaced the file).
    ComprehensiveLicense.objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    # The rate limit is on and the answer is cached: not one query.
    assert queries_for(lambda: api(licence.identifier)) == 0
    assert api(licence.identifier)["state"] == "valid"

    selectors.licences_changed()

    assert api(licence.identifier)["state"] == "revoked"


def test_nothing_read_inside_a_transaction_is_kept(issued: tuple[ComprehensiveLicense, User]) -> None:
    licence, issuer = issued
    seen = []

    class RolledBack(Exception):
        pass

    def revoke_then_roll_back() -> None:
        with transaction.atomic():
            licence_end(licence_id=licence.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="误操作")
            seen.append(api(licence.identifier)["state"])
            raise RolledBack

    with pytest.raises(RolledBack):
        revoke_then_roll_back()

    assert seen == ["revoked"]
    assert api(licence.identifier)["state"] == "valid"
    assert 'data-state="valid"' in page(licence.identifier)

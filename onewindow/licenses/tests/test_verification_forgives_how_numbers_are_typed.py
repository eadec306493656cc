"""Public verification finds a licence however its number is typed: in lower case, full-width, with
spaces in or around it, in brackets, with invisible characters from a copy, or with ordinary brackets
around a permit number's year; the QR token alone must be given exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import cache_isolated
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.licenses import selectors
from onewindow.licenses.models import ComprehensiveLicense, LicenceStatus
from onewindow.licenses.services import licence_end, licence_issue

pytestmark = [pytest.mark.django_db]

API_VERIFY = "/api/v1/licences/verify"
ACCEPTED_FORMS = "可输入证照编号、电子证照标识或任一许可证号，字母大小写和括号形式不限。"


@pytest.fixture(autouse=True)
def _unlimited(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0  # many look-ups here; the limit has its own tests
    # Kept as outside a transaction: what one spelling leaves in the cache must not answer another.
    with cache_isolated(
        selectors.verification_cache, tmp_path / "licences.revision", keep_in_transactions=True
    ):
        yield


def found_by_api(query: str) -> str | None:
    response = Client().get(API_VERIFY, {"q": query})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    identifier: str = response.json()["identifier"]
    return identifier


def found_on_page(query: str) -> bool:
    response = Client().get(reverse("licenses:verify"), {"q": query})
    assert response.status_code in (200, 404)
    return 'id="verify-state"' in response.content.decode()


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def permit_number(licence: ComprehensiveLicense) -> str:
    number: str = licence.permits.order_by("id").values_list("number", flat=True)[0]
    return number


def test_a_licence_number_is_found_in_lower_case_full_width_and_with_spaces(
    issued: ComprehensiveLicense,
) -> None:
    number = issued.number
    assert number != number.lower()  # the prefix has letters, so case is really tried
    for typed in (
        number.lower(),
        full_width(number),
        f"  {number} ",
        f"\u3000{full_width(number.lower())}\u3000",
    ):
        assert found_by_api(typed) == issued.identifier, typed
        assert found_on_page(typed), typed


def test_an_identifier_is_found_in_lower_case_and_full_width(issued: ComprehensiveLicense) -> None:
    identifier = issued.identifier
    assert identifier != identifier.lower()
    for typed in (identifier.lower(), full_width(identifier), f" {identifier.lower()} "):
        assert found_by_api(typed) == identifier, typed
        assert found_on_page(typed), typed


def test_a_permit_number_is_found_with_the_brackets_people_type(issued: ComprehensiveLicense) -> None:
    official = permit_number(issued)
    assert "〔" in official and "〕" in official
    for opening, closing in (("[", "]"), ("【", "】"), ("(", ")"), ("（", "）"), ("［", "］"), ("〖", "〗")):
        typed = official.replace("〔", opening).replace("〕", closing)
        assert found_by_api(typed) == issued.identifier, typed
        assert found_on_page(typed), typed
    assert (
        found_by_api(f" {full_width(official.replace('〔', '(').replace('〕', ')'))} ") == issued.identifier
    )


def test_spaces_inside_brackets_around_all_of_it_and_invisible_characters_do_not_matter(
    issued: ComprehensiveLicense,
) -> None:
    """Numbers copied from a chat or a PDF, or written down with a space in the middle."""
    number, official = issued.number, permit_number(issued)
    for typed in (
        f"({number})",
        f"（{number}）",
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"\u200b{number}\ufeff",
        official.replace("〔", " 〔").replace("〕", "〕 "),
        f"【{official}】",
    ):
        assert found_by_api(typed) == issued.identifier, typed
        assert found_on_page(typed), typed


def test_a_permit_number_stored_with_other_brackets_is_still_found_as_typed(
    issued: ComprehensiveLicense,
) -> None:
    """A number a reviewer typed by hand is kept as typed; typing it the same way still finds it."""
    permit = issued.permits.order_by("id")[0]
    permit.number = permit.number.replace("〔", "[").replace("〕", "]")
    permit.save()
    assert found_by_api(permit.number) == issued.identifier


def test_the_qr_token_must_be_given_exactly(issued: ComprehensiveLicense) -> None:
    token = issued.verify_token
    assert found_by_api(token) == issued.identifier  # and kept in the cache now
    other_case = token.swapcase()
    assert other_case != token
    assert found_by_api(other_case) is None
    assert not found_on_page(other_case)
    wrong_token_page = Client().get(reverse("licenses:verify_token", args=[other_case]))
    assert wrong_token_page.status_code == 404
    assert Client().get(reverse("licenses:verify_token", args=[token])).status_code == 200


def test_finding_nothing_says_what_may_be_typed(db: None) -> None:
    page = Client().get(reverse("licenses:verify"), {"q": "HOT000000000000"})
    assert page.status_code == 404
    assert ACCEPTED_FORMS in page.content.decode()

    answer = Client().get(API_VERIFY, {"q": "HOT000000000000"})
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not_found"
    assert body["errors"] == [{"field": "q", "code": "not_found", "message": ACCEPTED_FORMS}]


def test_a_forgiving_look_up_costs_what_an_exact_one_does(issued: ComprehensiveLicense) -> None:
    """The query is normalised, not the rows: every look-up stays an equality on an indexed column."""
    official = permit_number(issued)
    pairs = (
        (issued.number, issued.number.lower()),
        (official, official.replace("〔", "[").replace("〕", "]")),
    )
    for exact, typed in pairs:
        with CaptureQueriesContext(connection) as exact_queries:
            assert found_by_api(exact) == issued.identifier
        with CaptureQueriesContext(connection) as typed_queries:
            assert found_by_api(typed) == issued.identifier
        assert len(typed_queries.captured_queries) == len(exact_queries.captured_queries)
        sql = " ".join(query["sql"].upper() for query in typed_queries.captured_queries)
        assert " LIKE " not in sql
        assert "UPPER(" not in sql and "LOWER(" not in sql


@pytest.mark.django_db(transaction=True)
def test_an_answer_kept_for_a_lower_case_number_shows_a_revocation_at_once(
    approved_case: Callable[..., Case],
) -> None:
    """Each spelling is kept apart in the cache, and every one is dropped when a licence changes."""
    # Committed for real, as only a committed change starts a new licence revision; the flushed
    # database needs its seed again.
    call_command("seed", "--demo", "--without-cases", verbosity=0)
    issuer = User.objects.get(username="issuer")
    licence = licence_issue(case=approved_case(), issuer=issuer)
    typed = licence.number.lower()

    def state() -> str:
        value: str = Client().get(API_VERIFY, {"q": typed}).json()["state"]
        return value

    assert state() == "valid"
    with CaptureQueriesContext(connection) as kept:
        assert state() == "valid"
    assert kept.captured_queries == []

    licence_end(
        licence_id=licence.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="以欺骗手段取得许可"
    )

    assert state() == "revoked"

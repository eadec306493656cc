"""Public verification shows who holds a licence without giving away personal data: a legal
representative by surname only; a person holding a licence by surname and a masked ID number.
An enterprise's name and credit code are public and shown in full. The same on the API and the
page, on the first (computed) answer and on the cached one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import cache_isolated
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.licenses import selectors
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import licence_issue

API_VERIFY = "/api/v1/licences/verify"
PERSON_ID = "34052419800101001X"
PERSON_NAME = "王小明"


@pytest.fixture(autouse=True)
def _own_revision(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0
    with cache_isolated(selectors.verification_cache, tmp_path / "licences.revision"):
        yield


def _issue(approved_case: Callable[..., Case]) -> ComprehensiveLicense:
    return licence_issue(case=approved_case(), issuer=User.objects.get(username="issuer"))


def _held_by_a_person(licence: ComprehensiveLicense) -> ComprehensiveLicense:
    licence.holder_name = PERSON_NAME
    licence.holder_code = PERSON_ID
    licence.legal_representative = PERSON_NAME
    licence.save(update_fields=["holder_name", "holder_code", "legal_representative"])
    return licence


def _answers(query: str) -> list[str]:
    """The API's JSON and the page's HTML, twice each: computed, then from the cache (when committed)."""
    texts = []
    for _ in range(2):
        api = Client().get(API_VERIFY, {"q": query})
        assert api.status_code == 200
        texts.append(api.content.decode())
        html = Client().get(reverse("licenses:verify"), {"q": query})
        assert html.status_code == 200
        texts.append(html.content.decode())
    return texts


def _check_enterprise(licence: ComprehensiveLicense) -> None:
    representative = licence.legal_representative
    masked = representative[0] + "*" * (len(representative) - 1)
    for text in _answers(licence.identifier):
        assert representative not in text
        assert masked in text
        assert licence.holder_name in text
        assert licence.holder_code in text


def _check_person(licence: ComprehensiveLicense) -> None:
    for text in _answers(licence.identifier):
        assert PERSON_NAME not in text
        assert PERSON_ID not in text
        assert "王**" in text
        assert "340524********001X" in text


@pytest.mark.django_db
def test_an_enterprise_is_shown_and_its_legal_representative_masked(
    approved_case: Callable[..., Case],
) -> None:
    _check_enterprise(_issue(approved_case))


@pytest.mark.django_db
def test_a_person_holding_a_licence_is_masked(approved_case: Callable[..., Case]) -> None:
    _check_person(_held_by_a_person(_issue(approved_case)))


@pytest.mark.django_db(transaction=True)
def test_cached_answers_stay_masked(approved_case: Callable[..., Case]) -> None:
    # Transactional tests flush the database afterwards; seed what this one needs.
    call_command("seed", "--demo", "--without-cases", verbosity=0)
    licence = _issue(approved_case)
    _check_enterprise(licence)
    _check_person(_held_by_a_person(licence))

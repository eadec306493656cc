"""Choosing English: the licence page's seal check and actions, their messages, the licence API's errors
and public verification's answer.

The licence's own data (names, numbers, the issuer) is content and stays Chinese, so the checks look
at the system's own words only. Each English check has its Chinese default next to it.

Cast: issuer (综合审批科, centre 429006), alice (the demo applicant who owns the licence).
"""

from __future__ import annotations

import json
import re
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
from onewindow.licenses.services import licence_change, licence_issue

pytestmark = pytest.mark.django_db

API = "/api/v1/licences"
ENGLISH = {"accept-language": "en"}
SEAL_OK = "Valid signature; the file has not been changed since it was signed"
SEAL_OK_DEFAULT = "签名有效，文件自签署后未被修改"


def signed_in(user: User, *, english: bool = True) -> Client:
    """A browser of `user` who chose English with the language switch in the footer (or did not)."""
    client = Client()
    client.force_login(user)
    if english:
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302
    return client


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_licence_page_shows_the_seal_check_and_the_actions_in_english(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    url = reverse("licenses:detail", args=[issued.pk])
    page = signed_in(issuer).get(url).content.decode()
    assert '<html lang="en">' in page
    assert re.search(r'id="seal-badge">Valid signature<', page)
    titles = [text(inner) for inner in re.findall(r"<summary>(.*?)</summary>", page, re.S)]
    assert {"Amend (creates a new version)", "Revoke", "Cancel"} <= set(titles), titles
    assert "Code type: Unified Social Credit Code" in text(page)

    default = signed_in(issuer, english=False).get(url).content.decode()
    assert re.search(r'id="seal-badge">签名有效<', default)
    assert "<summary>吊销</summary>" in default
    assert "代码类型：统一社会信用代码" in text(default)


def test_revoking_is_confirmed_in_english(issued: ComprehensiveLicense, issuer: User) -> None:
    client = signed_in(issuer)
    response = client.post(
        reverse("licenses:revoke", args=[issued.pk]), {"revoke-reason": "以欺骗手段取得许可"}, follow=True
    )
    issued.refresh_from_db()
    assert issued.status == LicenceStatus.REVOKED
    assert "The licence has been revoked; the public verification page shows this straight away." in text(
        response.content.decode()
    )


def test_choosing_pickup_gives_the_collection_code_in_english(
    issued: ComprehensiveLicense, alice: User
) -> None:
    client = signed_in(alice)
    response = client.post(
        reverse("licenses:delivery", args=[issued.pk]), {"delivery-method": "pickup"}, follow=True
    )
    code = ComprehensiveLicense.objects.get(pk=issued.pk).delivery.pickup_code
    assert (
        f"You chose to collect the licence at the window. Your collection code is {code}; "
        "show it at the window when you collect the licence."
    ) in text(response.content.decode())


def test_a_licence_action_refused_by_the_api_says_why_in_english(
    issued: ComprehensiveLicense, alice: User
) -> None:
    client = signed_in(alice, english=False)
    url = f"{API}/{issued.pk}/revoke"
    body = json.dumps({"reason": "我不想要了"})

    asked_english = client.post(url, body, content_type="application/json", headers=ENGLISH)
    assert asked_english.status_code == 403
    assert asked_english.json()["code"] == "not_allowed"
    assert asked_english.json()["message"] == (
        "Only staff of this centre's comprehensive approval office or supervisors can revoke or cancel a licence."
    )

    default = client.post(url, body, content_type="application/json")
    assert default.status_code == 403
    assert default.json()["message"] == "只有本中心综合审批机构人员或督查人员可以吊销或注销证照。"


def test_the_licence_api_gives_the_seal_check_label_in_english(
    issued: ComprehensiveLicense, alice: User
) -> None:
    client = signed_in(alice, english=False)
    asked_english = client.get(f"{API}/{issued.pk}", headers=ENGLISH).json()
    assert asked_english["signature"]["code"] == "ok"
    assert asked_english["signature"]["label"] == "Valid signature"
    assert client.get(f"{API}/{issued.pk}").json()["signature"]["label"] == "签名有效"

    missing = client.get(f"{API}/{issued.pk + 1000}", headers=ENGLISH)
    assert missing.status_code == 404
    assert missing.json()["message"] == "Licence not found. Please check the link to the licence."


def test_public_verification_finding_nothing_says_so_in_english(db: None) -> None:
    asked_english = Client().get(f"{API}/verify", {"q": "NO-SUCH-LICENCE"}, headers=ENGLISH)
    assert asked_english.status_code == 404
    assert asked_english.json()["message"] == (
        "No licence matches what you entered. Please check the e-licence ID, licence number, "
        "permit number or QR verification code and try again."
    )

    page = Client().get(reverse("licenses:verify"), {"q": "NO-SUCH-LICENCE"}, headers=ENGLISH)
    assert page.status_code == 404
    assert '<html lang="en">' in page.content.decode()
    assert "No licence matches what you entered." in text(page.content.decode())


def test_the_licence_page_says_in_english_what_the_seal_check_found(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    url = reverse("licenses:detail", args=[issued.pk])
    page = text(signed_in(issuer).get(url).content.decode())
    assert f"Valid signature {SEAL_OK}" in page
    assert SEAL_OK_DEFAULT not in page

    default = text(signed_in(issuer, english=False).get(url).content.decode())
    assert f"签名有效 {SEAL_OK_DEFAULT}" in default


def test_the_licence_api_gives_the_seal_check_sentence_in_english(
    issued: ComprehensiveLicense, alice: User
) -> None:
    client = signed_in(alice, english=False)
    assert client.get(f"{API}/{issued.pk}", headers=ENGLISH).json()["signature"]["message"] == SEAL_OK
    assert client.get(f"{API}/{issued.pk}").json()["signature"]["message"] == SEAL_OK_DEFAULT


def verify_api(query: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    response = Client().get(f"{API}/verify", {"q": query}, headers=headers)
    assert response.status_code == 200, response.content
    body: dict[str, str] = response.json()
    return body


def verify_state(query: str, headers: dict[str, str] | None = None) -> str:
    """The state line of the public verification page, as read out."""
    response = Client().get(reverse("licenses:verify"), {"q": query}, headers=headers)
    assert response.status_code == 200
    match = re.search(r'<p class="verify-state.*?</p>', response.content.decode(), re.S)
    assert match is not None
    return text(match.group(0))


def test_public_verification_gives_the_licence_state_in_english(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    assert verify_api(issued.identifier, ENGLISH)["label"] == "Valid"
    assert verify_state(issued.identifier, ENGLISH) == "Valid"
    assert verify_api(issued.identifier)["label"] == "有效"
    assert verify_state(issued.identifier) == "有效"

    licence_change(licence_id=issued.pk, actor=issuer, legal_representative="赵六", note="法定代表人变更")
    assert verify_api(issued.identifier, ENGLISH)["label"] == "Amended: please rely on the latest version"
    assert verify_state(issued.identifier, ENGLISH) == "Amended: please rely on the latest version"
    assert verify_api(issued.identifier)["label"] == "已变更，请以最新版本为准"


@pytest.fixture
def own_revision(tmp_path: Path) -> Iterator[None]:
    """An empty verification cache whose revision file no other test run can touch."""
    with cache_isolated(selectors.verification_cache, tmp_path / "licences.revision"):
        yield


def queries_for(request: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured.captured_queries)


# Committed for real: inside a transaction nothing is cached, and this test is about the cache.
@pytest.mark.django_db(transaction=True)
def test_a_cached_verification_answer_is_never_served_in_the_other_language(
    approved_case: Callable[..., Case], own_revision: None, settings: Settings
) -> None:
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0  # many look-ups; the limit has its own tests
    # Transactional tests flush the database afterwards; seed what this one needs.
    call_command("seed", "--demo", "--without-cases", verbosity=0)
    licence = licence_issue(case=approved_case(), issuer=User.objects.get(username="issuer"))

    # Chinese first: the answer is computed and kept ...
    assert verify_api(licence.identifier)["label"] == "有效"
    assert queries_for(lambda: verify_api(licence.identifier)) == 0
    # ... and English right after is its own answer, not the kept Chinese one, and is kept in turn.
    assert verify_api(licence.identifier, ENGLISH)["label"] == "Valid"
    assert queries_for(lambda: verify_api(licence.identifier, ENGLISH)) == 0
    assert verify_api(licence.identifier)["label"] == "有效"
    assert verify_api(licence.identifier, ENGLISH)["label"] == "Valid"

    # The reverse, with a query not asked yet: English first, then Chinese.
    assert verify_api(licence.number, ENGLISH)["label"] == "Valid"
    assert queries_for(lambda: verify_api(licence.number, ENGLISH)) == 0
    assert verify_api(licence.number)["label"] == "有效"
    assert queries_for(lambda: verify_api(licence.number)) == 0
    assert verify_api(licence.number, ENGLISH)["label"] == "Valid"

    # The page keeps its answer per language too.
    assert verify_state(licence.verify_token, ENGLISH) == "Valid"
    assert verify_state(licence.verify_token) == "有效"
    assert verify_state(licence.verify_token, ENGLISH) == "Valid"

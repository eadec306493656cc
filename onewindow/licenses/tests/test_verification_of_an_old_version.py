"""Scanning the QR code of an old version (still on the wall after a change) says what became of the
licence: the latest version, and whether it has since been revoked or cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import cache_isolated
from onewindow.accounts.models import User
from onewindow.licenses import selectors, services
from onewindow.licenses.models import ComprehensiveLicense, LicenceStatus

pytestmark = pytest.mark.django_db

API_VERIFY = "/api/v1/licences/verify"


@pytest.fixture(autouse=True)
def _own_revision(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0
    with cache_isolated(selectors.verification_cache, tmp_path / "licences.revision"):
        yield


def changed(licence: ComprehensiveLicense, issuer: User) -> ComprehensiveLicense:
    return services.licence_change(
        licence_id=licence.pk, actor=issuer, legal_representative="李四", note="法定代表人变更"
    )


def scanned(licence: ComprehensiveLicense) -> str:
    return Client().get(reverse("licenses:verify_token", args=[licence.verify_token])).content.decode()


def verified(licence: ComprehensiveLicense) -> Any:
    return Client().get(API_VERIFY, {"q": licence.identifier}).json()


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [(LicenceStatus.REVOKED, "revoked", "已吊销"), (LicenceStatus.CANCELLED, "cancelled", "已注销")],
)
def test_scanning_the_old_version_of_a_since_ended_licence_says_so(
    issued: ComprehensiveLicense, issuer: User, status: str, state: str, words: str
) -> None:
    new = changed(issued, issuer)
    services.licence_end(licence_id=new.pk, actor=issuer, status=status, reason="经营者申请")

    page = scanned(issued)
    api = verified(issued)

    assert f"已变更，且最新版本{words}：该证照已无效" in page
    assert f'data-current-state="{state}"' in page
    assert "最新版本吊销或注销的原因：经营者申请" in page
    assert api["state"] == "changed"
    assert api["current_state"] == state
    assert api["current_version"] == 2
    assert api["label"] == f"已变更，且最新版本{words}：该证照已无效"


def test_scanning_the_old_version_of_a_valid_licence_points_to_the_latest(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    new = changed(issued, issuer)

    page = scanned(issued)
    api = verified(issued)

    assert "已变更，请以最新版本为准" in page
    assert f"最新版本：{new.number}（第 2 版）" in page
    assert "该证照已无效" not in page
    assert api["current_state"] == "valid"
    assert api["label"] == "已变更，请以最新版本为准"


def test_the_latest_version_itself_has_no_current_state(issued: ComprehensiveLicense) -> None:
    api = verified(issued)

    assert api["state"] == "valid"
    assert api["current_state"] is None

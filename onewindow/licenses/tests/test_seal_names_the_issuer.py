"""The demo seal carries the issuing body's name: the licence page shows one body as 发证机关 and as
the signer of its electronic seal, whatever LICENCE_ISSUER_NAME says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.licenses.pki import init_demo_pki
from onewindow.licenses.services import licence_issue

ISSUER = "仙桃市行政审批局"


@pytest.fixture
def fresh_demo_pki(settings: Settings, tmp_path: Path) -> Path:
    """A machine where the demo PKI has not been made yet, with an issuer of its own."""
    settings.LICENCE_ISSUER_NAME = ISSUER
    settings.LICENCE_SIGNING_CERT = ""
    settings.LICENCE_TRUST_ROOTS = ""
    settings.LICENCE_DEMO_PKI_DIR = str(tmp_path / "pki")
    return tmp_path / "pki"


def names(path: Path) -> tuple[str, str]:
    subject = x509.load_pem_x509_certificate(path.read_bytes()).subject
    organisation = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    common_name = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return str(organisation), str(common_name)


def test_a_new_demo_pki_is_the_issuers(fresh_demo_pki: Path) -> None:
    paths, created = init_demo_pki()
    assert created
    assert names(paths.signer_cert) == (ISSUER, f"{ISSUER}电子印章")
    assert names(paths.ca_cert) == (ISSUER, f"{ISSUER}演示根证书（仅供演示）")


@pytest.mark.django_db
def test_the_licence_page_names_the_issuer_as_the_signer_too(
    fresh_demo_pki: Path, approved_case: Callable[..., Case], issuer: User
) -> None:
    licence = licence_issue(case=approved_case(), issuer=issuer)
    client = Client()
    client.force_login(issuer)

    html = client.get(reverse("licenses:detail", args=[licence.pk])).content.decode()

    assert f"<dt>发证机关</dt><dd>{ISSUER}</dd>" in html
    assert re.search(f"<dt>签章</dt><dd>{ISSUER}电子印章，", html)
    assert "政务服务中心电子印章" not in html
    signature = client.get(f"/api/v1/licences/{licence.pk}").json()["signature"]
    assert (signature["code"], signature["signer"]) == ("ok", f"{ISSUER}电子印章")

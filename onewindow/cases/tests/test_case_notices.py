"""The window's written notices: each one is a PDF with the case number, for the applicant and the staff."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import case_accept, case_refuse, case_request_supplement, case_submit

PDFTOTEXT = "/usr/bin/pdftotext"

pytestmark = pytest.mark.skipif(
    not (Path(PDFTOTEXT).exists() and Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc").exists()),
    reason="needs poppler-utils (pdftotext) and fonts-wqy-zenhei",
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        [shutil.which("pdftotext") or PDFTOTEXT, "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return "".join(result.stdout.split())


def download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return response.content


@pytest.mark.django_db
def test_acceptance_notice(
    client: Client, submitted: Case, clerk: User, alice: User, bob: User, tmp_path: Path
) -> None:
    case_accept(case=submitted, clerk=clerk)
    client.force_login(bob)
    assert client.get(reverse("cases:notice", args=[submitted.pk, "acceptance"])).status_code == 404
    client.force_login(alice)
    text = pdf_text(download(client, reverse("cases:notice", args=[submitted.pk, "acceptance"])), tmp_path)
    assert "受理通知书" in text
    assert str(submitted.number) in text
    assert submitted.service_center.name in text
    assert "天门市悦来宾馆有限公司" in text
    assert "".join(submitted.plan["items"][0]["name"].split()) in text


@pytest.mark.django_db
def test_supplement_notice_lists_everything_with_the_legal_basis(
    client: Client, submitted: Case, clerk: User, alice: User, tmp_path: Path
) -> None:
    row = (
        submitted.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD)
        .select_related("material")
        .first()
    )
    assert row is not None
    request = case_request_supplement(
        case=submitted,
        clerk=clerk,
        entries=[
            {"material": row.material.code, "reason": "扫描件模糊"},
            {"material": "", "reason": "从业人员数量填写有误"},
        ],
    )
    for user in (alice, clerk):
        client.force_login(user)
        text = pdf_text(
            download(client, reverse("cases:supplement_notice", args=[submitted.pk, request.pk])), tmp_path
        )
        assert "补正材料通知书" in text
        assert str(submitted.number) in text
        assert "扫描件模糊" in text
        assert "从业人员数量填写有误" in text
        assert "《中华人民共和国行政许可法》第三十二条" in text


@pytest.mark.django_db
def test_refusal_notice_gives_the_reason_and_the_remedies(
    client: Client, submitted: Case, clerk: User, alice: User, tmp_path: Path
) -> None:
    case_refuse(case=submitted, clerk=clerk, reason="申请经营场所不在本市行政区域内")
    client.force_login(alice)
    text = pdf_text(download(client, reverse("cases:notice", args=[submitted.pk, "refusal"])), tmp_path)
    assert "不予受理通知书" in text
    assert str(submitted.number) in text
    assert "申请经营场所不在本市行政区域内" in text
    assert "六十日内" in text
    assert "行政复议" in text
    assert "六个月内" in text
    assert "行政诉讼" in text


@pytest.mark.django_db
def test_notices_that_do_not_exist_yet_and_strangers_get_404(
    client: Client, submitted: Case, bob: User
) -> None:
    client.force_login(submitted.applicant)
    assert client.get(reverse("cases:notice", args=[submitted.pk, "acceptance"])).status_code == 404
    assert client.get(reverse("cases:notice", args=[submitted.pk, "refusal"])).status_code == 404
    client.force_login(bob)
    assert client.get(reverse("cases:progress", args=[submitted.pk])).status_code == 404


@pytest.mark.django_db
def test_a_supplement_notice_reads_the_same_after_the_case_is_resubmitted(
    client: Client, submitted: Case, clerk: User, alice: User, tmp_path: Path
) -> None:
    first_submission = submitted.submitted_at
    assert first_submission is not None
    request = case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": "", "reason": "从业人员数量填写有误"}]
    )
    url = reverse("cases:supplement_notice", args=[submitted.pk, request.pk])
    client.force_login(alice)
    before = pdf_text(download(client, url), tmp_path)
    # The applicant answers two days later: the case's submission time moves on.
    later = first_submission + timedelta(days=2)
    with patch("django.utils.timezone.now", return_value=later):
        resubmitted = case_submit(case=submitted, user=alice, key=f"again-{submitted.pk}")
    assert resubmitted.submitted_at == later

    after = pdf_text(download(client, url), tmp_path)

    assert after == before
    local = timezone.localtime(first_submission)
    assert f"你（单位）于{local.year}年{local.month}月{local.day}日提交的" in after
    assert local.strftime("%Y-%m-%d%H:%M") in after
    assert timezone.localtime(later).strftime("%Y-%m-%d%H:%M") not in after


@pytest.mark.django_db
def test_acceptance_notice_gives_a_committed_item_the_commitment_routes_limit(
    client: Client, alice: User, tmp_path: Path
) -> None:
    from conftest import accepted_hotel_case
    from onewindow.cases.demo import HOTEL_FOUR_ITEMS

    committed = accepted_hotel_case(alice, HOTEL_FOUR_ITEMS)
    ordinary = accepted_hotel_case(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"})
    client.force_login(alice)

    def notice(case: Case) -> str:
        return pdf_text(download(client, reverse("cases:notice", args=[case.pk, "acceptance"])), tmp_path)

    # Fire safety and hygiene run on the commitment route's one working day, as their branches do.
    assert notice(committed).count("1（告知承诺）") == 2
    assert "（告知承诺）" not in notice(ordinary)

"""Without the CJK font a case notice cannot be made: the page says to try later or ask the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_refuse, case_request_supplement, case_submit
from onewindow.lib.pdf import FontUnavailable


def unavailable(client: Client, url: str, tmp_path: Path) -> str:
    with override_settings(PDF_FONT_PATH=str(tmp_path / "missing.ttc")):
        response = client.get(url)
    assert response.status_code == 503
    body = response.content.decode()
    assert "暂时无法生成 PDF 文件" in body
    assert "网页版" not in body, "case notices have no web version to open"
    assert "Traceback" not in body
    return body


@pytest.mark.django_db
def test_the_acceptance_and_refusal_notices_name_themselves_and_send_to_the_window(
    client: Client, submitted: Case, clerk: User, alice: User, filled_case: Case, tmp_path: Path
) -> None:
    case_accept(case=submitted, clerk=clerk)
    client.force_login(alice)
    body = unavailable(client, reverse("cases:notice", args=[submitted.pk, "acceptance"]), tmp_path)
    assert "请稍后再试；如急需，可到综合窗口索取纸质的受理通知书。" in body


@pytest.mark.django_db
def test_the_supplement_and_refusal_notices_too(
    client: Client, submitted: Case, clerk: User, alice: User, tmp_path: Path
) -> None:
    request = case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": "", "reason": "有误"}]
    )
    client.force_login(alice)
    body = unavailable(client, reverse("cases:supplement_notice", args=[submitted.pk, request.pk]), tmp_path)
    assert "可到综合窗口索取纸质的补正材料通知书" in body

    case_submit(case=submitted, user=alice, key=f"again-{submitted.pk}")
    case_refuse(case=submitted, clerk=clerk, reason="不在本市")
    body = unavailable(client, reverse("cases:notice", args=[submitted.pk, "refusal"]), tmp_path)
    assert "可到综合窗口索取纸质的不予受理通知书" in body


@translation.override("zh-hans")
def test_a_page_given_no_document_uses_the_notice_wording() -> None:
    """What a view that passes nothing shows: no web version promised. Rendered outside a request,
    so the language is set here rather than left to whatever an earlier test activated."""
    body = render_to_string("public/pdf_unavailable.html", {"error": FontUnavailable("/missing.ttc")})
    assert "请稍后再试；如急需，可到综合窗口索取纸质的通知书。" in body
    assert "网页版" not in body
    decision = render_to_string(
        "public/pdf_unavailable.html",
        {"error": FontUnavailable("/missing.ttc"), "document": "准予行政许可决定书"},
    )
    assert "可到综合窗口索取纸质的准予行政许可决定书" in decision

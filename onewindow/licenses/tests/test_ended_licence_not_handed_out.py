"""A revoked or cancelled licence is not handed out: no pickup, no posting, no delivery confirmed,
and the case stays open.

Cast: issuer (综合审批科, centre 429006) at the window, alice (the demo applicant, owner of the case).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import CaseStatus
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense, Delivery, LicenceStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/licences"
STOPPED = "已停止交付，不能再窗口领取、登记寄出或确认送达"
POST_TO = {"recipient": "张三", "phone": "13800138000", "address": "天门市竟陵街道钟惺大道88号"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def choose_pickup(licence: ComprehensiveLicense) -> str:
    return services.delivery_choose(licence=licence, user=licence.case.applicant, method="pickup").pickup_code


def case_status(licence: ComprehensiveLicense) -> str:
    return ComprehensiveLicense.objects.get(pk=licence.pk).case.status


def test_a_revoked_licence_is_not_handed_over_at_the_window(
    issued: ComprehensiveLicense, issuer: User, alice: User
) -> None:
    code = choose_pickup(issued)
    services.licence_end(licence_id=issued.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="违法经营")
    staff = signed_in(issuer)

    page = staff.get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    response = staff.post(reverse("licenses:handover", args=[issued.pk]), {"handover-pickup_code": code})

    assert "核对取件码并交付" not in page
    assert "证照已吊销或注销，已停止交付" in page
    assert response.status_code == 409
    assert "该证照当前为“已吊销”，" + STOPPED in response.content.decode()
    assert case_status(issued) == CaseStatus.ISSUED
    assert Delivery.objects.get(licence=issued).status == Delivery.Status.WAITING
    # The holder is no longer told to come and collect it with his code.
    applicant_page = signed_in(alice).get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    assert code not in applicant_page
    assert "确认领取方式" not in applicant_page


def test_a_cancelled_licence_is_neither_posted_nor_confirmed_as_delivered(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    services.delivery_choose(licence=issued, user=issued.case.applicant, method="post", **POST_TO)
    services.licence_end(
        licence_id=issued.pk, actor=issuer, status=LicenceStatus.CANCELLED, reason="申请注销"
    )
    staff = signed_in(issuer)

    page = staff.get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    shipped = api_post(
        staff, f"{API}/{issued.pk}/ship", {"carrier": "中国邮政EMS", "tracking_number": "1100000000000"}
    )

    assert "登记寄出" not in page
    assert shipped.status_code == 409
    assert shipped.json()["code"] == "licence_not_valid"
    assert shipped.json()["message"].startswith("该证照当前为“已注销”")
    assert Delivery.objects.get(licence=issued).status == Delivery.Status.WAITING


def test_a_licence_revoked_while_in_the_post_is_not_confirmed_as_delivered(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    services.delivery_choose(licence=issued, user=issued.case.applicant, method="post", **POST_TO)
    services.delivery_ship(
        licence=issued, staff=issuer, carrier="中国邮政EMS", tracking_number="1100000000000"
    )
    services.licence_end(licence_id=issued.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="违法经营")
    staff = signed_in(issuer)

    page = staff.get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    confirmed = staff.post(reverse("licenses:delivered", args=[issued.pk]))

    assert "确认已送达" not in page
    assert confirmed.status_code == 409
    assert STOPPED in confirmed.content.decode()
    assert case_status(issued) == CaseStatus.ISSUED


def test_the_old_version_of_a_changed_then_revoked_licence_is_not_handed_over(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    code = choose_pickup(issued)
    new = services.licence_change(
        licence_id=issued.pk, actor=issuer, legal_representative="李四", note="法定代表人变更"
    )
    services.licence_end(licence_id=new.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="违法经营")
    staff = signed_in(issuer)

    for version in (issued, new):
        page = staff.get(reverse("licenses:detail", args=[version.pk])).content.decode()
        assert "核对取件码并交付" not in page
        handed = api_post(staff, f"{API}/{version.pk}/handover", {"pickup_code": code})
        assert handed.status_code == 409
        assert handed.json()["code"] == "licence_not_valid"
    assert case_status(issued) == CaseStatus.ISSUED

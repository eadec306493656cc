"""The centre's administrator, offered 证照交付 and the hand-over form like issuers and window clerks,
can use them; an administrator of another centre cannot even see the licence."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.cases.models import CaseStatus
from onewindow.centers.models import ServiceCenter
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense

pytestmark = pytest.mark.django_db

POST_TO = {"recipient": "张三", "phone": "13800138000", "address": "天门市竟陵街道钟惺大道88号"}


def administrator(centre_id: int, username: str = "centre_admin_here") -> Client:
    user = User.objects.create_user(
        username=username, password="OneWindow-2026", role=Role.CENTRE_ADMIN, service_center_id=centre_id
    )
    client = Client()
    client.force_login(user)
    return client


def test_a_centre_administrator_shown_the_handover_form_can_use_it(issued: ComprehensiveLicense) -> None:
    code = services.delivery_choose(licence=issued, user=issued.case.applicant, method="pickup").pickup_code
    client = administrator(issued.case.service_center_id)

    page = client.get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    response = client.post(reverse("licenses:handover", args=[issued.pk]), {"handover-pickup_code": code})

    assert "核对取件码并交付" in page
    assert response.status_code == 302
    assert ComprehensiveLicense.objects.get(pk=issued.pk).case.status == CaseStatus.CLOSED


def test_a_centre_administrator_posts_a_licence_through_the_api(issued: ComprehensiveLicense) -> None:
    services.delivery_choose(licence=issued, user=issued.case.applicant, method="post", **POST_TO)
    client = administrator(issued.case.service_center_id)

    shipped = client.post(
        f"/api/v1/licences/{issued.pk}/ship",
        json.dumps({"carrier": "中国邮政EMS", "tracking_number": "1100000000000"}),
        content_type="application/json",
    )

    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"


def test_an_administrator_of_another_centre_gets_nothing(issued: ComprehensiveLicense) -> None:
    code = services.delivery_choose(licence=issued, user=issued.case.applicant, method="pickup").pickup_code
    township = ServiceCenter.objects.exclude(pk=issued.case.service_center_id).first()
    assert township is not None
    client = administrator(township.pk, "centre_admin_elsewhere")

    response = client.post(reverse("licenses:handover", args=[issued.pk]), {"handover-pickup_code": code})

    assert response.status_code == 404
    assert ComprehensiveLicense.objects.get(pk=issued.pk).case.status == CaseStatus.ISSUED

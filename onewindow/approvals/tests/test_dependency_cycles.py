"""前置关系 that lead round in a circle: the bundle admin refuses them, and a case whose plan still
holds one is not accepted into branches that would wait for each other for ever.

The cast: the demo admin edits the hotel bundle (特种行业 needs 消防's opinion); the clerk accepts
alice's hotel case at the window.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html as lhtml

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.approvals.tests.conftest import signed_in, text
from onewindow.bundles.models import Bundle, Dependency
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_start, case_submit
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

FIRE_ITEM = "fire_safety_check"
SPECIAL_TRADE_ITEM = "special_trade_hotel_licence"


def bundle_page_with_a_new_dependency(
    admin: Client, bundle: Bundle, item: str, prerequisite: str
) -> dict[str, Any]:
    """The hotel bundle's admin form as the page sends it, with one more 前置关系 row filled in."""
    url = reverse("admin:bundles_bundle_change", args=[bundle.pk])
    form = lhtml.fromstring(text(admin.get(url))).get_element_by_id("bundle_form")
    data: dict[str, Any] = dict(form.form_values())
    row = int(data["dependencies-TOTAL_FORMS"])
    data["dependencies-TOTAL_FORMS"] = str(row + 1)
    data[f"dependencies-{row}-item"] = str(ServiceItem.objects.get(code=item).pk)
    data[f"dependencies-{row}-prerequisite"] = str(ServiceItem.objects.get(code=prerequisite).pk)
    data[f"dependencies-{row}-note"] = ""
    return data


def test_the_bundle_admin_refuses_a_circle() -> None:
    bundle = Bundle.objects.get(code="hotel")
    assert Dependency.objects.filter(
        bundle=bundle, item__code=SPECIAL_TRADE_ITEM, prerequisite__code=FIRE_ITEM
    )
    admin = signed_in(User.objects.get(username="admin"))
    data = bundle_page_with_a_new_dependency(admin, bundle, FIRE_ITEM, SPECIAL_TRADE_ITEM)

    response = admin.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), data)

    assert response.status_code == 200, "the page is shown again with the error"
    page = text(response)
    assert "前置关系形成循环" in page
    assert "请删除其中一条前置关系" in page
    assert not Dependency.objects.filter(bundle=bundle, item__code=FIRE_ITEM).exists()


def test_the_bundle_admin_still_saves_a_dependency_without_a_circle() -> None:
    """The hygiene licence set to wait for 消防 as well: a chain, not a circle."""
    bundle = Bundle.objects.get(code="hotel")
    admin = signed_in(User.objects.get(username="admin"))
    hygiene = ServiceItem.objects.get(department__code="429006-wj", bundles=bundle)
    data = bundle_page_with_a_new_dependency(admin, bundle, hygiene.code, FIRE_ITEM)

    response = admin.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), data)

    assert response.status_code == 302, text(response)
    assert Dependency.objects.filter(bundle=bundle, item=hygiene, prerequisite__code=FIRE_ITEM).exists()


def test_a_case_whose_plan_holds_a_circle_is_not_accepted(alice: User) -> None:
    """The circle came in before the admin refused it (or behind its back) and the case's plan was
    taken with it. Accepted, its two branches would wait for each other for ever: the clerk is
    told why and whom to ask, and the case stays at the window."""
    Dependency.objects.create(
        bundle=Bundle.objects.get(code="hotel"),
        item=ServiceItem.objects.get(code=FIRE_ITEM),
        prerequisite=ServiceItem.objects.get(code=SPECIAL_TRADE_ITEM),
    )
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, alice)
    case = case_submit(case=case, user=alice, key="cycle")

    response = signed_in(User.objects.get(username="clerk")).post(
        reverse("cases:window_accept", args=[case.pk])
    )

    assert response.status_code == 400
    page = text(response)
    assert "前置关系形成循环" in page and "请联系系统管理员" in page
    fire_name = ServiceItem.objects.get(code=FIRE_ITEM).name
    assert f"《{fire_name}》" in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert not Branch.objects.filter(case=case).exists()

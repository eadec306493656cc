"""证照交付: centre staff find an issued licence again when its holder comes to the window."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.centers.models import ServiceCenter
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import delivery_choose, licence_issue

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def licence_links(html: str) -> set[str]:
    return set(re.findall(r'href="(/licences/\d+/)"', html))


def test_the_issuer_reaches_a_licence_waiting_at_the_window_from_his_navigation(
    issued: ComprehensiveLicense,
) -> None:
    delivery_choose(licence=issued, user=issued.case.applicant, method="pickup")
    issuer = signed_in("issuer")

    home = issuer.get("/").content.decode()
    assert 'href="/licences/issued/"' in home  # 证照交付 in the header
    page = issuer.get("/licences/issued/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"/licences/{issued.pk}/" in licence_links(html)
    assert "窗口领取 · 待领取/待寄出" in html
    assert issuer.get(f"/licences/{issued.pk}/").status_code == 200


def test_the_tabs_sort_licences_by_what_the_window_still_has_to_do(
    approved_case: Callable[..., Case], issuer: User
) -> None:
    unchosen = licence_issue(case=approved_case(), issuer=issuer)
    posted = licence_issue(case=approved_case(), issuer=issuer)
    delivery_choose(
        licence=posted,
        user=posted.case.applicant,
        method="post",
        recipient="张三",
        phone="13800138000",
        address="天门市竟陵街道钟惺大道 1 号",
    )
    clerk = signed_in("clerk")

    def shown(state: str) -> set[str]:
        return licence_links(clerk.get(f"/licences/issued/?state={state}").content.decode())

    assert shown("unchosen") == {f"/licences/{unchosen.pk}/"}
    assert shown("post") == {f"/licences/{posted.pk}/"}
    assert shown("pickup") == set()
    assert shown("all") == {f"/licences/{unchosen.pk}/", f"/licences/{posted.pk}/"}


def test_the_search_finds_a_licence_by_its_case_number_and_says_so_when_nothing_matches(
    issued: ComprehensiveLicense,
) -> None:
    clerk = signed_in("clerk")
    assert issued.case.number is not None

    found = clerk.get("/licences/issued/", {"state": "all", "q": issued.case.number})
    missing = clerk.get("/licences/issued/", {"state": "all", "q": "不存在的证照"})

    assert licence_links(found.content.decode()) == {f"/licences/{issued.pk}/"}
    assert "没有找到与“不存在的证照”相符的证照" in missing.content.decode()


def test_another_centres_staff_and_other_roles_never_see_the_centres_licences(
    issued: ComprehensiveLicense,
) -> None:
    township = ServiceCenter.objects.exclude(pk=issued.case.service_center_id).first()
    assert township is not None
    other_clerk = User.objects.create_user(
        username="clerk_elsewhere", password="x", role="clerk", service_center=township
    )
    elsewhere = Client()
    elsewhere.force_login(other_clerk)

    assert licence_links(elsewhere.get("/licences/issued/?state=all").content.decode()) == set()
    assert signed_in("applicant").get("/licences/issued/").status_code == 403
    assert signed_in("reviewer").get("/licences/issued/").status_code == 403
    assert Client().get("/licences/issued/").status_code == 302

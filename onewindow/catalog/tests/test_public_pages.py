"""The home page and the shared layout: bundles, search box, navigation, sign-in state, footer."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.bundles.models import Bundle
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.views import site_context

pytestmark = pytest.mark.django_db


def test_home_lists_the_published_bundles_with_counts(client: Client) -> None:
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    body = response.content.decode()
    published = list(Bundle.objects.filter(is_published=True))
    assert published, "the seeded city has bundles"
    for bundle in published:
        assert bundle.name in body
        assert reverse("bundles:detail", args=[bundle.code]) in body
    cards = {card.code: card for card in response.context["bundles"]}
    for bundle in published:
        assert cards[bundle.code].item_count == bundle.bundle_items.count()
        assert cards[bundle.code].department_count == len(
            {bi.item.department_id for bi in bundle.bundle_items.all()}
        )


def test_unpublished_bundle_is_not_on_the_home_page(client: Client) -> None:
    bundle = Bundle.objects.filter(is_published=True).first()
    assert bundle is not None
    Bundle.objects.filter(pk=bundle.pk).update(is_published=False)
    assert (
        reverse("bundles:detail", args=[bundle.code])
        not in client.get(reverse("public:home")).content.decode()
    )


def test_home_has_the_search_box_and_shortcuts(client: Client) -> None:
    body = client.get(reverse("public:home")).content.decode()
    assert f'action="{reverse("public:item_list")}"' in body
    assert '<label for="home-search">' in body
    assert reverse("bundles:list") in body


def test_the_township_shortcut_is_shown_only_when_townships_have_items(client: Client) -> None:
    shortcut = f"{reverse('public:item_list')}?level=township"
    ServiceItem.objects.filter(level=ServiceItem.Level.TOWNSHIP).update(level=ServiceItem.Level.CITY)
    assert shortcut not in client.get(reverse("public:home")).content.decode(), (
        "it would lead to an empty list"
    )

    item = ServiceItem.objects.filter(is_published=True).first()
    assert item is not None
    ServiceItem.objects.filter(pk=item.pk).update(level=ServiceItem.Level.TOWNSHIP)
    assert shortcut in client.get(reverse("public:home")).content.decode()


def test_layout_is_chinese_accessible_and_offline(client: Client) -> None:
    body = client.get(reverse("public:home")).content.decode()
    assert '<html lang="zh-Hans">' in body
    assert 'class="skip-link" href="#main"' in body
    assert 'id="main"' in body
    assert "/static/vendor/htmx/htmx.min.js" in body
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body
    assert "12345" in body
    assert 'action="/i18n/setlang/"' in body
    assert reverse("accounts:login") in body


def test_signed_in_user_sees_name_and_a_logout_form(client: Client) -> None:
    assert client.login(username="applicant", password=DEMO_PASSWORD)
    body = client.get(reverse("public:home")).content.decode()
    assert "张三（天门市悦来宾馆有限公司）" in body
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in body
    assert "csrfmiddlewaretoken" in body


def test_site_context_names_the_city_and_centre() -> None:
    site = site_context(RequestFactory().get("/"))["site"]
    assert site == {"city_name": settings.CITY_NAME, "centre_name": settings.CENTRE_NAME, "hotline": "12345"}


@pytest.mark.parametrize(
    ("username", "shown"), [("admin", True), ("supervisor", False), ("applicant", False)]
)
def test_the_admin_link_is_for_staff_accounts(client: Client, username: str, shown: bool) -> None:
    client.force_login(User.objects.get(username=username))
    assert (
        f'href="{reverse("admin:index")}"' in client.get(reverse("public:home")).content.decode()
    ) is shown

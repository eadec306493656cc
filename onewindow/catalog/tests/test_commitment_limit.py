"""An item's commitment-route limit (告知承诺办理时限): the administrator sets it beside the other limits,
within the promised limit and only for an item that supports the commitment; the guide, the item
list and the catalogue API publish it.

The cast: the demo admin edits 消防's item (promised 5, commitment limit 1) and 食品经营许可 (no
commitment).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from lxml import html as lhtml

from onewindow.accounts.models import User
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

FIRE = "fire_safety_check"
FOOD = "food_business_licence"


def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def change_form(client: Client, item: ServiceItem) -> dict[str, Any]:
    """The item's admin form as the page sends it."""
    page = client.get(reverse("admin:catalog_serviceitem_change", args=[item.pk])).content.decode()
    form = lhtml.fromstring(page).get_element_by_id("serviceitem_form")
    return dict(form.form_values())


def saved_with(item: ServiceItem, **values: Any) -> str:
    """Save the item's admin page with these values; the page shown again, or "" when it was saved."""
    client = admin_client()
    data = change_form(client, item) | {k: "" if v is None else str(v) for k, v in values.items()}
    response = client.post(reverse("admin:catalog_serviceitem_change", args=[item.pk]), data)
    return "" if response.status_code == 302 else response.content.decode()


def test_the_admin_saves_a_commitment_limit_beside_the_other_limits() -> None:
    fire = ServiceItem.objects.get(code=FIRE)
    form = change_form(admin_client(), fire)
    assert form["commitment_limit_days"] == "1"

    assert saved_with(fire, commitment_limit_days=0) == ""

    fire.refresh_from_db()
    assert fire.commitment_limit_days == 0


def test_the_admin_refuses_a_commitment_limit_over_the_promised_limit() -> None:
    fire = ServiceItem.objects.get(code=FIRE)

    page = saved_with(fire, commitment_limit_days=6)

    assert "告知承诺办理时限（6 个工作日）不能超过承诺办结时限（5 个工作日）" in page
    fire.refresh_from_db()
    assert fire.commitment_limit_days == 1


def test_the_admin_refuses_a_commitment_limit_on_an_item_without_the_commitment() -> None:
    food = ServiceItem.objects.get(code=FOOD)

    page = saved_with(food, commitment_limit_days=1)

    assert "本事项不实行告知承诺，不能填写告知承诺办理时限" in page
    assert "不实行告知承诺的事项不能填写" not in page, "one message, at the field"
    food.refresh_from_db()
    assert food.commitment_limit_days is None


def test_the_model_says_which_field_is_wrong_and_the_database_refuses_it_too() -> None:
    fire = ServiceItem.objects.get(code=FIRE)
    fire.promised_limit_days = 0

    with pytest.raises(ValidationError) as refused:
        fire.full_clean()

    assert refused.value.message_dict == {
        "commitment_limit_days": [
            "告知承诺办理时限（1 个工作日）不能超过承诺办结时限（0 个工作日）：请改小此项，或留空按承诺办结时限办理。"
        ]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(code=FOOD).update(commitment_limit_days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(code=FIRE).update(promised_limit_days=0)


def test_the_guide_and_the_item_list_publish_the_commitment_limit(client: Client) -> None:
    guide = client.get(reverse("public:item_detail", args=[FIRE])).content.decode()
    listing = client.get(reverse("public:item_list"), {"department": "429006-xf"}).content.decode()
    food_guide = client.get(reverse("public:item_detail", args=[FOOD])).content.decode()

    assert 'id="commitment-limit">1 个工作日（选择告知承诺办理的）' in guide
    assert "可告知承诺，1 个工作日办结" in listing
    assert 'id="commitment-limit"' not in food_guide


def test_the_catalogue_api_gives_the_commitment_limit(client: Client) -> None:
    detail = client.get(f"/api/v1/items/{FIRE}").json()
    listed = client.get("/api/v1/items", {"department": "429006-xf"}).json()["items"]

    assert (detail["promised_limit_days"], detail["commitment_limit_days"]) == (5, 1)
    assert [i["commitment_limit_days"] for i in listed if i["code"] == FIRE] == [1]
    assert client.get(f"/api/v1/items/{FOOD}").json()["commitment_limit_days"] is None

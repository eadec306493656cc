"""邮寄送达: the applicant's phone must be one a courier can call and the address one he can find;
anything else is refused with a message beside the field, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.licenses.models import ComprehensiveLicense, Delivery

pytestmark = pytest.mark.django_db

API = "/api/v1/licences"
ADDRESS = "天门市竟陵街道钟惺大道88号"
PHONE_MESSAGE = "收件电话应为11位手机号码，或带区号的固定电话（如 0728-5221360），请核对。"
ADDRESS_MESSAGE = "收件地址过短，请填写到街道和门牌号，以便快递送达。"


@pytest.fixture
def alice(issued: ComprehensiveLicense) -> Client:
    """The applicant of the licence, signed in."""
    client = Client()
    client.force_login(User.objects.get(username="applicant"))
    return client


def choose(client: Client, licence: ComprehensiveLicense, **body: Any) -> Any:
    data = {"method": "post", "recipient": "李", **body}
    return client.post(f"{API}/{licence.pk}/delivery", json.dumps(data), content_type="application/json")


def test_a_phone_that_is_not_a_number_is_refused(alice: Client, issued: ComprehensiveLicense) -> None:
    response = choose(alice, issued, phone="abc", address=ADDRESS)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "phone_invalid"
    assert body["message"] == PHONE_MESSAGE
    assert body["errors"] == [{"field": "phone", "code": "phone_invalid", "message": PHONE_MESSAGE}]
    assert not Delivery.objects.filter(licence=issued).exists()


@pytest.mark.parametrize("phone", ["1380013800", "23800138000", "0728-52213", "5221360"])
def test_a_number_too_short_or_without_area_code_is_refused(
    alice: Client, issued: ComprehensiveLicense, phone: str
) -> None:
    response = choose(alice, issued, phone=phone, address=ADDRESS)
    assert response.status_code == 422
    assert response.json()["code"] == "phone_invalid"


def test_an_address_a_courier_cannot_find_is_refused(alice: Client, issued: ComprehensiveLicense) -> None:
    response = choose(alice, issued, phone="13800138000", address="x")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "address_too_short"
    assert body["message"] == ADDRESS_MESSAGE
    assert body["errors"] == [{"field": "address", "code": "address_too_short", "message": ADDRESS_MESSAGE}]
    assert not Delivery.objects.filter(licence=issued).exists()


def test_both_problems_are_named_at_once(alice: Client, issued: ComprehensiveLicense) -> None:
    response = choose(alice, issued, phone="abc", address="x")

    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "收件电话和收件地址不正确，请核对后重新填写。"
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "phone": PHONE_MESSAGE,
        "address": ADDRESS_MESSAGE,
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0728-5221360", "0728-5221360"),
        ("010 12345678", "010 12345678"),
    ],
)
def test_a_mobile_or_a_landline_with_area_code_is_stored(
    alice: Client, issued: ComprehensiveLicense, typed: str, stored: str
) -> None:
    response = choose(alice, issued, phone=typed, address=ADDRESS)

    assert response.status_code == 200
    delivery = Delivery.objects.get(licence=issued)
    assert (delivery.method, delivery.phone, delivery.address) == ("post", stored, ADDRESS)


def test_window_pickup_needs_no_address_but_a_phone_given_must_be_one(
    alice: Client, issued: ComprehensiveLicense
) -> None:
    wrong = choose(alice, issued, method="pickup", phone="abc")
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "phone_invalid"

    assert choose(alice, issued, method="pickup").status_code == 200
    assert Delivery.objects.get(licence=issued).method == "pickup"

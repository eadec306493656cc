"""A notice link shared through WeChat, or tagged with utm_ keys, still opens the notice.

WeChat appends from=singlemessage&isappinstalled=0 to every shared link; campaigns add utm_source
and the like. The pages ignore keys that are not question codes; the JSON API still refuses them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXTRA_KEYS = {"from": "singlemessage", "isappinstalled": "0", "utm_source": "wechat"}

needs_font = pytest.mark.skipif(
    not Path(settings.PDF_FONT_PATH).is_file(), reason="fonts-wqy-zenhei is not installed"
)


@pytest.mark.parametrize(
    "page", ["detail", "notice", "commitment", pytest.param("notice_pdf", marks=needs_font)]
)
def test_a_shared_link_opens_the_page_it_names(client: Client, page: str) -> None:
    response = client.get(reverse(f"bundles:{page}", args=["hotel"]), {"food": "meals", **EXTRA_KEYS})
    assert response.status_code == 200
    if page != "notice_pdf":
        assert "没有编码为" not in response.content.decode()


def test_the_shared_notice_is_the_one_for_the_answers_in_the_link(client: Client) -> None:
    shared = client.get(reverse("bundles:notice", args=["hotel"]), {"food": "meals", **EXTRA_KEYS})
    plain = client.get(reverse("bundles:notice", args=["hotel"]), {"food": "meals"})
    assert [p.item.code for p in shared.context["plan"].items] == [
        p.item.code for p in plain.context["plan"].items
    ]
    assert "food_business_licence" in [p.item.code for p in shared.context["plan"].items]
    # the links onwards carry the answers only
    assert shared.context["query"] == "food=meals"


def test_an_invalid_answer_in_a_shared_link_still_goes_back_to_the_questionnaire(client: Client) -> None:
    response = client.get(
        reverse("bundles:notice", args=["hotel"]), {"daily_discharge": "many", **EXTRA_KEYS}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/bundles/hotel/?")


def test_the_plan_api_still_refuses_keys_that_are_not_questions(client: Client) -> None:
    response = client.post(
        "/api/v1/bundles/hotel/plan",
        {"answers": {"food": "meals", "from": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_question"

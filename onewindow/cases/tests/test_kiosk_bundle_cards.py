"""The kiosk's bundle cards say in one whole line what a bundle covers, as the home page does, instead
of a summary cut off in the middle of a phrase."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_each_card_gives_the_most_one_business_needs() -> None:
    page = Client().get(reverse("cases:kiosk")).content.decode()

    cards = page[page.index('id="kiosk-bundles"') :]
    assert "最多 9 个事项、8 个部门，合并为一张综合许可证" in cards
    assert "…" not in cards[: cards.index("</ul>")]

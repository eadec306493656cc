"""证照交付's search takes a NUL character (from a scanner or a pasted value) as nothing, as public
verification does, rather than failing on PostgreSQL."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.licenses.models import ComprehensiveLicense

pytestmark = pytest.mark.django_db


def test_the_handover_search_with_a_nul_character_finds_the_licence(issued: ComprehensiveLicense) -> None:
    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))

    response = clerk.get("/licences/issued/", {"state": "all", "q": f"{issued.number}\x00"})

    assert response.status_code == 200
    assert f'href="/licences/{issued.pk}/"' in response.content.decode()

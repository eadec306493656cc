"""A step the system took (a branch released when its prerequisite was approved) names its actor in
the reader's language, though the record keeps the name it was hashed with."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.services import branch_approve
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in, text
from onewindow.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def test_the_release_is_by_the_system_in_chinese_and_in_english(case: Case, police: User, fire: User) -> None:
    branch_approve(branch_id=branch_of(case, FIRE).pk, reviewer=fire, permit_number="", valid_until=None)
    released = CaseEvent.objects.get(case=case, action="branch_released")
    assert (released.actor_name, released.actor_role) == ("系统", "system")

    client = signed_in(police)
    url = reverse("approvals:branch", args=[branch_of(case, POLICE).pk])
    assert "· 系统" in text(client.get(url))

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = text(client.get(url))
    assert "· System" in page
    assert "· 系统" not in page

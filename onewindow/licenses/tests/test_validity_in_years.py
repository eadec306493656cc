"""LICENCE_VALIDITY_RULE = "years:N": the licence is valid until the day before the N-th anniversary
of its issue, also when it is issued on 29 February."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.licenses import services

pytestmark = pytest.mark.django_db


def on(day: date, monkeypatch: pytest.MonkeyPatch) -> None:
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_issue_page_and_issuing_work_on_29_february(
    approved_case: Callable[..., Case], issuer: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LICENCE_VALIDITY_RULE = "years:5"
    case = approved_case()
    on(date(2028, 2, 29), monkeypatch)
    client = Client()
    client.force_login(issuer)

    page = client.get(reverse("licenses:issue_case", args=[case.pk]))
    licence = services.licence_issue(case=case, issuer=issuer)

    assert page.status_code == 200
    assert "2033-02-28" in page.content.decode()
    assert licence.valid_until == date(2033, 2, 28)


def test_a_validity_in_years_ends_the_day_before_the_anniversary(
    approved_case: Callable[..., Case], issuer: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LICENCE_VALIDITY_RULE = "years:3"
    case = approved_case()
    on(date(2026, 3, 10), monkeypatch)

    licence = services.licence_issue(case=case, issuer=issuer)

    assert (licence.valid_from, licence.valid_until) == (date(2026, 3, 10), date(2029, 3, 9))

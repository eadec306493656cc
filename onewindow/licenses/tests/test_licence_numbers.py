"""Every licence gets a number of its own: the bundle's prefix, the year of issue and a yearly
sequence, whatever year its case was submitted in; a number given before is never given again."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_case_submitted_late_last_year_and_one_this_year_both_get_their_licence(
    approved_case: Callable[..., Case], issuer: User
) -> None:
    first, second = approved_case(), approved_case()
    assert first.number and second.number
    # The second case: submitted on the same month, day and daily sequence one year earlier.
    earlier = f"{first.number[:6]}{int(first.number[6:10]) - 1}{first.number[10:]}"
    Case.objects.filter(pk=second.pk).update(number=earlier)
    one = services.licence_issue(case=first, issuer=issuer)

    response = signed_in(issuer).post(reverse("licenses:issue_case", args=[second.pk]))

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == CaseStatus.ISSUED
    other = ComprehensiveLicense.objects.get(case=second)
    year = timezone.localdate().year
    assert (one.number, other.number) == (f"HOT{year}00001", f"HOT{year}00002")


def test_a_number_given_before_is_passed_over(approved_case: Callable[..., Case], issuer: User) -> None:
    year = timezone.localdate().year
    earlier = services.licence_issue(case=approved_case(), issuer=issuer)
    # A licence numbered before the upgrade happens to hold the number the sequence reaches next.
    ComprehensiveLicense.objects.filter(pk=earlier.pk).update(number=f"HOT{year}00002")

    licence = services.licence_issue(case=approved_case(), issuer=issuer)

    assert licence.number == f"HOT{year}00003"
    assert ComprehensiveLicense.objects.get(pk=earlier.pk).number == f"HOT{year}00002"


def test_a_number_or_identifier_taken_meanwhile_is_a_conflict_that_changes_nothing(
    approved_case: Callable[..., Case], issuer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = services.licence_issue(case=approved_case(), issuer=issuer)
    case = approved_case()
    # The random serial of the identifier drawn again: the insert fails on the unique identifier.
    monkeypatch.setattr(services, "random_serial", lambda: taken.identifier.split(".")[-3])

    page = signed_in(issuer).post(reverse("licenses:issue_case", args=[case.pk]))
    api = signed_in(issuer).post(
        f"/api/v1/licences/issue/{case.pk}", json.dumps({}), content_type="application/json"
    )

    assert page.status_code == 409
    assert "本次没有发证，什么都没有改变。请重新点击“签发”" in page.content.decode()
    assert api.status_code == 409
    assert api.json()["code"] == "licence_number_taken"
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert not ComprehensiveLicense.objects.filter(case=case).exists()

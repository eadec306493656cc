"""Issue one signed licence, verify it, change it, revoke it; verification follows at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.lib.elicence_id import parse_identifier
from onewindow.licenses.models import LicenceStatus
from onewindow.licenses.selectors import Verification, licence_verify, time_saved_by_bundle
from onewindow.licenses.services import (
    delivery_choose,
    delivery_confirm,
    delivery_hand_over,
    delivery_ship,
    licence_change,
    licence_end,
    licence_issue,
)
from onewindow.licenses.signing import validate_pdf


def verified(query: str) -> Verification:
    result = licence_verify(query)
    assert result is not None, f"nothing found for {query}"
    return result


@pytest.mark.django_db
def test_issue_sign_verify_change_revoke(
    approved_case: Callable[..., Case], issuer: User, client: Client
) -> None:
    case = approved_case()
    assert case.status == CaseStatus.APPROVED
    licence = licence_issue(case=case, issuer=issuer)
    case.refresh_from_db()
    assert case.status == CaseStatus.ISSUED

    parsed = parse_identifier(licence.identifier)
    assert parsed.version == 1
    permits = list(case.permits.all())
    assert licence.permits.count() == len(case.plan["items"]) == len(permits)
    expiries = [p.valid_until for p in permits if p.valid_until]
    assert licence.valid_until == min(expiries)

    content = licence.pdf.read()
    check = validate_pdf(content)
    assert check.valid and check.intact and check.trusted, check.message
    tampered = content.replace(licence.holder_name.encode("utf-16-be")[:4], b"XXXX", 1)
    if tampered == content:
        index = content.index(b"stream") + 20
        tampered = content[:index] + bytes([content[index] ^ 0x01]) + content[index + 1 :]
    assert not validate_pdf(tampered).valid

    page = client.get(reverse("licenses:verify"), {"q": licence.identifier})
    assert page.status_code == 200
    assert 'data-state="valid"' in page.content.decode()
    for permit in permits:
        assert verified(permit.number).licence.pk == licence.pk

    changed = licence_change(
        licence_id=licence.pk,
        actor=issuer,
        legal_representative="赵六",
        note="法定代表人变更，依据股东会决议",
    )
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUPERSEDED
    assert changed.version == 2 and changed.number == licence.number
    old = verified(licence.identifier)
    assert old.state == "changed" and old.current.pk == changed.pk
    assert verified(licence.number).licence.pk == changed.pk
    assert verified(changed.identifier).legal_representative == "赵*"

    licence_end(
        licence_id=changed.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="以欺骗手段取得许可"
    )
    page = client.get(reverse("licenses:verify_token", args=[changed.verify_token]))
    assert 'data-state="revoked"' in page.content.decode()
    assert "以欺骗手段取得许可" in page.content.decode()


@pytest.mark.django_db
def test_pickup_closes_the_case_and_records_time_saved(
    approved_case: Callable[..., Case], issuer: User
) -> None:
    case = approved_case()
    licence = licence_issue(case=case, issuer=issuer)
    applicant = case.applicant
    delivery = delivery_choose(licence=licence, user=applicant, method="pickup")
    assert len(delivery.pickup_code) == 6
    from onewindow.cases.errors import CaseInvalid

    with pytest.raises(CaseInvalid):
        delivery_hand_over(
            licence=licence,
            staff=issuer,
            pickup_code="000000" if delivery.pickup_code != "000000" else "111111",
        )
    delivery_hand_over(licence=licence, staff=issuer, pickup_code=delivery.pickup_code)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.statutory_serial_days == sum(i["statutory_limit_days"] for i in case.plan["items"])
    assert case.elapsed_workdays is not None and case.elapsed_workdays < case.statutory_serial_days
    totals = {row["bundle__code"]: row for row in time_saved_by_bundle()}
    assert totals["hotel"]["cases"] == 1
    assert totals["hotel"]["saved"] == case.statutory_serial_days - case.elapsed_workdays


@pytest.mark.django_db
def test_post_delivery_needs_an_address_and_closes_on_delivery(
    approved_case: Callable[..., Case], issuer: User
) -> None:
    from onewindow.cases.errors import CaseInvalid

    case = approved_case()
    licence = licence_issue(case=case, issuer=issuer)
    with pytest.raises(CaseInvalid) as problem:
        delivery_choose(licence=licence, user=case.applicant, method="post")
    assert "address" in problem.value.fields
    delivery_choose(
        licence=licence,
        user=case.applicant,
        method="post",
        recipient="张三",
        phone="13800138000",
        address="天门市竟陵街道钟惺大道88号",
    )
    delivery_ship(licence=licence, staff=issuer, carrier="中国邮政EMS", tracking_number="1100000000000")
    delivery_confirm(licence=licence, actor=None)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.events.filter(action="delivered").exists()

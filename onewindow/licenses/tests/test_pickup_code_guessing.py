"""A pickup code typed wrong five times at the window is void; choosing window pickup again gives a new one.

Cast: issuer (综合审批科, centre 429006) at the window, alice (the demo applicant, owner of the case).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import CaseStatus
from onewindow.licenses.models import ComprehensiveLicense, Delivery

pytestmark = pytest.mark.django_db

API = "/api/v1/licences"
VOID = "取件码已连续输错 5 次，已作废，不能再用于领取。"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def choose_pickup(applicant: Client, licence: ComprehensiveLicense) -> str:
    response = applicant.post(reverse("licenses:delivery", args=[licence.pk]), {"delivery-method": "pickup"})
    assert response.status_code == 302
    return Delivery.objects.get(licence=licence).pickup_code


def wrong_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def hand_over(staff: Client, licence: ComprehensiveLicense, code: str) -> Any:
    return staff.post(reverse("licenses:handover", args=[licence.pk]), {"handover-pickup_code": code})


def test_five_wrong_codes_void_the_code_until_the_applicant_chooses_pickup_again(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    applicant, staff = signed_in(alice), signed_in(issuer)
    code = choose_pickup(applicant, issued)

    for attempt in range(1, 5):
        refused = hand_over(staff, issued, wrong_for(code))
        assert refused.status_code == 422
        assert f"再输错 {5 - attempt} 次，该取件码将作废" in refused.content.decode()
    fifth = hand_over(staff, issued, wrong_for(code))
    assert fifth.status_code == 409
    assert VOID in fifth.content.decode()
    assert "重新选择“窗口领取”" in fifth.content.decode()
    assert "核对取件码并交付" not in fifth.content.decode()

    # Even the right code is refused now, with the same message.
    right = hand_over(staff, issued, code)
    assert right.status_code == 409
    assert VOID in right.content.decode()
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.ISSUED
    # The voiding is on the case's record, once, with who entered the fifth wrong code.
    voided = issued.case.events.filter(action="pickup_code_voided")
    assert [(event.actor_id, event.data["failures"]) for event in voided] == [(issuer.pk, 5)]

    # The applicant's page no longer shows the void code, and says how to get a new one.
    page = applicant.get(reverse("licenses:detail", args=[issued.pk])).content.decode()
    assert 'id="pickup-code-void"' in page
    assert 'id="pickup-code"' not in page

    fresh = choose_pickup(applicant, issued)
    done = hand_over(staff, issued, fresh)
    assert done.status_code == 302
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.CLOSED


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_counts_wrong_codes_too(issued: ComprehensiveLicense, alice: User, issuer: User) -> None:
    applicant, staff = signed_in(alice), signed_in(issuer)
    code = _post(applicant, f"{API}/{issued.pk}/delivery", {"method": "pickup"}).json()["pickup_code"]
    for _attempt in range(4):
        assert (
            _post(staff, f"{API}/{issued.pk}/handover", {"pickup_code": wrong_for(code)}).status_code == 422
        )
    fifth = _post(staff, f"{API}/{issued.pk}/handover", {"pickup_code": wrong_for(code)})
    assert fifth.status_code == 409
    assert fifth.json()["code"] == "pickup_code_void"
    right = _post(staff, f"{API}/{issued.pk}/handover", {"pickup_code": code})
    assert right.status_code == 409
    assert right.json()["code"] == "pickup_code_void"
    assert right.json()["message"].startswith(VOID)

    shown = applicant.get(f"{API}/{issued.pk}").json()["delivery"]
    assert shown["pickup_code_void"] is True
    assert shown["pickup_code"] is None

    fresh = _post(applicant, f"{API}/{issued.pk}/delivery", {"method": "pickup"}).json()
    assert fresh["pickup_code_void"] is False
    handed = _post(staff, f"{API}/{issued.pk}/handover", {"pickup_code": fresh["pickup_code"]})
    assert handed.status_code == 200
    assert handed.json()["case_status"] == CaseStatus.CLOSED


def test_a_code_typed_with_other_characters_is_a_wrong_code_not_a_failure(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    applicant, staff = signed_in(alice), signed_in(issuer)
    code = _post(applicant, f"{API}/{issued.pk}/delivery", {"method": "pickup"}).json()["pickup_code"]

    for typed in ("取件码" + code[:3], "\U0001f600" * 6):
        refused = _post(staff, f"{API}/{issued.pk}/handover", {"pickup_code": typed})
        assert refused.status_code == 422
        assert refused.json()["code"] == "pickup_code"
    assert Delivery.objects.get(licence=issued).pickup_code_failures == 2


def test_a_code_typed_in_full_width_digits_is_the_same_code(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    applicant, staff = signed_in(alice), signed_in(issuer)
    code = choose_pickup(applicant, issued)
    full_width = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in code)

    handed = hand_over(staff, issued, f" {full_width} ")

    assert handed.status_code == 302
    assert Delivery.objects.get(licence=issued).status == Delivery.Status.DONE

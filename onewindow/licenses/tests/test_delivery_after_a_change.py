"""After a change (a new version), the licence is still handed out once, as it now stands: a void
pickup code can be replaced, the method and the address changed, and the window hands it over
from either version's page.

Cast: issuer (综合审批科, centre 429006) at the window, alice (the demo applicant, owner of the case).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import CaseStatus
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense, Delivery

pytestmark = pytest.mark.django_db

POST_TO = {
    "delivery-method": "post",
    "delivery-recipient": "张三",
    "delivery-phone": "13800138000",
    "delivery-address": "天门市竟陵街道钟惺大道88号",
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def changed(licence: ComprehensiveLicense, issuer: User) -> ComprehensiveLicense:
    return services.licence_change(
        licence_id=licence.pk, actor=issuer, legal_representative="李四", note="法定代表人变更"
    )


def delivery_of(licence: ComprehensiveLicense) -> Delivery:
    return Delivery.objects.get(licence__case_id=licence.case_id)


def test_after_a_change_a_void_pickup_code_can_still_be_replaced(
    issued: ComprehensiveLicense, issuer: User, alice: User
) -> None:
    code = services.delivery_choose(licence=issued, user=alice, method="pickup").pickup_code
    new = changed(issued, issuer)
    staff = signed_in(issuer)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        staff.post(reverse("licenses:handover", args=[new.pk]), {"handover-pickup_code": wrong})
    assert delivery_of(issued).pickup_code_void

    applicant = signed_in(alice)
    page = applicant.get(reverse("licenses:detail", args=[new.pk])).content.decode()
    again = applicant.post(reverse("licenses:delivery", args=[new.pk]), {"delivery-method": "pickup"})

    assert "确认领取方式" in page
    assert again.status_code == 302
    assert again["Location"] == reverse("licenses:detail", args=[new.pk])
    fresh = delivery_of(issued)
    assert not fresh.pickup_code_void
    handed = staff.post(
        reverse("licenses:handover", args=[new.pk]), {"handover-pickup_code": fresh.pickup_code}
    )
    assert handed.status_code == 302
    assert handed["Location"] == reverse("licenses:detail", args=[new.pk])
    assert ComprehensiveLicense.objects.get(pk=new.pk).case.status == CaseStatus.CLOSED


def test_after_a_change_pickup_can_be_switched_to_post_and_the_licence_posted(
    issued: ComprehensiveLicense, issuer: User, alice: User
) -> None:
    services.delivery_choose(licence=issued, user=alice, method="pickup")
    new = changed(issued, issuer)

    switched = signed_in(alice).post(reverse("licenses:delivery", args=[new.pk]), POST_TO)
    assert switched.status_code == 302
    assert delivery_of(issued).method == Delivery.Method.POST
    assert Delivery.objects.filter(licence__case_id=issued.case_id).count() == 1

    staff = signed_in(issuer)
    assert "登记寄出" in staff.get(reverse("licenses:detail", args=[new.pk])).content.decode()
    shipped = staff.post(
        reverse("licenses:ship", args=[new.pk]),
        {"ship-carrier": "中国邮政EMS", "ship-tracking_number": "1100000000000"},
    )
    assert shipped.status_code == 302
    assert staff.post(reverse("licenses:delivered", args=[new.pk])).status_code == 302
    assert ComprehensiveLicense.objects.get(pk=new.pk).case.status == CaseStatus.CLOSED


def test_a_first_choice_made_after_a_change_is_recorded_on_the_current_version(
    issued: ComprehensiveLicense, issuer: User, alice: User
) -> None:
    new = changed(issued, issuer)

    chosen = signed_in(alice).post(
        reverse("licenses:delivery", args=[issued.pk]), {"delivery-method": "pickup"}
    )

    assert chosen.status_code == 302
    assert delivery_of(issued).licence_id == new.pk


def test_a_licence_handed_out_before_a_change_is_not_handed_out_again(
    issued: ComprehensiveLicense, issuer: User, alice: User
) -> None:
    code = services.delivery_choose(licence=issued, user=alice, method="pickup").pickup_code
    services.delivery_hand_over(licence=issued, staff=issuer, pickup_code=code)
    new = changed(issued, issuer)

    again = signed_in(alice).post(reverse("licenses:delivery", args=[new.pk]), {"delivery-method": "pickup"})
    handed = signed_in(issuer).post(
        reverse("licenses:handover", args=[new.pk]), {"handover-pickup_code": code}
    )

    assert again.status_code == 409
    assert handed.status_code == 409
    assert "该证照已经领取" in handed.content.decode()
    assert Delivery.objects.filter(licence__case_id=issued.case_id).count() == 1

"""The issuer issues from his queue, the applicant collects his licence, the supervisor sees the time saved.

Cast: issuer (综合审批科, centre 429006), alice (the demo applicant, owner of the case),
bob (another applicant), clerk (window of the same centre), supervisor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_start, case_submit
from onewindow.licenses.models import ComprehensiveLicense, LicenceStatus
from onewindow.licenses.services import delivery_choose, delivery_hand_over, licence_issue
from onewindow.licenses.signing import SigningUnavailable
from onewindow.notifications.models import Notification, OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(db: None) -> User:
    return User.objects.get(username="supervisor")


@pytest.fixture
def clerk(db: None) -> User:
    return User.objects.get(username="clerk")


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _text(response: object) -> str:
    content = getattr(response, "content", b"")
    assert isinstance(content, bytes)
    return content.decode()


# ---------------------------------------------------------------- the issuer's queue and issue page


def test_issue_queue_lists_cases_ready_for_issue_only(
    approved_case: Callable[..., Case],
    issuer: User,
    alice: User,
    client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    ready = approved_case()
    already_issued = approved_case()
    licence_issue(case=already_issued, issuer=issuer)
    submitted = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(submitted, alice)
    case_submit(case=submitted, user=alice, key=f"queue-{submitted.pk}")
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED

    _as(client, issuer)
    # session, user, his centre, the count and the page of cases, however many cases wait
    with django_assert_num_queries(5):
        page = client.get(reverse("licenses:issue_queue"))
    assert page.status_code == 200
    html = _text(page)
    assert str(ready.number) in html
    assert f"{ready.permits.count()} 项" in html
    assert reverse("licenses:issue_case", args=[ready.pk]) in html
    assert str(already_issued.number) not in html
    assert str(submitted.number) not in html


def test_issue_pages_need_an_issuer(approved_case: Callable[..., Case], alice: User, clerk: User) -> None:
    case = approved_case()
    anonymous = Client()
    response = anonymous.get(reverse("licenses:issue_queue"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    for user in (alice, clerk):
        client = _as(Client(), user)
        for url in (reverse("licenses:issue_queue"), reverse("licenses:issue_case", args=[case.pk])):
            response = client.get(url)
            assert response.status_code == 403
            assert "您没有权限查看这个页面" in _text(response)
        assert client.post(reverse("licenses:issue_case", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_issuing_from_the_page_shows_the_licence_with_its_permits_and_a_valid_seal(
    approved_case: Callable[..., Case], issuer: User, client: Client
) -> None:
    case = approved_case()
    permits = list(case.permits.all())
    _as(client, issuer)
    url = reverse("licenses:issue_case", args=[case.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = _text(page)
    for permit in permits:
        assert permit.number in html
    earliest = min(p.valid_until for p in permits if p.valid_until)
    assert f"{earliest:%Y-%m-%d}" in html
    assert "签发综合许可证" in html

    response = client.post(url)
    licence = ComprehensiveLicense.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("licenses:detail", args=[licence.pk])

    detail = client.get(response["Location"])
    html = _text(detail)
    assert detail.status_code == 200
    assert "已签发" in html
    for permit in permits:
        assert permit.number in html
    assert licence.identifier in html
    assert re.search(r'id="seal-badge">签名有效<', html)
    assert reverse("licenses:pdf", args=[licence.pk]) in html

    again = client.post(url)
    assert again.status_code == 409
    assert "只有全部准予许可的办件才能发证" in _text(again)
    assert reverse("licenses:detail", args=[licence.pk]) in _text(again)


def test_issuing_without_a_signing_certificate_says_what_to_fix_and_changes_nothing(
    approved_case: Callable[..., Case], issuer: User, client: Client
) -> None:
    case = approved_case()
    missing = SigningUnavailable(
        "signing_files_missing", "找不到签章证书或私钥文件（/etc/onewindow/seal.pem）。"
    )
    with mock.patch("onewindow.licenses.signing.sign_pdf", side_effect=missing):
        response = _as(client, issuer).post(reverse("licenses:issue_case", args=[case.pk]))
    assert response.status_code == 503
    assert "找不到签章证书或私钥文件" in _text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert not ComprehensiveLicense.objects.filter(case=case).exists()


# ---------------------------------------------------------------- the licence page and its PDF


def test_the_applicant_downloads_the_signed_pdf_and_no_other_applicant_can(
    issued: ComprehensiveLicense, alice: User, bob: User, issuer: User, supervisor: User
) -> None:
    url = reverse("licenses:pdf", args=[issued.pk])
    for user in (alice, issuer, supervisor):
        response = _as(Client(), user).get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body.startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")

    for page in (url, reverse("licenses:detail", args=[issued.pk])):
        response = _as(Client(), bob).get(page)
        assert response.status_code == 404
    assert Client().get(url).status_code == 302


def test_the_applicant_sees_his_licence_without_staff_forms(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    html = _text(_as(Client(), alice).get(reverse("licenses:detail", args=[issued.pk])))
    assert issued.number in html
    assert "签名有效" in html
    assert "选择领取方式" in html
    assert reverse("licenses:change", args=[issued.pk]) not in html
    assert reverse("licenses:revoke", args=[issued.pk]) not in html

    staff_html = _text(_as(Client(), issuer).get(reverse("licenses:detail", args=[issued.pk])))
    assert reverse("licenses:change", args=[issued.pk]) in staff_html
    assert reverse("licenses:revoke", args=[issued.pk]) in staff_html
    assert "待推送" in staff_html or "已推送" in staff_html

    response = _as(Client(), alice).post(
        reverse("licenses:revoke", args=[issued.pk]), {"revoke-reason": "我不想要了"}
    )
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == LicenceStatus.VALID


def test_change_makes_a_new_version_and_revoking_it_shows_on_public_verification(
    issued: ComprehensiveLicense, issuer: User, client: Client
) -> None:
    _as(client, issuer)
    change_url = reverse("licenses:change", args=[issued.pk])

    missing_note = client.post(change_url, {"change-legal_representative": "赵六", "change-note": ""})
    assert missing_note.status_code == 422
    assert "请填写变更说明" in _text(missing_note)

    response = client.post(
        change_url, {"change-legal_representative": "赵六", "change-note": "法定代表人变更，依据股东会决议"}
    )
    new = ComprehensiveLicense.objects.get(supersedes=issued)
    assert response.status_code == 302
    assert response["Location"] == reverse("licenses:detail", args=[new.pk])
    html = _text(client.get(response["Location"]))
    assert "第 2 版" in html
    assert "赵六" in html
    assert "法定代表人变更，依据股东会决议" in html

    old_html = _text(client.get(reverse("licenses:detail", args=[issued.pk])))
    assert "已变更" in old_html
    assert reverse("licenses:detail", args=[new.pk]) in old_html
    assert reverse("licenses:change", args=[issued.pk]) not in old_html

    stale = client.post(change_url, {"change-address": "天门市竟陵街道新址1号", "change-note": "迁址"})
    assert stale.status_code == 409
    assert "不能变更" in _text(stale)

    revoked = client.post(reverse("licenses:revoke", args=[new.pk]), {"revoke-reason": "以欺骗手段取得许可"})
    assert revoked.status_code == 302
    new.refresh_from_db()
    assert new.status == LicenceStatus.REVOKED

    public = Client().get(reverse("licenses:verify"), {"q": new.identifier})
    assert 'data-state="revoked"' in _text(public)
    assert "已吊销" in _text(public)
    assert "以欺骗手段取得许可" in _text(public)


# ---------------------------------------------------------------- delivery


def test_pickup_with_a_wrong_code_is_refused_and_the_right_code_closes_the_case(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    applicant = _as(Client(), alice)
    response = applicant.post(reverse("licenses:delivery", args=[issued.pk]), {"delivery-method": "pickup"})
    assert response.status_code == 302
    code = issued.delivery.pickup_code
    assert re.fullmatch(r"\d{6}", code)
    assert code in _text(applicant.get(reverse("licenses:detail", args=[issued.pk])))

    staff = _as(Client(), issuer)
    page = _text(staff.get(reverse("licenses:detail", args=[issued.pk])))
    assert code not in page  # the applicant shows it; staff never read it off the screen
    assert "核对取件码并交付" in page

    wrong = "000000" if code != "000000" else "111111"
    refused = staff.post(reverse("licenses:handover", args=[issued.pk]), {"handover-pickup_code": wrong})
    assert refused.status_code == 422
    assert "取件码不正确" in _text(refused)
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.ISSUED

    done = staff.post(reverse("licenses:handover", args=[issued.pk]), {"handover-pickup_code": code})
    assert done.status_code == 302
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.CLOSED
    html = _text(staff.get(reverse("licenses:detail", args=[issued.pk])))
    assert "已送达" in html
    assert "核对取件码并交付" not in html


def test_every_mistake_of_the_address_is_shown_at_once(issued: ComprehensiveLicense, alice: User) -> None:
    """A phone number typed wrongly beside a missing address: both are named on the first submit."""
    applicant = _as(Client(), alice)
    response = applicant.post(
        reverse("licenses:delivery", args=[issued.pk]),
        {"delivery-method": "post", "delivery-recipient": "张三", "delivery-phone": "123"},
    )

    assert response.status_code == 422
    page = _text(response)
    assert "请填写收件地址" in page
    assert "收件电话应为11位手机号码" in page
    assert 'value="123"' in page, "what was typed stays in the form"


def test_post_delivery_closes_the_case_once_delivered(
    issued: ComprehensiveLicense, alice: User, issuer: User
) -> None:
    applicant = _as(Client(), alice)
    url = reverse("licenses:delivery", args=[issued.pk])
    incomplete = applicant.post(url, {"delivery-method": "post", "delivery-recipient": "张三"})
    assert incomplete.status_code == 422
    assert "请填写收件地址" in _text(incomplete)
    chosen = applicant.post(
        url,
        {
            "delivery-method": "post",
            "delivery-recipient": "张三",
            "delivery-phone": "13800138000",
            "delivery-address": "天门市竟陵街道钟惺大道88号",
        },
    )
    assert chosen.status_code == 302

    staff = _as(Client(), issuer)
    no_tracking = staff.post(reverse("licenses:ship", args=[issued.pk]), {"ship-carrier": "中国邮政EMS"})
    assert no_tracking.status_code == 422
    assert "请填写快递公司和运单号" in _text(no_tracking)
    shipped = staff.post(
        reverse("licenses:ship", args=[issued.pk]),
        {"ship-carrier": "中国邮政EMS", "ship-tracking_number": "1100000000000"},
    )
    assert shipped.status_code == 302
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.ISSUED
    assert "1100000000000" in _text(applicant.get(reverse("licenses:detail", args=[issued.pk])))

    assert applicant.post(reverse("licenses:delivered", args=[issued.pk])).status_code == 403
    delivered = staff.post(reverse("licenses:delivered", args=[issued.pk]))
    assert delivered.status_code == 302
    issued.case.refresh_from_db()
    assert issued.case.status == CaseStatus.CLOSED


# ---------------------------------------------------------------- the supervisor's report


def test_time_saved_shows_the_bundle_totals_and_renewals_due(
    issued: ComprehensiveLicense, alice: User, issuer: User, supervisor: User, client: Client
) -> None:
    delivery = delivery_choose(licence=issued, user=alice, method="pickup")
    delivery_hand_over(licence=issued, staff=issuer, pickup_code=delivery.pickup_code)
    case = Case.objects.get(pk=issued.case_id)
    assert case.statutory_serial_days is not None
    assert case.elapsed_workdays is not None
    soon = timezone.localdate() + timedelta(days=20)
    ComprehensiveLicense.objects.filter(pk=issued.pk).update(valid_until=soon)

    assert _as(Client(), issuer).get(reverse("licenses:time_saved")).status_code == 403
    page = _as(client, supervisor).get(reverse("licenses:time_saved"))
    assert page.status_code == 200
    html = _text(page)
    row = re.search(r'<tr data-bundle="hotel">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'class="num">(?:<strong>)?(\d+)', row.group(1))
    saved = case.statutory_serial_days - case.elapsed_workdays
    assert cells == [str(1), str(case.elapsed_workdays), str(case.statutory_serial_days), str(saved)]
    assert issued.number in html
    assert f"{soon:%Y-%m-%d}" in html
    assert "20 天" in html


# ---------------------------------------------------------------- renewal reminders


def test_renewal_reminder_is_sent_once_per_licence_and_expiry(
    issued: ComprehensiveLicense, alice: User
) -> None:
    alice.phone = "13900139000"
    alice.save(update_fields=["phone"])
    ComprehensiveLicense.objects.filter(pk=issued.pk).update(
        valid_until=timezone.localdate() + timedelta(days=10)
    )

    call_command("renewals", "remind", "--days", "30", verbosity=0)
    call_command("renewals", "remind", "--days", "30", verbosity=0)

    reminders = Notification.objects.filter(user=alice, title="证照即将到期")
    assert reminders.count() == 1
    assert issued.number in reminders.get().body
    assert reminders.get().link == reverse("licenses:detail", args=[issued.pk])
    sms = OutboundMessage.objects.filter(recipient="13900139000", body__contains="到期")
    assert sms.count() == 1
    assert issued.number in sms.get().body
    assert issued.case.events.filter(action="renewal_reminded").count() == 1

    # A renewed licence (a new expiry date) is reminded again when its time comes.
    ComprehensiveLicense.objects.filter(pk=issued.pk).update(
        valid_until=timezone.localdate() + timedelta(days=20)
    )
    call_command("renewals", "remind", "--days", "30", verbosity=0)
    assert reminders.count() == 2


def test_renewal_reminder_skips_licences_outside_the_window(
    issued: ComprehensiveLicense, alice: User
) -> None:
    ComprehensiveLicense.objects.filter(pk=issued.pk).update(
        valid_until=timezone.localdate() + timedelta(days=45)
    )
    call_command("renewals", "remind", "--days", "30", verbosity=0)
    assert not Notification.objects.filter(user=alice, title="证照即将到期").exists()

"""What the comprehensive window notices: the queue, the review page, accept / supplement / refuse, assisted filing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, Channel, SupplementRequest
from onewindow.cases.services import case_refuse, case_request_supplement, case_start, case_submit
from onewindow.centers.models import ServiceCenter

QUESTIONS = {f"q_{code}": value for code, value in HOTEL_FOUR_ITEMS.items()}


@pytest.fixture
def township_clerk(db: None) -> User:
    """A clerk of 岳口镇便民服务中心, who must not see the municipal centre's cases."""
    center = ServiceCenter.objects.get(code="429006107")
    return User.objects.create_user(
        username="clerk_yuekou", password="Clerk-pass-2026", role=Role.CLERK, service_center=center
    )


def upload_row(case: Case) -> CaseMaterial:
    row = (
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert row is not None
    return row


@pytest.mark.django_db
def test_the_queue_lists_the_submitted_case_with_channel_and_waiting_time(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    page = client.get(reverse("cases:window_queue")).content.decode()
    assert str(submitted.number) in page
    assert "网上申请" in page
    assert reverse("cases:window_case", args=[submitted.pk]) in page
    # The other tabs do not list it.
    assert (
        str(submitted.number)
        not in client.get(reverse("cases:window_queue") + "?status=supplement").content.decode()
    )


@pytest.mark.django_db
def test_the_queue_is_for_clerks_only(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("cases:window_queue")).status_code == 403


@pytest.mark.django_db
def test_the_queue_takes_a_fixed_number_of_queries(
    client: Client, alice: User, clerk: User, django_assert_max_num_queries: object
) -> None:
    for index in range(3):
        case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
        fill_case(case, alice)
        case_submit(case=case, user=alice, key=f"queue-{index}")
    client.force_login(clerk)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get(reverse("cases:window_queue"))
    assert response.content.decode().count('data-case="') == 3


@pytest.mark.django_db
def test_the_review_page_shows_form_materials_and_signature(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    page = client.get(reverse("cases:window_case", args=[submitted.pk])).content.decode()
    row = upload_row(submitted)
    assert reverse("cases:material_download", args=[submitted.pk, row.material.code]) in page
    assert submitted.commitment_signature.text_sha256 in page
    for button in ('id="accept"', 'id="request-supplement"', 'id="refuse"'):
        assert button in page
    download = client.get(
        reverse("cases:material_download", args=[submitted.pk, row.material.code]) + "?open=1"
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("inline;")


@pytest.mark.django_db
def test_accept_and_a_second_click_says_it_is_already_accepted(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    response = client.post(reverse("cases:window_accept", args=[submitted.pk]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.IN_APPROVAL
    branches = submitted.branches.count()
    assert branches == len(submitted.plan["items"])

    again = client.post(reverse("cases:window_accept", args=[submitted.pk]), follow=True)
    assert again.status_code == 200
    assert "由您受理，无需重复操作" in again.content.decode()
    assert submitted.branches.count() == branches


@pytest.mark.django_db
def test_refuse_needs_a_reason_and_then_refuses(client: Client, submitted: Case, clerk: User) -> None:
    client.force_login(clerk)
    empty = client.post(reverse("cases:window_refuse", args=[submitted.pk]), {"reason": "  "})
    assert empty.status_code == 422
    assert "不予受理必须写明理由和依据" in empty.content.decode()

    reason = "经营场所不在本市行政区域内，请向所在地政务服务中心申请。"
    response = client.post(reverse("cases:window_refuse", args=[submitted.pk]), {"reason": reason})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.REFUSED
    assert submitted.outcome_note == reason
    assert (
        str(submitted.number)
        in client.get(reverse("cases:window_queue") + "?status=refused").content.decode()
    )


@pytest.mark.django_db
def test_a_reason_without_a_tick_is_not_dropped_silently(
    client: Client, submitted: Case, clerk: User
) -> None:
    row = upload_row(submitted)
    client.force_login(clerk)
    response = client.post(
        reverse("cases:window_supplement", args=[submitted.pk]), {f"reason_{row.material.code}": "扫描件模糊"}
    )
    assert response.status_code == 422
    assert "未勾选" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_supplement_fix_and_resubmit_puts_the_case_back_in_the_queue(
    client: Client, submitted: Case, clerk: User, alice: User
) -> None:
    row = upload_row(submitted)
    client.force_login(clerk)
    response = client.post(
        reverse("cases:window_supplement", args=[submitted.pk]),
        {
            "material": [row.material.code],
            f"reason_{row.material.code}": "扫描件模糊，请重新扫描",
            "other": "申请表中的从业人员数量与花名册不一致",
            "note": "请一次补齐。",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUPPLEMENT
    request = SupplementRequest.objects.get(case=submitted)
    assert len(request.entries) == 2
    assert (
        str(submitted.number)
        in client.get(reverse("cases:window_queue") + "?status=supplement").content.decode()
    )

    applicant = Client()
    applicant.force_login(alice)
    progress = applicant.get(reverse("cases:progress", args=[submitted.pk])).content.decode()
    assert "扫描件模糊，请重新扫描" in progress
    assert "申请表中的从业人员数量与花名册不一致" in progress
    assert reverse("cases:supplement_notice", args=[submitted.pk, request.pk]) in progress
    materials = applicant.get(reverse("cases:materials", args=[submitted.pk])).content.decode()
    assert "需补正" in materials

    from django.core.files.uploadedfile import SimpleUploadedFile

    from onewindow.cases.demo import DEMO_PNG

    fixed = applicant.post(
        reverse("cases:material_upload", args=[submitted.pk, row.material.code]),
        {"file": SimpleUploadedFile("rescan.png", DEMO_PNG, content_type="image/png")},
    )
    assert fixed.status_code == 302
    page = applicant.get(reverse("cases:submit", args=[submitted.pk])).content.decode()
    assert "重新提交" in page
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    resubmitted = applicant.post(reverse("cases:submit", args=[submitted.pk]), {"key": key})
    assert resubmitted.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert str(submitted.number) in client.get(reverse("cases:window_queue")).content.decode()
    timeline = applicant.get(reverse("cases:progress", args=[submitted.pk])).content.decode()
    assert "补正后重新提交" in timeline


@pytest.mark.django_db
def test_a_clerk_of_another_centre_gets_404(client: Client, submitted: Case, township_clerk: User) -> None:
    client.force_login(township_clerk)
    assert client.get(reverse("cases:window_case", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("cases:window_accept", args=[submitted.pk])).status_code == 404
    assert (
        client.post(reverse("cases:window_refuse", args=[submitted.pk]), {"reason": "x"}).status_code == 404
    )
    assert client.get(reverse("cases:progress", args=[submitted.pk])).status_code == 404
    assert str(submitted.number) not in client.get(reverse("cases:window_queue")).content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_window_assisted_case_records_the_clerk_and_the_channel(
    client: Client, clerk: User, enterprises: list[Enterprise]
) -> None:
    client.force_login(clerk)
    assert client.get(reverse("cases:assist") + "?bundle=hotel").status_code == 200
    response = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {
            "bundle": "hotel",
            "kind": "enterprise",
            "uscc": enterprises[2].uscc,
            "phone": "13700001234",
            **QUESTIONS,
        },
    )
    assert response.status_code == 302
    case = Case.objects.filter(assisted_by=clerk).latest("created_at")
    assert response["Location"] == reverse("cases:form", args=[case.pk])
    assert case.channel == Channel.WINDOW
    assert case.assisted_by == clerk
    assert case.applicant.role == Role.APPLICANT
    assert case.applicant.enterprise == enterprises[2]
    assert case.enterprise == enterprises[2]

    # The assisting clerk fills the same pages; the channel shows on them.
    page = client.get(response["Location"]).content.decode()
    assert "窗口帮办代办" in page
    fill_case(case, clerk)
    assert client.get(reverse("cases:submit", args=[case.pk])).status_code == 200

    # A second visit finds the same applicant instead of registering another.
    client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {"bundle": "hotel", "kind": "enterprise", "uscc": enterprises[2].uscc, **QUESTIONS},
    )
    assert Case.objects.filter(assisted_by=clerk).values("applicant").distinct().count() == 1


@pytest.mark.django_db
def test_window_registers_a_new_person_applicant(client: Client, clerk: User) -> None:
    from onewindow.cases.demo import id_number

    number = id_number("42900619750420551")
    client.force_login(clerk)
    response = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {"bundle": "hotel", "kind": "person", "id_number": number, "display_name": "孙八", **QUESTIONS},
    )
    assert response.status_code == 302
    case = Case.objects.filter(assisted_by=clerk).latest("created_at")
    assert case.applicant.id_number == number
    assert not case.applicant.has_usable_password()
    assert number not in case.applicant.username


@pytest.mark.django_db
def test_a_wrong_check_digit_needs_the_clerks_reason(client: Client, clerk: User) -> None:
    client.force_login(clerk)
    data = {
        "bundle": "hotel",
        "kind": "enterprise",
        "uscc": "91429006MA4F000010",
        "enterprise_name": "天门市早期试点旅馆",
        "legal_representative": "周九",
        **QUESTIONS,
    }
    refused = client.post(reverse("cases:assist") + "?bundle=hotel", data)
    assert refused.status_code == 422
    assert "校验码例外说明" in refused.content.decode()
    accepted = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {**data, "uscc_override_reason": "已核对营业执照原件，代码如此"},
    )
    assert accepted.status_code == 302
    assert Enterprise.objects.get(uscc="91429006MA4F000010").uscc_override_reason


@pytest.mark.django_db
def test_guidance_agent_files_on_the_guidance_channel(client: Client, enterprises: list[Enterprise]) -> None:
    agent = User.objects.get(username="agent")
    client.force_login(agent)
    response = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {"bundle": "hotel", "kind": "enterprise", "uscc": enterprises[1].uscc, **QUESTIONS},
    )
    assert response.status_code == 302
    case = Case.objects.filter(assisted_by=agent).latest("created_at")
    assert case.channel == Channel.GUIDANCE
    assert client.get(reverse("cases:form", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_staff_starting_online_are_sent_to_assisted_filing(client: Client, clerk: User) -> None:
    client.force_login(clerk)
    response = client.post(reverse("cases:start"), {"bundle": "hotel", "answers": "food=breakfast"})
    assert response.status_code == 403
    assert reverse("cases:assist") in response.content.decode()
    assert not Case.objects.filter(assisted_by=clerk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["clerk", "agent"])
def test_staff_are_led_to_assisted_filing_not_to_the_applicants_start(client: Client, username: str) -> None:
    client.force_login(User.objects.get(username=username))

    plan = client.get(reverse("bundles:detail", args=["hotel"])).content.decode()
    mine = client.get(reverse("cases:my_cases")).content.decode()

    assist = reverse("cases:assist")
    assert f'href="{assist}?bundle=hotel"' in plan
    assert "为申请人代办" in plan
    assert reverse("cases:start") not in plan, "the applicant's start would only answer 403"
    assert reverse("bundles:list") + '"' not in mine.split('id="case-list"')[1]
    assert "申请新的办件" not in mine
    assert f'<a href="{assist}">代办申请</a>' in mine


@pytest.mark.django_db
def test_other_staff_are_told_online_filing_is_the_applicants(client: Client) -> None:
    client.force_login(User.objects.get(username="reviewer"))
    plan = client.get(reverse("bundles:detail", args=["hotel"])).content.decode()
    assert "网上申请由申请人（企业或个人）账号办理。" in plan
    assert reverse("cases:start") not in plan
    assert reverse("cases:assist") not in plan


@pytest.mark.django_db
def test_each_tab_says_what_its_cases_wait_for(
    client: Client, submitted: Case, clerk: User, alice: User
) -> None:
    """待受理 counts the window's waiting; 待补正 counts since the notice (the applicant's turn);
    不予受理 gives the date of the refusal, and nothing waits."""
    client.force_login(clerk)
    Case.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    waiting = client.get(reverse("cases:window_queue")).content.decode()
    assert "已等待" in waiting
    assert "2\xa0日" in waiting.split(f'data-case="{submitted.pk}"')[1].split("</tr>")[0]

    case_request_supplement(case=submitted, clerk=clerk, entries=[{"material": "", "reason": "联系电话有误"}])
    row = (
        client.get(reverse("cases:window_queue") + "?status=supplement")
        .content.decode()
        .split(f'data-case="{submitted.pk}"')[1]
        .split("</tr>")[0]
    )
    assert "2\xa0日" not in row, "the days the window took are not the applicant's"
    assert "0\xa0分钟前" in row

    other = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(other, alice)
    other = case_submit(case=other, user=alice, key=f"refuse-{other.pk}")
    refused = case_refuse(case=other, clerk=clerk, reason="申请人不具备主体资格。")
    page = client.get(reverse("cases:window_queue") + "?status=refused").content.decode()
    assert "不予受理时间" in page
    row = page.split(f'data-case="{refused.pk}"')[1].split("</tr>")[0]
    assert timezone.localtime(refused.completed_at).strftime("%Y-%m-%d %H:%M") in row
    assert "分钟" not in row


@pytest.mark.django_db
def test_a_case_that_cannot_start_keeps_no_newly_registered_applicant(client: Client, clerk: User) -> None:
    """The questionnaire was answered wrongly: the case is not started, and neither the person's
    account nor the name the clerk typed is kept, so the corrected second try registers afresh."""
    from onewindow.cases.demo import id_number

    number = id_number("42900619800101002")
    data = {"bundle": "hotel", "kind": "person", "id_number": number, "display_name": "孙八八", **QUESTIONS}
    client.force_login(clerk)

    refused = client.post(reverse("cases:assist") + "?bundle=hotel", {**data, "q_food": "caviar"})
    assert refused.status_code == 422
    assert not User.objects.filter(id_number=number).exists()
    assert not Case.objects.filter(assisted_by=clerk).exists()

    corrected = client.post(reverse("cases:assist") + "?bundle=hotel", {**data, "display_name": "孙八"})
    assert corrected.status_code == 302
    assert User.objects.get(id_number=number).display_name == "孙八"

"""What an applicant notices: registering, starting a hotel case, filling, handing in, signing, submitting."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.bundles.planner import plan_for
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS, fill_case, id_number
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, Channel, Submission
from onewindow.cases.services import case_start, case_submit
from onewindow.notifications.models import Notification

PASSWORD = "Quiet-harbour-2026"
PERSON_ID = id_number("42900619900307123")


def register_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "enterprise",
        "uscc": "",
        "enterprise_name": "",
        "legal_representative": "",
        "id_number": "",
        "display_name": "",
        "phone": "13900001111",
        "username": "newcomer",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def hotel_case(user: User) -> Case:
    return case_start(bundle_code="hotel", applicant=user, answers=dict(HOTEL_FOUR_ITEMS))


def field_of_type(case: Case, kind: str) -> dict:
    return next(spec for spec in case.plan["form"] if spec["type"] == kind)


def first_row(case: Case, disposition: str) -> CaseMaterial:
    row = case.materials.filter(disposition=disposition).select_related("material").first()
    assert row is not None, f"the hotel plan has a material with disposition {disposition}"
    return row


# ---------------------------------------------------------------- registration


@pytest.mark.django_db
def test_enterprise_with_a_wrong_credit_code_is_told_in_chinese(client: Client) -> None:
    bad = "91429006MA4F000010"  # the check character of the demo code is 8
    response = client.post(
        reverse("accounts:register"),
        register_data(uscc=bad, enterprise_name="天门市新开旅馆有限公司", legal_representative="赵六"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "统一社会信用代码的校验位" in body
    assert 'aria-invalid="true"' in body
    assert not client.session.get("_auth_user_id")
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_enterprise_with_a_good_code_is_signed_in_and_reuses_the_known_enterprise(
    client: Client, enterprises: list[Enterprise]
) -> None:
    known = enterprises[2]  # a demo enterprise no account belongs to yet
    assert not User.objects.filter(enterprise=known).exists()
    response = client.post(
        reverse("accounts:register"),
        register_data(
            uscc=known.uscc.lower(),
            enterprise_name=known.name,
            legal_representative=known.legal_representative,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:my_cases")
    user = User.objects.get(username="newcomer")
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert user.role == Role.APPLICANT
    assert user.applicant_kind == User.ApplicantKind.ENTERPRISE
    assert user.enterprise_id == known.pk
    assert Enterprise.objects.filter(uscc=known.uscc).count() == 1


@pytest.mark.django_db
def test_a_known_code_with_another_name_is_refused(client: Client, enterprises: list[Enterprise]) -> None:
    known = enterprises[0]
    response = client.post(
        reverse("accounts:register"),
        register_data(uscc=known.uscc, enterprise_name="别的公司", legal_representative="某人"),
    )
    assert response.status_code == 422
    assert f"已登记为“{known.name}”" in response.content.decode()


@pytest.mark.django_db
def test_person_id_number_is_masked_on_profile_and_case_pages(client: Client) -> None:
    response = client.post(
        reverse("accounts:register"),
        register_data(kind="person", id_number=PERSON_ID, display_name="钱七", username="qianqi"),
    )
    assert response.status_code == 302
    user = User.objects.get(username="qianqi")
    assert user.applicant_kind == User.ApplicantKind.PERSON
    assert user.id_number == PERSON_ID
    masked = PERSON_ID[:6] + "********" + PERSON_ID[-4:]

    profile = client.get(reverse("cases:profile")).content.decode()
    assert masked in profile
    assert PERSON_ID not in profile

    case = hotel_case(user)
    for url in (
        reverse("cases:progress", args=[case.pk]),
        reverse("cases:form", args=[case.pk]),
        reverse("cases:materials", args=[case.pk]),
        reverse("cases:my_cases"),
    ):
        page = client.get(url).content.decode()
        assert PERSON_ID not in page, url
    assert masked in client.get(reverse("cases:progress", args=[case.pk])).content.decode()


@pytest.mark.django_db
def test_person_with_a_wrong_id_number_is_told_in_chinese(client: Client) -> None:
    wrong = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    response = client.post(
        reverse("accounts:register"), register_data(kind="person", id_number=wrong, display_name="钱七")
    )
    assert response.status_code == 422
    assert "身份证号码的校验位" in response.content.decode()


# ---------------------------------------------------------------- starting a case


@pytest.mark.django_db
def test_start_button_sends_a_visitor_to_sign_in_and_back(client: Client, alice: User) -> None:
    answers = urlencode(HOTEL_FOUR_ITEMS)
    response = client.post(reverse("cases:start"), {"bundle": "hotel", "answers": answers})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")

    client.force_login(alice)
    target = response["Location"].split("next=", 1)[1]
    from urllib.parse import unquote

    confirm = client.get(unquote(target))
    assert confirm.status_code == 200
    assert "开始申请" in confirm.content.decode()


@pytest.mark.django_db
def test_start_a_hotel_case_from_the_answers(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)}
    )
    case = Case.objects.filter(applicant=alice).latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:form", args=[case.pk])
    assert case.status == CaseStatus.DRAFT
    assert case.channel == Channel.ONLINE
    assert len(case.plan["items"]) == len(plan_for("hotel", HOTEL_FOUR_ITEMS).items) > 1
    page = client.get(response["Location"]).content.decode()
    assert field_of_type(case, "phone")["label"] in page
    assert "网上申请" in page


@pytest.mark.django_db
def test_invalid_answers_are_shown_beside_the_question(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("cases:start"), {"bundle": "hotel", "answers": "food=caviar"})
    assert response.status_code == 422
    assert "情形回答有误" in response.content.decode()
    assert not Case.objects.filter(applicant=alice).exists()


@pytest.mark.django_db
def test_kiosk_session_starts_cases_on_the_kiosk_channel(client: Client, alice: User) -> None:
    client.force_login(User.objects.get(username="clerk"))
    client.post(reverse("cases:kiosk"))  # the window clerk sets the terminal up
    client.post(reverse("accounts:logout"))
    kiosk = client.get(reverse("cases:kiosk"))
    assert kiosk.status_code == 200
    assert reverse("accounts:login") + "?next=" + reverse("cases:kiosk") in kiosk.content.decode()
    client.force_login(alice)
    client.post(reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)})
    case = Case.objects.filter(applicant=alice).latest("created_at")
    assert case.channel == Channel.KIOSK
    assert "自助终端" in client.get(reverse("cases:progress", args=[case.pk])).content.decode()


# ---------------------------------------------------------------- the form


@pytest.mark.django_db
def test_autosave_keeps_an_invalid_phone_and_shows_the_error(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    phone = field_of_type(case, "phone")
    client.force_login(alice)
    response = client.post(
        reverse("cases:form_save", args=[case.pk]), {phone["code"]: "12345"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="field-{phone["code"]}"' in body
    assert "手机号码应为11位数字" in body
    assert 'aria-invalid="true"' in body
    assert "已自动保存" in body
    assert 'hx-swap-oob="innerHTML"' in body
    case.refresh_from_db()
    assert case.form_data[phone["code"]] == "12345"

    fixed = client.post(
        reverse("cases:form_save", args=[case.pk]),
        {phone["code"]: "13800138000"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "手机号码应为11位数字" not in fixed
    assert "已保存" in fixed


@pytest.mark.django_db
def test_autosave_after_the_session_expired_says_so_instead_of_swapping_in_the_login_page(
    client: Client, alice: User
) -> None:
    case = hotel_case(alice)
    phone = field_of_type(case, "phone")
    response = client.post(
        reverse("cases:form_save", args=[case.pk]),
        {phone["code"]: "13800138000"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#autosave-status"
    assert "登录已超时" in response.content.decode()
    case.refresh_from_db()
    assert phone["code"] not in case.form_data


@pytest.mark.django_db
def test_a_reload_shows_every_saved_value(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    phone = field_of_type(case, "phone")
    area = field_of_type(case, "area")
    client.force_login(alice)
    headers = {"HX-Request": "true"}
    client.post(reverse("cases:form_save", args=[case.pk]), {phone["code"]: "139-0000-2222"}, headers=headers)
    client.post(reverse("cases:form_save", args=[case.pk]), {area["code"]: "abc"}, headers=headers)
    page = client.get(reverse("cases:form", args=[case.pk])).content.decode()
    assert 'value="139-0000-2222"' in page
    assert 'value="abc"' in page
    assert "请填写数字" in page
    # The enterprise's particulars were filled in from the account when the case started.
    assert "天门市悦来宾馆有限公司" in page


@pytest.mark.django_db
def test_the_save_button_works_without_javascript(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    phone = field_of_type(case, "phone")
    client.force_login(alice)
    response = client.post(reverse("cases:form", args=[case.pk]), {phone["code"]: "1380013800", "save": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body
    assert "手机号码应为11位数字" in body
    case.refresh_from_db()
    assert case.form_data[phone["code"]] == "1380013800"


# ---------------------------------------------------------------- materials


@pytest.mark.django_db
def test_a_pdf_named_png_is_taken_as_pdf(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    row = first_row(case, CaseMaterial.Disposition.UPLOAD)
    client.force_login(alice)
    upload = SimpleUploadedFile("floor-plan.png", DEMO_PDF, content_type="image/png")
    response = client.post(
        reverse("cases:material_upload", args=[case.pk, row.material.code]), {"file": upload}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.content_type == "application/pdf"
    assert row.original_name == "floor-plan.png"
    page = client.get(reverse("cases:materials", args=[case.pk])).content.decode()
    assert "floor-plan.png" in page
    assert row.sha256[:12] in page


@pytest.mark.django_db
def test_a_text_file_named_pdf_is_refused_in_chinese(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    row = first_row(case, CaseMaterial.Disposition.UPLOAD)
    client.force_login(alice)
    upload = SimpleUploadedFile("licence.pdf", "这不是 PDF 文件".encode(), content_type="application/pdf")
    response = client.post(
        reverse("cases:material_upload", args=[case.pk, row.material.code]), {"file": upload}
    )
    assert response.status_code == 422
    assert "只能上传 PDF、JPEG 或 PNG 文件" in response.content.decode()
    row.refresh_from_db()
    assert not row.file


@pytest.mark.django_db
def test_the_business_licence_is_taken_from_the_library(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    row = (
        case.materials.filter(
            disposition=CaseMaterial.Disposition.SHARED, material__shared_licence_type="营业执照"
        )
        .select_related("material")
        .first()
    )
    assert row is not None
    client.force_login(alice)
    response = client.post(reverse("cases:material_shared", args=[case.pk, row.material.code]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.shared_reference.startswith("1.2.156.3005.2.")
    page = client.get(reverse("cases:materials", args=[case.pk])).content.decode()
    assert row.shared_reference in page


@pytest.mark.django_db
def test_a_library_outage_is_explained_and_upload_offered(client: Client, alice: User) -> None:
    from onewindow.integrations.elicense.models import LibraryState

    case = hotel_case(alice)
    row = first_row(case, CaseMaterial.Disposition.SHARED)
    LibraryState.objects.update_or_create(pk=1, defaults={"online": False})
    client.force_login(alice)
    response = client.post(reverse("cases:material_shared", args=[case.pk, row.material.code]))
    body = response.content.decode()
    assert response.status_code in (400, 503)
    assert "电子证照库暂时无法访问" in body
    assert f'id="file-input-{row.material.code}"' in body


# ---------------------------------------------------------------- commitment and submit


@pytest.mark.django_db
def test_signing_the_commitment_shows_signer_time_and_hash(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    client.force_login(alice)
    page = client.get(reverse("cases:commitment", args=[case.pk])).content.decode()
    assert "我已阅读并承诺" in page

    unticked = client.post(reverse("cases:commitment", args=[case.pk]), {})
    assert unticked.status_code == 422
    assert "请先勾选" in unticked.content.decode()

    response = client.post(reverse("cases:commitment", args=[case.pk]), {"agree": "yes"})
    assert response.status_code == 302
    signed = client.get(reverse("cases:commitment", args=[case.pk])).content.decode()
    case.refresh_from_db()
    assert case.commitment_signature.text_sha256 in signed
    assert alice.name in signed


@pytest.mark.django_db
def test_submit_lists_every_problem_with_a_link(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    client.force_login(alice)
    page = client.get(reverse("cases:submit", args=[case.pk])).content.decode()
    assert "还有" in page
    assert reverse("cases:materials", args=[case.pk]) + "#material-" in page
    assert reverse("cases:commitment", args=[case.pk]) in page
    response = client.post(reverse("cases:submit", args=[case.pk]), {"key": "a" * 32})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


@pytest.mark.django_db
def test_submitting_twice_with_the_same_key_submits_once(
    client: Client, filled_case: Case, alice: User
) -> None:
    client.force_login(alice)
    page = client.get(reverse("cases:submit", args=[filled_case.pk])).content.decode()
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    assert len(key) == 32

    first = client.post(reverse("cases:submit", args=[filled_case.pk]), {"key": key})
    second = client.post(reverse("cases:submit", args=[filled_case.pk]), {"key": key})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("cases:progress", args=[filled_case.pk])
    filled_case.refresh_from_db()
    assert filled_case.status == CaseStatus.SUBMITTED
    assert Submission.objects.filter(case=filled_case).count() == 1
    assert filled_case.events.filter(action="submitted").count() == 1
    progress = client.get(first["Location"]).content.decode()
    assert str(filled_case.number) in progress
    assert "提交申请" in progress
    assert progress.count("申请已提交，办件编号") == 1, "one submission, one message"


@pytest.mark.django_db
def test_a_submitted_case_can_no_longer_be_edited(client: Client, filled_case: Case, alice: User) -> None:
    case_submit(case=filled_case, user=alice, key="submitted-once")
    client.force_login(alice)
    response = client.get(reverse("cases:form", args=[filled_case.pk]))
    assert response.status_code == 302
    phone = field_of_type(filled_case, "phone")
    autosave = client.post(
        reverse("cases:form_save", args=[filled_case.pk]),
        {phone["code"]: "1"},
        headers={"HX-Request": "true"},
    )
    assert "未能保存" in autosave.content.decode()


# ---------------------------------------------------------------- privacy


@pytest.mark.django_db
def test_another_applicant_gets_404_everywhere(client: Client, filled_case: Case, bob: User) -> None:
    row = first_row(filled_case, CaseMaterial.Disposition.UPLOAD)
    client.force_login(bob)
    urls = [
        reverse("cases:progress", args=[filled_case.pk]),
        reverse("cases:form", args=[filled_case.pk]),
        reverse("cases:materials", args=[filled_case.pk]),
        reverse("cases:commitment", args=[filled_case.pk]),
        reverse("cases:submit", args=[filled_case.pk]),
        reverse("cases:material_download", args=[filled_case.pk, row.material.code]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("cases:form_save", args=[filled_case.pk]), {}, headers={"HX-Request": "true"}
        ).status_code
        == 404
    )
    assert client.post(reverse("cases:submit", args=[filled_case.pk]), {"key": "bob-key"}).status_code == 404
    filled_case.refresh_from_db()
    assert filled_case.status == CaseStatus.DRAFT


@pytest.mark.django_db
def test_the_owner_downloads_a_material_privately(client: Client, filled_case: Case, alice: User) -> None:
    row = first_row(filled_case, CaseMaterial.Disposition.UPLOAD)
    client.force_login(alice)
    response = client.get(reverse("cases:material_download", args=[filled_case.pk, row.material.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.getvalue() == DEMO_PDF


# ---------------------------------------------------------------- lists


@pytest.mark.django_db
def test_my_cases_lists_own_cases_in_a_fixed_number_of_queries(
    client: Client, alice: User, django_assert_max_num_queries: object
) -> None:
    for _ in range(3):
        hotel_case(alice)
    client.force_login(alice)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get(reverse("cases:my_cases"))
    assert response.content.decode().count('data-case="') == 3


@pytest.mark.django_db
def test_notifications_are_listed_and_marked_read(client: Client, filled_case: Case, alice: User) -> None:
    case_submit(case=filled_case, user=alice, key="notify-me")
    notification = Notification.objects.filter(user=alice).latest("created_at")
    client.force_login(alice)
    page = client.get(reverse("cases:notifications")).content.decode()
    assert notification.title in page
    assert "未读" in page
    client.post(reverse("cases:notification_read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_a_draft_from_the_demo_fill_is_ready_to_submit(client: Client, alice: User) -> None:
    case = hotel_case(alice)
    fill_case(case, alice)
    client.force_login(alice)
    page = client.get(reverse("cases:submit", args=[case.pk])).content.decode()
    assert 'id="ready"' in page


@pytest.mark.django_db
def test_progress_page_names_every_later_step_in_words(filled_case, alice) -> None:
    from django.test import Client
    from django.urls import reverse

    from onewindow.cases.services import event_append

    for action in ("inspection_scheduled", "inspection_findings_issued", "licence_issued", "handed_over"):
        event_append(case=filled_case, actor=None, action=action)
    client = Client()
    client.force_login(alice)

    page = client.get(reverse("cases:progress", args=[filled_case.pk])).content.decode()

    for words in ("安排联合现场核查", "出具现场核查整改通知", "签发综合许可证", "窗口领取证照"):
        assert words in page
    for code in ("inspection_scheduled", "licence_issued", "handed_over"):
        assert code not in page

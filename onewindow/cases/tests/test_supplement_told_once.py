"""补正一次告知: once the applicant has answered the supplement notice, the window may only ask again
for what that notice listed and is still not right; for anything else it accepts or refuses."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, SupplementRequest
from onewindow.cases.services import case_material_upload, case_request_supplement, case_submit

OTHER_LINE = "从业人员数量填写有误"


def upload_rows(case: Case) -> list[CaseMaterial]:
    rows = list(
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD)
        .select_related("material")
        .order_by("id")
    )
    assert len(rows) >= 2
    return rows


def answered_once(case: Case, clerk: User, alice: User) -> tuple[CaseMaterial, CaseMaterial]:
    """The first notice lists one material and one other line; the applicant supplies and resubmits."""
    first, other = upload_rows(case)[:2]
    case_request_supplement(
        case=case,
        clerk=clerk,
        entries=[
            {"material": first.material.code, "reason": "扫描件模糊"},
            {"material": "", "reason": OTHER_LINE},
        ],
    )
    case.refresh_from_db()
    upload = SimpleUploadedFile("a.pdf", DEMO_PDF, content_type="application/pdf")
    case_material_upload(case=case, user=alice, material_code=first.material.code, upload=upload)
    resubmitted = case_submit(case=case, user=alice, key=f"resubmit-{case.pk}")
    assert resubmitted.status == CaseStatus.SUBMITTED
    return first, other


@pytest.mark.django_db
def test_a_second_notice_asking_for_a_material_the_first_never_listed_is_refused(
    submitted: Case, clerk: User, alice: User
) -> None:
    _first, other = answered_once(submitted, clerk, alice)

    with pytest.raises(CaseInvalid) as refused:
        case_request_supplement(
            case=submitted,
            clerk=clerk,
            entries=[{"material": other.material.code, "reason": "第一次没有告知的新问题"}],
        )

    assert refused.value.code == "supplement_not_told"
    assert f"“{other.material.name}”" in refused.value.message
    assert "受理或不予受理" in refused.value.message
    assert "entries[0].material" in refused.value.fields
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED
    assert SupplementRequest.objects.filter(case=submitted).count() == 1


@pytest.mark.django_db
def test_a_new_other_line_is_refused_too(submitted: Case, clerk: User, alice: User) -> None:
    answered_once(submitted, clerk, alice)

    with pytest.raises(CaseInvalid) as refused:
        case_request_supplement(
            case=submitted, clerk=clerk, entries=[{"material": "", "reason": "经营场所面积与平面图不符"}]
        )

    assert "“经营场所面积与平面图不符”" in refused.value.message


@pytest.mark.django_db
def test_what_the_first_notice_listed_and_is_still_not_right_may_be_told_again(
    submitted: Case, clerk: User, alice: User
) -> None:
    first, _other = answered_once(submitted, clerk, alice)

    again = case_request_supplement(
        case=submitted,
        clerk=clerk,
        entries=[
            {"material": first.material.code, "reason": "重新上传的扫描件仍缺第2页"},
            {"material": "", "reason": OTHER_LINE},
        ],
    )

    assert [e["reason"] for e in again.entries] == ["重新上传的扫描件仍缺第2页", OTHER_LINE]
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUPPLEMENT


@pytest.mark.django_db
def test_the_review_page_shows_the_first_notice_and_offers_only_what_it_listed(
    submitted: Case, clerk: User, alice: User
) -> None:
    first, other = answered_once(submitted, clerk, alice)
    notice = SupplementRequest.objects.get(case=submitted)
    client = Client()
    client.force_login(clerk)

    page = client.get(reverse("cases:window_case", args=[submitted.pk])).content.decode()

    told = page.split('id="supplement-told"')[1].split("</div>")[0]
    assert timezone.localtime(notice.requested_at).strftime("%Y-%m-%d %H:%M") in told
    assert "扫描件模糊" in told and OTHER_LINE in told
    assert "受理或不予受理" in told
    form = page.split('id="supplement-form"')[1].split("</form>")[0]
    assert f'value="{first.material.code}"' in form
    assert f'value="{other.material.code}"' not in form
    assert OTHER_LINE in form  # the earlier line, to tick if still wrong
    assert 'name="other"' not in form  # no new lines

    # Ticking the earlier line sends it again, word for word.
    response = client.post(reverse("cases:window_supplement", args=[submitted.pk]), {"line": "0"})
    assert response.status_code == 302
    latest = SupplementRequest.objects.filter(case=submitted).latest("requested_at")
    assert latest.entries == [{"material": "", "name": "", "reason": OTHER_LINE}]


@pytest.mark.django_db
def test_the_api_refuses_a_second_notice_with_new_items(submitted: Case, clerk: User, alice: User) -> None:
    _first, other = answered_once(submitted, clerk, alice)
    client = Client()
    client.force_login(clerk)

    response = client.post(
        f"/api/v1/cases/{submitted.pk}/supplement",
        json.dumps({"entries": [{"material": other.material.code, "reason": "新问题"}]}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "supplement_not_told"


@pytest.mark.django_db
def test_the_first_notice_may_list_anything(submitted: Case, clerk: User) -> None:
    rows = upload_rows(submitted)
    request = case_request_supplement(
        case=submitted,
        clerk=clerk,
        entries=[{"material": row.material.code, "reason": "扫描件模糊"} for row in rows]
        + [{"material": "", "reason": OTHER_LINE}],
    )
    assert len(request.entries) == len(rows) + 1

"""A supplement reason longer than a material row keeps is refused, never cut."""

from __future__ import annotations

import pytest

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.models import Case, CaseStatus, SupplementRequest
from onewindow.cases.services import SUPPLEMENT_REASON_MAX, case_request_supplement


def material_code(case: Case) -> str:
    return case.materials.select_related("material").order_by("id")[0].material.code


@pytest.mark.django_db
def test_a_reason_too_long_is_refused_with_its_entry(submitted: Case, clerk: User) -> None:
    code = material_code(submitted)

    with pytest.raises(CaseInvalid) as refused:
        case_request_supplement(
            case=submitted,
            clerk=clerk,
            entries=[{"material": code, "reason": "盖章不清晰"}, {"material": "", "reason": "字" * 100_000}],
        )

    assert refused.value.code == "text_too_long"
    assert refused.value.fields == {"entries[1].reason": "补正原因最多 300 个字，请精简。"}
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED
    assert not SupplementRequest.objects.filter(case=submitted).exists()
    assert not submitted.materials.filter(needs_supplement=True).exists()


@pytest.mark.django_db
def test_a_reason_at_the_limit_is_kept_whole(submitted: Case, clerk: User) -> None:
    code = material_code(submitted)
    reason = "字" * SUPPLEMENT_REASON_MAX

    request = case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": code, "reason": reason}]
    )

    assert request.entries[0]["reason"] == reason
    assert submitted.materials.get(material__code=code).supplement_reason == reason


@pytest.mark.django_db
def test_a_long_note_is_kept_whole(submitted: Case, clerk: User) -> None:
    note = "请一次补齐。" * 2_000

    request = case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": "", "reason": "联系人手机号码有误"}], note=note
    )

    request.refresh_from_db()
    assert request.note == note

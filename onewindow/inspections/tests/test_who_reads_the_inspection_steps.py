"""A joint inspection's steps about no one item (scheduled, the combined findings, the result) are read
by every department taking part in it, on its branch pages and through the API, and by no other.

The hotel case's inspection covers seven departments; 生态环境局 (sewage) takes no part. 烟草专卖局
finds a problem; 卫健委 passes everything, yet reads the one combined notice it is named beside.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.inspections.models import JointInspection
from onewindow.inspections.services import inspection_finish
from onewindow.inspections.tests.conftest import login, record_everything

HEALTH = "429006-wj"
TOBACCO = "429006-yc"
SEWAGE = "429006-zj"  # its item needs no site check
FINDING = "灭火器已过期，请更换。"  # what record_everything writes for the failed entry
INSPECTION_WIDE = {"inspection_scheduled", "inspection_findings_issued"}


def reviewer_of(code: str) -> User:
    return User.objects.create_user(
        username=f"reviewer-{code}",
        role=Role.REVIEWER,
        department=Department.objects.get(code=code),
        display_name=f"{code}审批员",
    )


def event_actions(user: User, case: Case) -> dict[str, str]:
    """The actions of the case's events the API shows this user, with their comments."""
    response = login(Client(), user).get(f"/api/v1/cases/{case.pk}/events")
    assert response.status_code == 200
    return {event["action"]: event["comment"] for event in response.json()}


def branch_page(user: User, case: Case, code: str) -> str:
    branch = Branch.objects.get(case=case, department__code=code)
    response = login(Client(), user).get(reverse("approvals:branch", args=[branch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def findings_issued(inspection: JointInspection, chen: User, inspectors: dict[str, User]) -> None:
    record_everything(inspection, inspectors, fail=TOBACCO)
    inspection_finish(inspection=inspection, organiser=chen)


def test_every_department_taking_part_reads_the_combined_findings(
    hotel_case: Case, inspection: JointInspection, chen: User, inspectors: dict[str, User]
) -> None:
    findings_issued(inspection, chen, inspectors)

    for code in (HEALTH, TOBACCO):
        shown = event_actions(inspectors[code], hotel_case)
        assert set(shown) >= INSPECTION_WIDE, f"{code} takes part in the inspection"
        assert FINDING in shown["inspection_findings_issued"]
        page = branch_page(reviewer_of(code), hotel_case, code)
        assert FINDING in page, f"{code}'s reviewer reads the combined findings on his branch page"


def test_a_department_not_taking_part_reads_none_of_it(
    hotel_case: Case, inspection: JointInspection, chen: User, inspectors: dict[str, User]
) -> None:
    findings_issued(inspection, chen, inspectors)

    shown = event_actions(inspectors[SEWAGE], hotel_case)
    assert "accepted" in shown, "it still reads the case-wide steps"
    assert not INSPECTION_WIDE & set(shown)
    assert FINDING not in branch_page(reviewer_of(SEWAGE), hotel_case, SEWAGE)

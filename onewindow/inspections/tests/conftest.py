"""Fixtures for joint inspection tests: an accepted nine-item hotel case and one inspector per department.

The cast: alice applies (demo "applicant"); chen (demo "inspector", 公安局, the hotel bundle's
lead department) organises and inspects for 公安; one inspector per other department; bob is
another applicant with no access to alice's case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import BranchStatus
from onewindow.cases.demo import DEMO_PDF, DEMO_PNG
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import Department
from onewindow.inspections.models import ChecklistEntry, JointInspection
from onewindow.inspections.services import checklist_record, inspection_schedule

# Every optional question of onewindow/bundles/data/hotel.yaml answered "yes": all nine items apply.
HOTEL_ALL_YES = {
    "premises_leased": "yes",
    "food": "meals",
    "sells_cigarettes": "yes",
    "lifts_or_boilers": "yes",
    "pool": "yes",
    "entertainment": "yes",
    "central_ac": "yes",
    "daily_discharge": "10",
    "by_agent": "yes",
    "use_commitment": "yes",
}
LEAD = "429006-ga"
PASSWORD = "OneWindow-2026"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PNG, content_type="image/png")


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def text_file(name: str = "photo.jpg") -> SimpleUploadedFile:
    """Not an image, whatever its name and declared type say."""
    return SimpleUploadedFile(name, "这不是照片".encode() * 20, content_type="image/jpeg")


@pytest.fixture
def chen(db: None) -> User:
    """The demo inspector of 公安局: organiser of hotel inspections and 公安's inspector."""
    return User.objects.get(username="inspector")


@pytest.fixture
def inspectors(chen: User) -> dict[str, User]:
    """One inspector per hotel department, by department code."""
    cast = {LEAD: chen}
    for department in Department.objects.filter(code__startswith="429006-").exclude(code=LEAD):
        cast[department.code] = User.objects.create_user(
            username=f"inspector-{department.code}",
            password=PASSWORD,
            role=Role.INSPECTOR,
            department=department,
            display_name=f"{department.short_name}核查员",
        )
    return cast


@pytest.fixture
def hotel_case(alice: User) -> Case:
    """A hotel case with all nine items, accepted: its branches are open in eight departments."""
    case = accepted_hotel_case(alice, HOTEL_ALL_YES)
    assert case.status == CaseStatus.IN_APPROVAL
    assert case.branches.count() == 9
    assert case.branches.filter(status=BranchStatus.PENDING).exists()
    return case


# The seven hotel departments whose items need a site check (special equipment and sewage do not).
SITE_CHECK_DEPARTMENTS = (
    "429006-ga",
    "429006-xf",
    "429006-wj",
    "429006-scjg",
    "429006-yc",
    "429006-ty",
    "429006-wl",
)


@pytest.fixture
def tomorrow() -> datetime:
    return timezone.now() + timedelta(days=1)


@pytest.fixture
def inspection(
    hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> JointInspection:
    """The hotel case's joint inspection, scheduled for tomorrow with one inspector per department."""
    return inspection_schedule(
        case=hotel_case,
        organiser=chen,
        scheduled_at=tomorrow,
        address="天门市竟陵街道钟惺大道88号",
        inspectors={code: inspectors[code] for code in SITE_CHECK_DEPARTMENTS},
    )


def entry_of(inspection: JointInspection, department_code: str, round_: int = 1) -> ChecklistEntry:
    """The first checklist entry of a department's section."""
    entry = (
        ChecklistEntry.objects.filter(
            assignment__inspection=inspection, assignment__department__code=department_code, round=round_
        )
        .order_by("assignment_id", "order")
        .first()
    )
    assert entry is not None
    return entry


def record_everything(inspection: JointInspection, inspectors: dict[str, User], *, fail: str = "") -> None:
    """Every inspector passes his whole section, except the first entry of department `fail`."""
    failed = False
    for entry in (
        ChecklistEntry.objects.filter(assignment__inspection=inspection, round=inspection.round)
        .select_related("assignment__department")
        .order_by("assignment_id", "order")
    ):
        code = entry.assignment.department.code
        if code == fail and not failed:
            failed = True
            checklist_record(
                entry=entry, inspector=inspectors[code], result="fail", note="灭火器已过期，请更换。"
            )
        else:
            checklist_record(entry=entry, inspector=inspectors[code], result="pass")


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Move the clock forward by whole days (timezone.now, and so timezone.localdate)."""
    real_now = timezone.now
    offset = {"days": 0}

    def shifted() -> datetime:
        return real_now() + timedelta(days=offset["days"])

    monkeypatch.setattr(timezone, "now", shifted)

    def to(days: int) -> None:
        offset["days"] = days

    return to


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client

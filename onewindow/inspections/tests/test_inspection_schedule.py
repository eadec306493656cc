"""Scheduling a joint inspection: who may organise it, which branches it covers, who inspects."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus, ClockPause
from onewindow.approvals.services import branch_approve
from onewindow.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.inspections.models import InspectionStatus, JointInspection
from onewindow.inspections.selectors import cases_awaiting_inspection, schedulable_branches
from onewindow.inspections.services import inspection_schedule
from onewindow.inspections.tests.conftest import LEAD, SITE_CHECK_DEPARTMENTS
from onewindow.notifications.models import Notification

pytestmark = pytest.mark.django_db

ADDRESS = "天门市竟陵街道钟惺大道88号"


def team(inspectors: dict[str, User]) -> dict[str, User]:
    return {code: inspectors[code] for code in SITE_CHECK_DEPARTMENTS}


def test_schedule_covers_the_open_site_check_branches_and_tells_everyone(
    hotel_case: Case, chen: User, alice: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    assert cases_awaiting_inspection(chen).filter(pk=hotel_case.pk).exists()
    inspection = inspection_schedule(
        case=hotel_case, organiser=chen, scheduled_at=tomorrow, address=ADDRESS, inspectors=team(inspectors)
    )
    assert inspection.status == InspectionStatus.SCHEDULED
    assert inspection.round == 1
    assert inspection.organiser_department.code == LEAD
    assert not cases_awaiting_inspection(chen).filter(pk=hotel_case.pk).exists()
    assert schedulable_branches(hotel_case) == [], "a running inspection covers them all"
    event = hotel_case.events.get(action="inspection_scheduled")
    assert event.data["inspection"] == inspection.pk
    assert len(event.data["items"]) == 7
    assert Notification.objects.filter(user=alice, title="现场核查已安排").count() == 1
    for code in SITE_CHECK_DEPARTMENTS:
        assert Notification.objects.filter(user=inspectors[code], title="联合核查任务").count() == 1


def test_a_decided_branch_is_not_inspected_and_a_released_one_is_paused(
    hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    fire = hotel_case.branches.get(department__code="429006-xf")
    reviewer = User.objects.create_user(
        username="fire-reviewer", role=Role.REVIEWER, department=fire.department
    )
    branch_approve(branch_id=fire.pk, reviewer=reviewer, permit_number="XF-1", valid_until=None)
    special_trade = hotel_case.branches.get(department__code=LEAD)
    assert Branch.objects.get(pk=special_trade.pk).status == BranchStatus.PENDING, (
        "released by the fire opinion"
    )

    chosen = team(inspectors)
    del chosen["429006-xf"]
    inspection = inspection_schedule(
        case=hotel_case, organiser=chen, scheduled_at=tomorrow, address=ADDRESS, inspectors=chosen
    )
    codes = set(inspection.assignments.values_list("department__code", flat=True))
    assert "429006-xf" not in codes
    assert LEAD in codes
    special_trade.refresh_from_db()
    assert special_trade.status == BranchStatus.PAUSED
    assert special_trade.pauses.get().reason == ClockPause.Reason.SITE_CHECK


def test_only_the_lead_department_organises(
    hotel_case: Case, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    health_inspector = inspectors["429006-wj"]
    with pytest.raises(CaseForbidden) as problem:
        inspection_schedule(
            case=hotel_case,
            organiser=health_inspector,
            scheduled_at=tomorrow,
            address=ADDRESS,
            inspectors=team(inspectors),
        )
    assert "天门市公安局" in problem.value.message
    assert not JointInspection.objects.filter(case=hotel_case).exists()
    assert not Branch.objects.filter(case=hotel_case, status=BranchStatus.PAUSED).exists()


def test_a_lead_department_reviewer_may_organise(
    hotel_case: Case, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    reviewer = User.objects.get(username="reviewer")
    inspection = inspection_schedule(
        case=hotel_case,
        organiser=reviewer,
        scheduled_at=tomorrow,
        address=ADDRESS,
        inspectors=team(inspectors),
    )
    assert inspection.organiser == reviewer


def test_one_inspector_of_each_department_is_required(
    hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    chosen = team(inspectors)
    chosen["429006-wj"] = inspectors["429006-yc"]  # the tobacco inspector cannot inspect for health
    del chosen["429006-ty"]
    chosen["429006-zj"] = inspectors["429006-zj"]  # sewage needs no site check
    with pytest.raises(CaseInvalid) as problem:
        inspection_schedule(
            case=hotel_case, organiser=chen, scheduled_at=tomorrow, address=ADDRESS, inspectors=chosen
        )
    fields = problem.value.fields
    assert set(fields) == {"429006-wj", "429006-ty", "429006-zj"}
    assert "不是天门市卫生健康委员会的核查人员" in fields["429006-wj"]
    assert "请选择天门市体育局派出的核查人员" in fields["429006-ty"]


def test_a_reviewer_is_not_an_inspector(
    hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    chosen = team(inspectors)
    chosen["429006-xf"] = User.objects.get(username="reviewer_fire")
    with pytest.raises(CaseInvalid) as problem:
        inspection_schedule(
            case=hotel_case, organiser=chen, scheduled_at=tomorrow, address=ADDRESS, inspectors=chosen
        )
    assert set(problem.value.fields) == {"429006-xf"}


def test_time_and_place_are_required(hotel_case: Case, chen: User, inspectors: dict[str, User]) -> None:
    with pytest.raises(CaseInvalid) as problem:
        inspection_schedule(
            case=hotel_case,
            organiser=chen,
            scheduled_at=timezone.now() - timedelta(days=2),
            address=ADDRESS,
            inspectors=team(inspectors),
        )
    assert "scheduled_at" in problem.value.fields
    with pytest.raises(CaseInvalid) as problem:
        inspection_schedule(
            case=hotel_case,
            organiser=chen,
            scheduled_at=timezone.now(),
            address="  ",
            inspectors=team(inspectors),
        )
    assert "address" in problem.value.fields


def test_a_second_inspection_while_one_runs_is_a_conflict(
    inspection: JointInspection, hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    with pytest.raises(CaseConflict):
        inspection_schedule(
            case=hotel_case,
            organiser=chen,
            scheduled_at=tomorrow,
            address=ADDRESS,
            inspectors=team(inspectors),
        )
    assert JointInspection.objects.filter(case=hotel_case).count() == 1


def test_a_department_without_site_checks_has_nothing_to_schedule(hotel_case: Case) -> None:
    sewage = Department.objects.get(code="429006-zj")
    assert not any(b.department_id == sewage.pk for b in schedulable_branches(hotel_case))


def test_a_branch_released_during_the_inspection_starts_with_its_clock_stopped(
    inspection: JointInspection, hotel_case: Case
) -> None:
    from onewindow.approvals.services import branch_resume
    from onewindow.inspections.selectors import inspection_holds_clock
    from onewindow.inspections.services import inspection_branch_opened

    fire = hotel_case.branches.get(department__code="429006-xf")
    reviewer = User.objects.get(username="reviewer_fire")
    assert inspection_holds_clock(fire)
    with pytest.raises(CaseConflict, match="联合核查中"):
        branch_resume(branch_id=fire.pk, reviewer=reviewer, comment="想手动恢复")

    # Under the commitment system the fire brigade may decide at once; its clock is released
    # outside the inspection here so that its decision releases the special-trade branch.
    ClockPause.objects.filter(branch=fire, ended_on__isnull=True).update(ended_on=timezone.localdate())
    fire.inspection_assignments.update(clock_paused=False)
    Branch.objects.filter(pk=fire.pk).update(status=BranchStatus.PENDING)
    branch_approve(branch_id=fire.pk, reviewer=reviewer, permit_number="XF-2", valid_until=None)

    special_trade = hotel_case.branches.get(department__code=LEAD)
    assert special_trade.status == BranchStatus.PAUSED, "released into the running inspection"
    assert inspection_holds_clock(special_trade)
    assert not inspection_branch_opened(branch=special_trade, actor=None), "only once"

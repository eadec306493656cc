"""A hotel case from submission through one supplement round and one dependency to all approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import run_queued_tasks
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve
from onewindow.cases.errors import CaseConflict, CaseInvalid, CaseNotFound
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, Submission
from onewindow.cases.selectors import audit_verify
from onewindow.cases.services import (
    case_accept,
    case_refuse,
    case_request_supplement,
    case_submit,
)
from onewindow.notifications.models import Notification, OutboundMessage


def reviewer_of(branch: Branch) -> User:
    user, _created = User.objects.get_or_create(
        username=f"r-{branch.department.code}",
        defaults={"role": Role.REVIEWER, "department": branch.department},
    )
    return user


@pytest.mark.django_db
def test_hotel_case_supplement_dependency_all_approved(filled_case: Case, alice: User, clerk: User) -> None:
    case = case_submit(case=filled_case, user=alice, key="k-1")
    assert case.status == CaseStatus.SUBMITTED
    assert case.number and case.number.startswith("429006")
    assert len(case.plan["items"]) == 4

    upload = (
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert upload is not None
    request = case_request_supplement(
        case=case, clerk=clerk, entries=[{"material": upload.material.code, "reason": "扫描件模糊"}]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT
    assert request.entries[0]["name"] == upload.material.name

    # The applicant cannot resubmit before fixing the listed material.
    with pytest.raises(CaseInvalid) as problem:
        case_submit(case=case, user=alice, key="k-2")
    assert f"material:{upload.material.code}" in problem.value.fields

    from onewindow.cases.demo import fill_case

    fill_case(case, alice)
    case = case_submit(case=case, user=alice, key="k-3")
    assert case.status == CaseStatus.SUBMITTED
    request.refresh_from_db()
    assert request.resolved_at is not None

    case = case_accept(case=case, clerk=clerk)
    branches = {b.item.code: b for b in case.branches.select_related("item", "department")}
    assert len(branches) == 4
    waiting = [b for b in branches.values() if b.status == BranchStatus.WAITING]
    assert len(waiting) == 1, "the special-trade permit waits for the fire-safety opinion"
    held = waiting[0]
    prerequisite = held.prerequisites.get()
    assert all(b.due_on for b in branches.values() if b.status == BranchStatus.PENDING)
    assert held.due_on is None

    for branch in branches.values():
        if branch.pk in (held.pk, prerequisite.pk):
            continue
        branch_approve(
            branch_id=branch.pk,
            reviewer=reviewer_of(branch),
            permit_number=f"P-{branch.pk}",
            valid_until=timezone.localdate() + timedelta(days=365),
        )
    held.refresh_from_db()
    assert held.status == BranchStatus.WAITING

    branch_approve(
        branch_id=prerequisite.pk,
        reviewer=reviewer_of(prerequisite),
        permit_number="XF-1",
        valid_until=None,
    )
    held.refresh_from_db()
    assert held.status == BranchStatus.PENDING
    assert held.opened_on == timezone.localdate()
    assert held.due_on is not None and held.due_on > held.opened_on

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_APPROVAL
    branch_approve(
        branch_id=held.pk,
        reviewer=reviewer_of(held),
        permit_number="GA-1",
        valid_until=timezone.localdate() + timedelta(days=365),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED

    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions[0] == "created"
    for expected in [
        "submitted",
        "supplement_requested",
        "resubmitted",
        "accepted",
        "branch_released",
        "approval_completed",
    ]:
        assert expected in actions
    checked, findings = audit_verify([case.pk])
    assert (checked, findings) == (1, [])
    titles = set(Notification.objects.filter(case=case).values_list("title", flat=True))
    assert {"办件已提交", "请补正材料", "办件已受理", "审批完成"} <= titles


@pytest.mark.django_db
def test_repeated_submit_creates_nothing_twice(filled_case: Case, alice: User) -> None:
    first = case_submit(case=filled_case, user=alice, key="same-key")
    again = case_submit(case=filled_case, user=alice, key="same-key")
    assert first.pk == again.pk and first.number == again.number
    assert Submission.objects.filter(case=filled_case).count() == 1
    assert filled_case.events.filter(action="submitted").count() == 1


@pytest.mark.django_db
def test_clerk_of_another_centre_cannot_accept(filled_case: Case, alice: User) -> None:
    from onewindow.centers.models import ServiceCenter

    case_submit(case=filled_case, user=alice, key="k")
    township = ServiceCenter.objects.filter(kind=ServiceCenter.Kind.TOWNSHIP).first()
    other = User.objects.create_user(username="other-clerk", role=Role.CLERK, service_center=township)
    with pytest.raises(CaseNotFound):
        case_accept(case=filled_case, clerk=other)


@pytest.mark.django_db
def test_accepting_twice_is_a_conflict_not_a_second_fan_out(
    filled_case: Case, alice: User, clerk: User
) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    case_accept(case=filled_case, clerk=clerk)
    with pytest.raises(CaseConflict):
        case_accept(case=filled_case, clerk=clerk)
    assert filled_case.branches.count() == 4


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_is_recorded(filled_case: Case, alice: User, clerk: User) -> None:
    case_submit(case=filled_case, user=alice, key="k")
    with pytest.raises(CaseInvalid):
        case_refuse(case=filled_case, clerk=clerk, reason="  ")
    case = case_refuse(case=filled_case, clerk=clerk, reason="不属于本机关职权范围")
    assert case.status == CaseStatus.REFUSED
    assert case.events.filter(action="refused", comment="不属于本机关职权范围").exists()


@pytest.mark.django_db
def test_sms_leaves_through_the_outbox_only_after_commit(
    filled_case: Case, alice: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted = case_submit(case=filled_case, user=alice, key="k")
    message = OutboundMessage.objects.get(case=filled_case, channel=OutboundMessage.Channel.SMS)
    assert message.status == OutboundMessage.Status.QUEUED
    assert callbacks, "delivery is enqueued on commit"
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED, "queued durably; the worker sends it"
    assert run_queued_tasks() >= 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_reference.startswith("local-sms-")
    assert submitted.number and submitted.number in message.body

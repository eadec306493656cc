"""A department reviewer works through his queue and decides his branches from the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, CalendarDay, ClockPause
from onewindow.approvals.services import branch_approve
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in, text
from onewindow.cases.models import Case


def page_url(branch: Branch) -> str:
    return reverse("approvals:branch", args=[branch.pk])


def action_url(branch: Branch, action: str) -> str:
    return reverse(f"approvals:{action}", args=[branch.pk])


# ---------------------------------------------------------------- who may see the queue


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(reverse("approvals:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["applicant", "clerk", "supervisor"])
def test_other_roles_get_the_chinese_403_page(username: str) -> None:
    response = signed_in(User.objects.get(username=username)).get(reverse("approvals:queue"))
    assert response.status_code == 403
    assert "您没有权限查看这个页面" in text(response)


def test_queue_shows_only_the_reviewers_department(case: Case, police: User, fire: User) -> None:
    fire_branch = branch_of(case, FIRE)
    police_branch = branch_of(case, POLICE)

    page = text(signed_in(fire).get(reverse("approvals:queue")))
    assert fire_branch.item.name in page
    assert police_branch.item.name not in page
    assert page_url(fire_branch) in page

    # 公安's branch waits for the fire-safety opinion: it is in his queue, not 消防's.
    page = text(signed_in(police).get(reverse("approvals:queue")))
    assert police_branch.item.name in page
    assert fire_branch.item.name not in page
    assert "等待前置审批" in page


def test_another_departments_branch_is_not_found(case: Case, fire: User) -> None:
    police_branch = branch_of(case, POLICE)
    client = signed_in(fire)
    assert client.get(page_url(police_branch)).status_code == 404
    response = client.post(
        action_url(police_branch, "approve"),
        {"approve-version": police_branch.version, "approve-permit_number": "X"},
    )
    assert response.status_code == 404
    assert client.get(reverse("approvals:decision_pdf", args=[police_branch.pk])).status_code == 404
    police_branch.refresh_from_db()
    assert police_branch.status == BranchStatus.WAITING


# ---------------------------------------------------------------- order, filters, badges


def test_queue_lists_the_earliest_due_date_first(alice: User, bob: User, fire: User) -> None:
    first = accepted_hotel_case(alice)
    second = accepted_hotel_case(bob)
    today = timezone.localdate()
    Branch.objects.filter(case=first, department__code=FIRE).update(due_on=today + timedelta(days=20))
    Branch.objects.filter(case=second, department__code=FIRE).update(due_on=today + timedelta(days=5))

    page = text(signed_in(fire).get(reverse("approvals:queue")))
    assert second.number
    assert first.number
    assert page.index(second.number) < page.index(first.number)


def test_queue_filters_by_status_bundle_and_search(alice: User, bob: User, fire: User) -> None:
    mine = accepted_hotel_case(alice)
    other = accepted_hotel_case(bob)
    assert mine.number
    assert other.number
    decided = branch_of(other, FIRE)
    branch_approve(
        branch_id=decided.pk,
        reviewer=fire,
        permit_number="XF-2026-0099",
        valid_until=None,
        expected_version=None,
    )
    client = signed_in(fire)
    queue = reverse("approvals:queue")

    open_page = text(client.get(queue))
    assert mine.number in open_page
    assert other.number not in open_page, "decided branches leave the working queue"

    decided_page = text(client.get(queue, {"status": "decided"}))
    assert other.number in decided_page
    assert mine.number not in decided_page

    assert mine.number in text(client.get(queue, {"status": "pending"}))
    assert mine.number not in text(client.get(queue, {"status": "paused"}))

    assert mine.number in text(client.get(queue, {"bundle": "hotel"}))
    assert mine.number not in text(client.get(queue, {"bundle": "convenience_store"}))

    by_number = text(client.get(queue, {"q": mine.number, "status": "decided"}))
    assert "没有符合条件的子件" in by_number
    by_number = text(client.get(queue, {"q": mine.number}))
    assert mine.number in by_number

    by_name = text(client.get(queue, {"q": "陆羽茶文化", "status": "decided"}))
    assert other.number in by_name
    assert mine.number not in by_name

    # A hand-edited filter is dropped with a message, never an error page.
    response = client.get(queue, {"status": "nonsense"})
    assert response.status_code == 200
    assert mine.number in text(response)


def test_queue_counts_per_status(case: Case, fire: User) -> None:
    page = text(signed_in(fire).get(reverse("approvals:queue")))
    counts = dict(re.findall(r'<span class="n">(\d+)</span>([^<]+)</a>', page))
    assert {v: k for k, v in counts.items()}["审批中"] == "1"
    assert {v: k for k, v in counts.items()}["已决定"] == "0"


def test_queue_marks_overdue_and_nearly_due_branches(alice: User, bob: User, fire: User) -> None:
    late = accepted_hotel_case(alice)
    soon = accepted_hotel_case(bob)
    today = timezone.localdate()
    calendar = current_calendar()
    Branch.objects.filter(case=late, department__code=FIRE).update(due_on=calendar.add(today, -2).date)
    Branch.objects.filter(case=soon, department__code=FIRE).update(
        due_on=calendar.add(today, 1).date,
        calendar_warning="2027年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。",
    )
    page = text(signed_in(fire).get(reverse("approvals:queue")))
    assert "已超期" in page
    assert "即将到期" in page
    assert "日历提示：2027年的法定节假日安排尚未录入" in page
    assert late.number
    assert soon.number
    assert page.index(late.number) < page.index(soon.number)


def test_a_calendar_warning_is_shown_in_the_readers_language(alice: User, fire: User) -> None:
    case = accepted_hotel_case(alice)
    branch = Branch.objects.get(case=case, department__code=FIRE)
    Branch.objects.filter(pk=branch.pk).update(
        calendar_warning="2027年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。"
    )
    english = "Calendar note: The public holiday schedule for 2027 has not been entered yet"
    reviewer = signed_in(fire)
    for address in (reverse("approvals:queue"), page_url(branch)):
        assert english in text(reviewer.get(address, headers={"accept-language": "en"}))
        assert "日历提示：2027年的法定节假日安排尚未录入" in text(reviewer.get(address))
    row = reviewer.get("/api/v1/review/queue", headers={"accept-language": "en"}).json()["items"][0]
    assert row["calendar_warning"].startswith("The public holiday schedule for 2027 has not been entered yet")


def _clone_rows(template: Branch, count: int) -> None:
    """Many open branches for one department without running the whole intake each time."""
    case = template.case
    for n in range(count):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = f"Q{n:05d}-{case.pk}"
        copy.save()
        Branch.objects.create(
            case=copy,
            item=template.item,
            department=template.department,
            status=BranchStatus.PENDING,
            limit_days=template.limit_days,
            statutory_limit_days=template.statutory_limit_days,
            opened_on=template.opened_on,
            due_on=(template.due_on or timezone.localdate()) + timedelta(days=n % 30),
            calendar_warning="提示" if n % 2 else "",
        )


def test_queue_query_count_does_not_grow_with_rows(
    case: Case, fire: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = signed_in(fire)
    queue = reverse("approvals:queue")
    client.get(queue)  # warm the session and the working-day cache
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(queue).status_code == 200

    _clone_rows(branch_of(case, FIRE), 60)
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(queue)
    page = text(response)
    assert page.count('data-label="申请人"') == 50, "50 rows per page"
    assert "第 1 / 2 页" in page
    with django_assert_max_num_queries(len(one_row)):
        second = text(client.get(queue, {"page": 2}))
    assert second.count('data-label="申请人"') == 11


# ---------------------------------------------------------------- the branch page and its decisions


def test_branch_page_shows_what_the_reviewer_needs(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    response = signed_in(fire).get(page_url(branch))
    assert response.status_code == 200
    page = text(response)
    assert case.number
    assert case.number in page
    assert case.holder_name in page
    assert "同一办件其他事项的审批情况" in page
    assert branch_of(case, POLICE).item.name in page
    assert "综合窗口受理" in page, "the timeline starts with the acceptance"
    assert f'name="approve-version" value="{branch.version}"' in page
    wanted = [m["name"] for m in case.plan["materials"] if branch.item.code in m["items"]]
    assert all(name in page for name in wanted)
    fields = [f["label"] for f in case.plan["form"] if branch.item.code in f["items"]]
    assert all(label in page for label in fields)


def test_approve_from_the_page(case: Case, fire: User, police: User) -> None:
    branch = branch_of(case, FIRE)
    client = signed_in(fire)
    valid_until = timezone.localdate() + timedelta(days=365 * 3)
    response = client.post(
        action_url(branch, "approve"),
        {
            "approve-version": branch.version,
            "approve-permit_number": "天消安检字〔2026〕第0001号",
            "approve-valid_until": valid_until.isoformat(),
            "approve-comment": "符合条件",
        },
        follow=True,
    )
    assert response.status_code == 200
    branch.refresh_from_db()
    assert branch.status == BranchStatus.APPROVED
    assert branch.permit_number == "天消安检字〔2026〕第0001号"
    assert branch.valid_until == valid_until
    page = text(response)
    assert "天消安检字〔2026〕第0001号" in page
    assert reverse("approvals:decision_pdf", args=[branch.pk]) in page

    # 公安's branch was waiting for this opinion: it now opens and shows it prominently.
    police_page = text(signed_in(police).get(page_url(branch_of(case, POLICE))))
    assert "前置审批结果" in police_page
    assert "天消安检字〔2026〕第0001号" in police_page
    assert 'name="approve-permit_number"' in police_page


def test_approve_problems_show_beside_the_fields(alice: User, bob: User, fire: User) -> None:
    taken = branch_of(accepted_hotel_case(bob), FIRE)
    branch_approve(branch_id=taken.pk, reviewer=fire, permit_number="XF-TAKEN", valid_until=None)
    branch = branch_of(accepted_hotel_case(alice), FIRE)
    client = signed_in(fire)

    response = client.post(
        action_url(branch, "approve"),
        {
            "approve-version": branch.version,
            "approve-permit_number": "XF-NEW",
            "approve-valid_until": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="id_approve-valid_until_error">有效期应晚于今天。' in page
    assert 'aria-invalid="true"' in page

    response = client.post(
        action_url(branch, "approve"),
        {"approve-version": branch.version, "approve-permit_number": "XF-TAKEN"},
    )
    assert response.status_code == 422
    assert 'id="id_approve-permit_number_error">许可证号已被使用。' in text(response)

    response = client.post(
        action_url(branch, "approve"),
        {"approve-version": branch.version, "approve-valid_until": "2030-13-45"},
    )
    assert response.status_code == 422
    assert "请按“年-月-日”填写日期" in text(response)
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PENDING

    # Left blank, the number comes from the department's numbering rule.
    response = client.post(action_url(branch, "approve"), {"approve-version": branch.version}, follow=True)
    branch.refresh_from_db()
    assert branch.status == BranchStatus.APPROVED
    assert branch.permit_number
    assert branch.permit_number in text(response)


def test_deny_needs_a_reason_and_a_legal_basis(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    client = signed_in(fire)
    form_page = text(client.get(page_url(branch)))
    assert branch.item.legal_basis.split("\n")[0] in form_page, "the item's legal basis is offered"

    response = client.post(
        action_url(branch, "deny"),
        {"deny-version": branch.version, "deny-reason": "", "deny-legal_basis": ""},
    )
    assert response.status_code == 422
    page = text(response)
    assert "请写明不予许可的理由。" in page
    assert "请写明法律依据。" in page
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PENDING

    response = client.post(
        action_url(branch, "deny"),
        {
            "deny-version": branch.version,
            "deny-reason": "疏散通道宽度不符合要求",
            "deny-legal_basis": "《中华人民共和国消防法》第十五条",
        },
        follow=True,
    )
    branch.refresh_from_db()
    assert branch.status == BranchStatus.DENIED
    assert "疏散通道宽度不符合要求" in text(response)


def test_rectification_pauses_and_resume_moves_the_due_date(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    assert branch.due_on is not None
    assert branch.opened_on is not None
    client = signed_in(fire)
    response = client.post(
        action_url(branch, "pause"),
        {
            "pause-version": branch.version,
            "pause-reason": "rectification",
            "pause-note": "补充消防设施检测报告",
        },
        follow=True,
    )
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PAUSED
    page = text(response)
    assert "暂停计时" in page
    assert "补充消防设施检测报告" in page
    assert 'name="resume-version"' in page
    assert 'name="approve-version"' not in page, "a paused branch is not decided before the clock restarts"
    assert "暂停计时" in text(client.get(reverse("approvals:queue"), {"status": "paused"}))

    # The applicant rectifies over two calendar weeks; the reviewer restarts the clock then.
    old_due = branch.due_on
    later = timezone.localdate() + timedelta(days=14)
    calendar = current_calendar()
    paused = calendar.between(timezone.localdate(), later).days
    assert paused > 0
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        response = client.post(action_url(branch, "resume"), {"resume-version": branch.version}, follow=True)
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PENDING
    assert branch.paused_workdays == paused
    assert branch.due_on == calendar.add(old_due, paused).date
    assert branch.due_on > old_due
    pause = ClockPause.objects.get(branch=branch)
    assert pause.ended_on == later
    assert f"到期日顺延至 {branch.due_on:%Y-%m-%d}" in text(response)


def test_extension_request_within_the_statutory_days(case: Case, fire: User) -> None:
    branch = branch_of(case, POLICE)
    fire_branch = branch_of(case, FIRE)
    branch_approve(branch_id=fire_branch.pk, reviewer=fire, permit_number="XF-1", valid_until=None)
    branch.refresh_from_db()
    police = User.objects.get(username="reviewer")
    supervisor = User.objects.get(username="supervisor")
    allowed = branch.item.statutory_extension_days
    assert allowed > 0, "the special-trade permit may be extended (行政许可法 Art. 42)"
    client = signed_in(police)
    page = text(client.get(page_url(branch)))
    assert supervisor.name in page

    response = client.post(
        action_url(branch, "extend"),
        {
            "extend-version": branch.version,
            "extend-days": allowed + 1,
            "extend-reason": "需要专家论证",
            "extend-approver": supervisor.pk,
        },
    )
    assert response.status_code == 422
    assert f"最多可延长 {allowed} 个工作日" in text(response)

    old_due = branch.due_on
    assert old_due is not None
    response = client.post(
        action_url(branch, "extend"),
        {
            "extend-version": branch.version,
            "extend-days": allowed,
            "extend-reason": "需要专家论证",
            "extend-approver": supervisor.pk,
        },
        follow=True,
    )
    # A request for the supervisor to approve: until he does, the deadline stays.
    branch.refresh_from_db()
    assert branch.extension_days == 0
    assert branch.due_on == old_due
    page = text(response)
    assert f"延期申请已提交，等待{supervisor.name}审批；批准前到期日不变。" in page
    assert "延期申请待审批" in page
    assert 'name="extend-version"' not in page, "one request at a time"


def test_a_stale_page_gets_the_conflict_message(case: Case, fire: User, fire2: User) -> None:
    branch = branch_of(case, FIRE)
    stale_version = branch.version
    # Someone else in the department decides while the first reviewer's page is open.
    branch_approve(branch_id=branch.pk, reviewer=fire2, permit_number="XF-FIRST", valid_until=None)

    response = signed_in(fire).post(
        action_url(branch, "deny"),
        {"deny-version": stale_version, "deny-reason": "不符合", "deny-legal_basis": "《消防法》第十五条"},
    )
    assert response.status_code == 409
    page = text(response)
    assert "该子件刚刚已被他人处理" in page
    assert "XF-FIRST" in page, "the current state is shown"
    assert "钱军" in page
    branch.refresh_from_db()
    assert branch.status == BranchStatus.APPROVED
    assert branch.permit_number == "XF-FIRST"


def test_a_missing_version_is_refused(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    response = signed_in(fire).post(action_url(branch, "approve"), {"approve-permit_number": "XF-2"})
    assert response.status_code == 422
    assert "页面已过期" in text(response)
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PENDING


# ---------------------------------------------------------------- the working-day calendar


def test_calendar_marks_holidays_and_make_up_days(fire: User) -> None:
    # 2026-02-14 (Saturday) is a make-up working day, 2026-02-16..23 the Spring Festival.
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 2, 10)):
        response = signed_in(fire).get(reverse("approvals:calendar"))
    assert response.status_code == 200
    page = text(response)
    assert page.count("<tr class=") == 60
    assert re.search(r'<tr class="makeup">\s*<th scope="row"><time datetime="2026-02-14"', page)
    assert re.search(r'<tr class="holiday">\s*<th scope="row"><time datetime="2026-02-17"', page)
    assert "春节" in page
    assert "尚未录入" not in page


def test_calendar_warns_about_an_unpublished_year(fire: User) -> None:
    CalendarDay.objects.create(
        date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, note="元旦（管理员录入）"
    )
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 10)):
        page = text(signed_in(fire).get(reverse("approvals:calendar")))
    assert "2027年的法定节假日安排尚未录入" in page
    assert "元旦（管理员录入）" in page


def test_calendar_is_for_staff_only(alice: User) -> None:
    assert signed_in(alice).get(reverse("approvals:calendar")).status_code == 403


def test_branch_page_and_api_mask_the_legal_representatives_id_number(case: Case, police: User) -> None:
    from onewindow.lib.idcheck import mask_id_number

    full = case.form_data["legal_representative_id"]
    branch = branch_of(case, POLICE)
    client = signed_in(police)

    page = text(client.get(page_url(branch)))
    api = client.get(f"/api/v1/branches/{branch.pk}").json()

    assert full not in page
    assert mask_id_number(full) in page
    shown = {f["code"]: f["value"] for f in api["fields"]}
    assert shown["legal_representative_id"] == mask_id_number(full)

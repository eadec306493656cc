"""告知承诺事后核查: a permit granted on the applicant's commitment is checked on site afterwards.

The cast: alice's four-item hotel case, accepted with the commitment chosen (消防, 卫生 and 特种行业
are handled on commitment; the food business licence is not). 赵磊 (reviewer_fire) decides and
checks 消防; 王强 (reviewer, 公安) is another department's reviewer; the demo issuer (周芳) keeps
the comprehensive licences of the municipal centre.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.errors import CaseConflict, CaseNotFound
from onewindow.cases.models import Case, CaseEvent
from onewindow.inspections.models import CommitmentCheck, CommitmentCheckStatus
from onewindow.inspections.services import CheckResult, commitment_check_record
from onewindow.lib.workdays import WorkdayCalendar
from onewindow.notifications.models import Notification

pytestmark = pytest.mark.django_db

FIRE = "429006-xf"
FOOD = "429006-scjg"
DECIDED_ON = date(2026, 9, 1)


def on(day: date) -> mock._patch[mock.MagicMock]:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def branch_of(case: Case, department: str) -> Branch:
    return Branch.objects.select_related("item").get(case=case, department__code=department)


def approved_fire(alice: User, answers: dict[str, str] = HOTEL_FOUR_ITEMS) -> Branch:
    """Alice's hotel case, accepted; 消防 approved on 2026-09-01."""
    with on(DECIDED_ON):
        case = accepted_hotel_case(alice, answers)
        fire = branch_approve(
            branch_id=branch_of(case, FIRE).pk,
            reviewer=User.objects.get(username="reviewer_fire"),
            permit_number="",
            valid_until=None,
        )
    return fire


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_approval_on_commitment_schedules_the_check_within_20_working_days(alice: User) -> None:
    fire = approved_fire(alice)

    check = CommitmentCheck.objects.get(branch=fire)
    assert check.status == CommitmentCheckStatus.DUE
    assert check.due_on == WorkdayCalendar().add(DECIDED_ON, 20).date == date(2026, 9, 29)
    approval = CaseEvent.objects.get(case=fire.case, action="branch_approved", data__item=fire.item.code)
    assert approval.data["commitment_check_due_on"] == "2026-09-29"

    # The applicant is told when the department will come, on the progress page.
    progress = page(signed_in("applicant"), reverse("cases:progress", args=[fire.case_id]))
    assert f'id="commitment-check-{fire.pk}" data-check-status="due"' in progress
    assert "市消防救援大队将在2026年9月29日前到经营场所核查您承诺的内容是否属实" in progress


def test_an_approval_on_the_normal_procedure_schedules_none(alice: User) -> None:
    fire = approved_fire(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"})
    assert not CommitmentCheck.objects.filter(case=fire.case).exists()

    # The food business licence never goes on commitment, whatever the applicant chose.
    with on(DECIDED_ON):
        case = accepted_hotel_case(alice)
        market = branch_of(case, FOOD)
        reviewer = User.objects.create_user(
            username="reviewer_food", role=Role.REVIEWER, department=market.department
        )
        food = branch_approve(branch_id=market.pk, reviewer=reviewer, permit_number="", valid_until=None)
    assert not CommitmentCheck.objects.filter(branch=food).exists()


def test_the_department_lists_its_checks_and_no_one_else_sees_them(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    url = reverse("inspections:commitment_check", args=[check.pk])

    with on(date(2026, 9, 25)):
        listed = page(signed_in("reviewer_fire"), reverse("inspections:commitment_checks"))
    assert f'data-check="{check.pk}" data-state="due_soon"' in listed
    assert "2026年9月29日前完成核查" in listed
    with on(date(2026, 9, 30)):
        late = page(signed_in("reviewer_fire"), reverse("inspections:commitment_checks"))
    assert f'data-check="{check.pk}" data-state="overdue"' in late and "已超期" in late

    shown = page(signed_in("reviewer_fire"), url)
    assert fire.permit_number in shown
    assert 'name="result"' in shown
    clauses = re.search(r'<ol id="commitment-clauses">(.*?)</ol>', shown, re.S)
    assert clauses and "<li" in clauses.group(1), "the item's commitment, as the applicant signed it"

    other_department = signed_in("reviewer")
    assert f'data-check="{check.pk}"' not in page(other_department, reverse("inspections:commitment_checks"))
    assert other_department.get(url).status_code == 404
    assert other_department.post(url, {"result": "confirmed", "round": "1"}).status_code == 404
    assert signed_in("applicant").get(url).status_code == 403
    with pytest.raises(CaseNotFound):
        commitment_check_record(
            check_id=check.pk, inspector=User.objects.get(username="reviewer"), result="confirmed"
        )
    assert CommitmentCheck.objects.get(pk=check.pk).status == CommitmentCheckStatus.DUE


def test_rectification_then_a_second_visit_that_finds_the_commitment_kept(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    url = reverse("inspections:commitment_check", args=[check.pk])
    reviewer = signed_in("reviewer_fire")
    today = timezone.localdate()

    # Findings are required, and what was typed stays in the form.
    refused = reviewer.post(url, {"result": "rectify", "findings": "", "rectify_by": "", "round": "1"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "请写明发现的问题和整改要求。" in body
    assert re.search(r'<input[^>]*value="rectify"[^>]*checked', body), "the chosen result stays chosen"
    assert CommitmentCheck.objects.get(pk=check.pk).status == CommitmentCheckStatus.DUE

    past = reviewer.post(
        url,
        {"result": "rectify", "findings": "疏散通道堆放杂物", "rectify_by": today.isoformat(), "round": "1"},
    )
    assert past.status_code == 422 and "整改期限应晚于今天。" in past.content.decode()
    assert "疏散通道堆放杂物" in past.content.decode()

    rectify_by = today + timedelta(days=10)
    ordered = reviewer.post(
        url,
        {
            "result": "rectify",
            "findings": "疏散通道堆放杂物",
            "rectify_by": rectify_by.isoformat(),
            "round": "1",
        },
    )
    assert ordered.status_code == 302
    check.refresh_from_db()
    assert (check.status, check.rectify_by, check.round) == (CommitmentCheckStatus.RECTIFYING, rectify_by, 2)
    told = Notification.objects.filter(user=alice, case=fire.case, title="告知承诺核查：请限期整改").get()
    assert "疏散通道堆放杂物" in told.body
    progress = page(signed_in("applicant"), reverse("cases:progress", args=[fire.case_id]))
    assert 'data-check-status="rectifying"' in progress and "疏散通道堆放杂物" in progress

    # A second tab still showing the first visit cannot record over it.
    stale = reviewer.post(url, {"result": "confirmed", "findings": "", "rectify_by": "", "round": "1"})
    assert stale.status_code == 409
    assert "刚刚由他人记录了结果" in stale.content.decode()

    kept = reviewer.post(url, {"result": "confirmed", "findings": "已清理", "rectify_by": "", "round": "2"})
    assert kept.status_code == 302
    check.refresh_from_db()
    assert check.status == CommitmentCheckStatus.CONFIRMED
    closed_page = page(reviewer, url)
    assert 'name="result"' not in closed_page, "a check with a result is not decided again"
    assert "告知承诺事后核查：责令限期整改" in closed_page and "告知承诺事后核查：核查相符" in closed_page
    actions = list(
        CaseEvent.objects.filter(case=fire.case, action__startswith="commitment_check_")
        .order_by("seq")
        .values_list("action", "data__round")
    )
    assert actions == [("commitment_check_rectify", 1), ("commitment_check_confirmed", 2)]
    with pytest.raises(CaseConflict):
        commitment_check_record(
            check_id=check.pk,
            inspector=User.objects.get(username="reviewer_fire"),
            result="revoke",
            findings="x",
        )


def test_an_untrue_commitment_is_decided_for_revocation_and_the_issuer_is_told(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    url = reverse("inspections:commitment_check", args=[check.pk])
    reviewer = signed_in("reviewer_fire")

    refused = reviewer.post(url, {"result": "revoke", "findings": "  ", "round": "1"})
    assert refused.status_code == 422 and "请写明承诺不实的事实、理由和依据。" in refused.content.decode()

    decided = reviewer.post(
        url, {"result": CheckResult.REVOKE, "findings": "未按承诺设置自动喷水灭火系统", "round": "1"}
    )
    assert decided.status_code == 302
    assert CommitmentCheck.objects.get(pk=check.pk).status == CommitmentCheckStatus.REVOKED
    applicant_told = Notification.objects.get(user=alice, title="告知承诺核查：决定撤销许可")
    assert "未按承诺设置自动喷水灭火系统" in applicant_told.body
    issuer_told = Notification.objects.get(user__username="issuer", case=fire.case)
    assert "发证时综合许可证将不含此项许可" in issuer_told.body, "no licence yet: issuing leaves it off"
    progress = page(signed_in("applicant"), reverse("cases:progress", args=[fire.case_id]))
    assert 'data-check-status="revoked"' in progress and "部门已决定撤销该项许可" in progress


def test_the_check_page_reads_in_english(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    reviewer = signed_in("reviewer_fire")
    reviewer.cookies["django_language"] = "en"

    shown = page(reviewer, reverse("inspections:commitment_check", args=[check.pk]))
    listed = page(reviewer, reverse("inspections:commitment_checks"))

    assert "Record the result" in shown and "记录核查结论" not in shown
    assert "Checks of commitments" in listed and "告知承诺事后核查" not in listed


def test_the_api_lists_reads_and_records_a_check(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    api = signed_in("reviewer_fire")
    base = f"/api/v1/commitment-checks/{check.pk}"

    with on(date(2026, 9, 28)):
        listed = api.get("/api/v1/commitment-checks").json()
    [row] = [r for r in listed["open"] if r["id"] == check.pk]
    assert (row["due_on"], row["next_on"], row["urgency"], row["round"]) == (
        "2026-09-29",
        "2026-09-29",
        "due_soon",
        1,
    )
    assert row["permit_number"] == fire.permit_number

    read = api.get(base).json()
    assert read["status"] == "due" and read["commitment"], "the item's commitment, as signed"

    missing = api.post(f"{base}/result", {"result": "rectify", "round": 1}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["code"] == "findings_required"
    rectify_by = (timezone.localdate() + timedelta(days=7)).isoformat()
    ordered = api.post(
        f"{base}/result",
        {"result": "rectify", "findings": "灭火器过期", "rectify_by": rectify_by, "round": 1},
        content_type="application/json",
    )
    assert ordered.status_code == 200, ordered.content
    assert (ordered.json()["status"], ordered.json()["rectify_by"], ordered.json()["round"]) == (
        "rectifying",
        rectify_by,
        2,
    )
    stale = api.post(f"{base}/result", {"result": "confirmed", "round": 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "check_changed"
    kept = api.post(f"{base}/result", {"result": "confirmed", "round": 2}, content_type="application/json")
    assert kept.json()["status"] == "confirmed"
    assert api.get("/api/v1/commitment-checks").json()["closed"][0]["id"] == check.pk

    other = signed_in("reviewer")
    assert other.get(base).status_code == 404
    refused = other.post(
        f"{base}/result", {"result": "revoke", "findings": "x"}, content_type="application/json"
    )
    assert refused.status_code == 404 and refused.json()["code"] == "check_not_found"
    assert signed_in("applicant").get("/api/v1/commitment-checks").json() == {"open": [], "closed": []}


def test_the_case_api_tells_the_applicant_about_the_check(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    commitment_check_record(
        check_id=check.pk,
        inspector=User.objects.get(username="reviewer_fire"),
        result=CheckResult.RECTIFY,
        findings="疏散指示标志损坏",
        rectify_by=timezone.localdate() + timedelta(days=5),
    )

    mine = signed_in("applicant").get(f"/api/v1/cases/{fire.case_id}").json()
    [shown] = [b["commitment_check"] for b in mine["branches"] if b["id"] == fire.pk]
    assert shown["status"] == "rectifying" and shown["findings"] == "疏散指示标志损坏"
    assert [b["commitment_check"] for b in mine["branches"] if b["item"] == "food_business_licence"] == [None]


def test_a_revoked_permit_is_flagged_wherever_the_licence_is_read(alice: User) -> None:
    from onewindow.cases.demo import approve_all
    from onewindow.licenses.services import licence_issue

    with on(DECIDED_ON):
        case = accepted_hotel_case(alice)
        approve_all(case)
        licence = licence_issue(case=Case.objects.get(pk=case.pk), issuer=User.objects.get(username="issuer"))
    fire = branch_of(case, FIRE)
    check = CommitmentCheck.objects.get(branch=fire)
    verify_url = reverse("licenses:verify") + f"?q={fire.permit_number}"
    assert "已撤销" not in page(Client(), verify_url)

    reviewer = signed_in("reviewer_fire")
    reviewer.post(
        reverse("inspections:commitment_check", args=[check.pk]),
        {"result": "revoke", "findings": "未按承诺设置自动喷水灭火系统。", "round": "1"},
    )

    # The public answer: the licence still stands, the permit in it does not.
    public = page(Client(), verify_url)
    assert f"{timezone.localdate():%Y-%m-%d} 已撤销" in public
    assert 'id="permits-revoked"' in public
    answered = Client().get("/api/v1/licences/verify", {"q": fire.permit_number}).json()["permits"]
    assert [p["revoked_on"] is not None for p in answered if p["number"] == fire.permit_number] == [True]
    # The issuer is told, with a link to the licence to change or revoke.
    told = Notification.objects.get(user__username="issuer", case=case)
    assert told.link == reverse("licenses:detail", args=[licence.pk]) and licence.number in told.body
    issuer_page = page(signed_in("issuer"), told.link)
    assert 'id="permits-revoked"' in issuer_page and "在下方办理变更或吊销" in issuer_page
    assert "消息" in issuer_page, "staff reach their messages from the top navigation"
    # The applicant: one full stop after his findings, a red badge, and what it means next.
    applicant_told = Notification.objects.get(user=alice, title="告知承诺核查：决定撤销许可")
    assert "自动喷水灭火系统。对决定不服" in applicant_told.body and "。。" not in applicant_told.body
    progress = page(signed_in("applicant"), reverse("cases:progress", args=[case.pk]))
    assert "许可已撤销" in progress
    assert "市消防救援大队经事后核查决定撤销《" in progress


def test_a_result_typed_in_a_second_tab_is_shown_back_when_the_check_closed_meanwhile(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    url = reverse("inspections:commitment_check", args=[check.pk])
    first, second = signed_in("reviewer_fire"), signed_in("reviewer_fire")
    first.post(url, {"result": "confirmed", "round": "1"})

    late = second.post(url, {"result": "revoke", "findings": "消防通道被占用", "round": "1"})

    assert late.status_code == 409
    body = late.content.decode()
    assert "这项事后核查已经有结论" in body or "刚刚由他人记录了结果" in body
    assert 'id="unsaved-findings">消防通道被占用<' in body


def test_the_api_gives_the_next_visit_of_one_check_as_the_list_does(alice: User) -> None:
    fire = approved_fire(alice)
    check = CommitmentCheck.objects.get(branch=fire)
    api = signed_in("reviewer_fire")
    with on(date(2026, 9, 28)):
        listed = next(r for r in api.get("/api/v1/commitment-checks").json()["open"] if r["id"] == check.pk)
        one = api.get(f"/api/v1/commitment-checks/{check.pk}").json()
    assert (
        (one["next_on"], one["urgency"])
        == (listed["next_on"], listed["urgency"])
        == ("2026-09-29", "due_soon")
    )


def test_the_issuer_changes_the_licence_without_the_revoked_permit(alice: User) -> None:
    from onewindow.cases.demo import approve_all
    from onewindow.licenses.services import licence_change, licence_issue

    with on(DECIDED_ON):
        case = accepted_hotel_case(alice)
        approve_all(case)
        issuer = User.objects.get(username="issuer")
        licence = licence_issue(case=Case.objects.get(pk=case.pk), issuer=issuer)
    fire = branch_of(case, FIRE)
    commitment_check_record(
        check_id=CommitmentCheck.objects.get(branch=fire).pk,
        inspector=User.objects.get(username="reviewer_fire"),
        result=CheckResult.REVOKE,
        findings="未按承诺设置自动喷水灭火系统",
    )

    changed = licence_change(
        licence_id=licence.pk, actor=issuer, note="消防安全检查许可经事后核查撤销，依法变更"
    )

    numbers = set(changed.permits.values_list("number", flat=True))
    assert fire.permit_number not in numbers and len(numbers) == licence.permits.count() - 1
    public = page(Client(), reverse("licenses:verify") + f"?q={changed.identifier}")
    assert 'id="permits-revoked"' not in public


def test_a_permit_revoked_before_issue_is_left_off_the_licence(alice: User) -> None:
    from onewindow.cases.demo import approve_all
    from onewindow.licenses.services import licence_issue

    with on(DECIDED_ON):
        case = accepted_hotel_case(alice)
        approve_all(case)
    fire = branch_of(case, FIRE)
    commitment_check_record(
        check_id=CommitmentCheck.objects.get(branch=fire).pk,
        inspector=User.objects.get(username="reviewer_fire"),
        result=CheckResult.REVOKE,
        findings="未按承诺设置自动喷水灭火系统",
    )
    issuer = signed_in("issuer")
    assert fire.permit_number not in page(issuer, reverse("licenses:issue_case", args=[case.pk]))

    licence = licence_issue(case=Case.objects.get(pk=case.pk), issuer=User.objects.get(username="issuer"))

    numbers = set(licence.permits.values_list("number", flat=True))
    assert fire.permit_number not in numbers and numbers

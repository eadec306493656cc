"""A reviewer with a long history: tab counts, the decided tab page by page, the API queue by urgency.

The cast: alice applies, the clerk accepts, 赵磊 (reviewer_fire) reviews for 消防, 王强 (reviewer)
for 公安. One real hotel case goes through intake; the many other branches these tests need are
written directly (`branches_like`), since the intake is not what is under test.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

from django.db import connection
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.selectors import DECIDED_COUNT_CAP, queue_counts, reviewer_queue
from onewindow.approvals.tests.conftest import FIRE, POLICE, signed_in
from onewindow.cases.models import Case

API_QUEUE = "/api/v1/review/queue"


def branches_like(
    case: Case,
    department: str,
    count: int,
    *,
    status: str,
    decided_at: list[datetime] | None = None,
    due_on: list[date | None] | None = None,
) -> list[Branch]:
    """`count` branches of the case's item in `department`, each on a copy of the case."""
    template = Branch.objects.get(case=case, department__code=department)
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    first = Case.objects.count()
    copies = Case.objects.bulk_create(
        Case(**{**fields, "number": f"{case.number}-{first + n:05d}", "plan": {}}) for n in range(count)
    )
    return Branch.objects.bulk_create(
        Branch(
            case=copy,
            item_id=template.item_id,
            department_id=template.department_id,
            status=status,
            limit_days=template.limit_days,
            statutory_limit_days=template.statutory_limit_days,
            opened_on=template.opened_on,
            due_on=due_on[n] if due_on else template.due_on,
            decided_at=decided_at[n] if decided_at else None,
        )
        for n, copy in enumerate(copies)
    )


def text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    assert response.status_code == 200
    return response.content.decode()


def tab_counts(page: str) -> dict[str, str]:
    return {label: n for n, label in re.findall(r'<span class="n">([^<]+)</span>([^<]+)</a>', page)}


def row_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<th scope="row"><a href="/review/branches/(\d+)/">', page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


# ---------------------------------------------------------------- counts per tab


def test_decided_count_shows_1000_plus_past_the_cap(case: Case, fire: User, police: User) -> None:
    now = timezone.now()
    branches_like(
        case, FIRE, DECIDED_COUNT_CAP, status=BranchStatus.APPROVED, decided_at=[now] * DECIDED_COUNT_CAP
    )
    # Another department's decisions never count in 消防's tabs.
    branches_like(case, POLICE, 3, status=BranchStatus.DENIED, decided_at=[now] * 3)
    client = signed_in(fire)
    queue = reverse("approvals:queue")

    counts = tab_counts(text(client.get(queue)))
    assert counts["已决定"] == "1000"
    assert counts["审批中"] == "1"
    assert counts["全部在办"] == "1"

    branches_like(case, FIRE, 1, status=BranchStatus.DENIED, decided_at=[now])
    counts = tab_counts(text(client.get(queue)))
    assert counts["已决定"] == "1000+"
    assert counts["审批中"] == "1", "open statuses are counted exactly"
    decided = text(client.get(queue, {"status": "decided"}))
    assert "共 1000+ 件" in decided
    assert len(row_ids(decided)) == 50

    assert queue_counts(police)["decided"] == 3
    assert queue_counts(police)["waiting"] == 1


def test_a_filtered_decided_tab_counts_what_matches(case: Case, fire: User) -> None:
    now = timezone.now()
    decided = branches_like(case, FIRE, 3, status=BranchStatus.APPROVED, decided_at=[now] * 3)
    number = Case.objects.get(pk=decided[1].case_id).number
    assert number
    page = text(signed_in(fire).get(reverse("approvals:queue"), {"status": "decided", "q": number}))
    assert "共 1 件" in page
    assert row_ids(page) == [decided[1].pk]


# ---------------------------------------------------------------- the decided tab, page by page


def test_decided_tab_pages_newest_first_without_gaps_or_repeats(case: Case, fire: User) -> None:
    start = timezone.now()
    # 130 decisions, three to a minute: rows with equal times are ordered by id.
    times = [start - timedelta(minutes=n // 3) for n in range(130)]
    made = branches_like(case, FIRE, 130, status=BranchStatus.APPROVED, decided_at=times)
    expected = [b.pk for b in sorted(made, key=lambda b: (b.decided_at, b.pk), reverse=True)]
    client = signed_in(fire)
    queue = reverse("approvals:queue")

    pages = [text(client.get(queue, {"status": "decided"}))]
    assert link(pages[0], "prev") is None, "the first page is the newest"
    while (older := link(pages[-1], "next")) is not None:
        pages.append(text(client.get(f"{queue}?{older}")))
    assert [len(row_ids(p)) for p in pages] == [50, 50, 30]
    assert [pk for p in pages for pk in row_ids(p)] == expected

    # And back again from the last page.
    back = [pages[-1]]
    while (newer := link(back[-1], "prev")) is not None:
        back.append(text(client.get(f"{queue}?{newer}")))
    assert [row_ids(p) for p in back] == [row_ids(p) for p in reversed(pages)]


def test_api_decided_tab_pages_by_cursor_newest_first_without_gaps_or_repeats(case: Case, fire: User) -> None:
    start = timezone.now()
    times = [start - timedelta(minutes=n // 3) for n in range(130)]
    made = branches_like(case, FIRE, 130, status=BranchStatus.APPROVED, decided_at=times)
    expected = [b.pk for b in sorted(made, key=lambda b: (b.decided_at, b.pk), reverse=True)]
    client = signed_in(fire)

    pages = [client.get(API_QUEUE, {"status": "decided"}).json()]
    assert pages[0]["newer"] is None, "the first page is the newest"
    while pages[-1]["older"] is not None:
        pages.append(client.get(API_QUEUE, {"status": "decided", "before": pages[-1]["older"]}).json())
    assert [len(p["items"]) for p in pages] == [50, 50, 30]
    assert [row["id"] for p in pages for row in p["items"]] == expected

    back = [pages[-1]]
    while back[-1]["newer"] is not None:
        back.append(client.get(API_QUEUE, {"status": "decided", "after": back[-1]["newer"]}).json())
    assert [p["items"] for p in back] == [p["items"] for p in reversed(pages)]

    refused = client.get(API_QUEUE, {"status": "decided", "before": "0"})
    assert refused.status_code == 422
    assert "更早一页的起点（before）" in refused.json()["message"]


def test_decided_tab_ignores_a_cursor_it_does_not_know(case: Case, fire: User, police: User) -> None:
    now = timezone.now()
    mine = branches_like(case, FIRE, 2, status=BranchStatus.APPROVED, decided_at=[now, now])
    theirs = branches_like(case, POLICE, 1, status=BranchStatus.APPROVED, decided_at=[now])
    client = signed_in(fire)
    queue = reverse("approvals:queue")
    newest = row_ids(text(client.get(queue, {"status": "decided"})))
    assert newest == sorted((b.pk for b in mine), reverse=True)
    for cursor in ("abc", "-1", "99999999999999999999999", str(theirs[0].pk)):
        assert row_ids(text(client.get(queue, {"status": "decided", "before": cursor}))) == newest


def test_decided_tab_query_count_does_not_grow_with_history(case: Case, fire: User) -> None:
    now = timezone.now()
    client = signed_in(fire)
    queue = reverse("approvals:queue")
    branches_like(case, FIRE, 1, status=BranchStatus.APPROVED, decided_at=[now])
    client.get(queue, {"status": "decided"})  # warm the session and the working-day cache
    with CaptureQueriesContext(connection) as one_row:
        client.get(queue, {"status": "decided"})

    branches_like(case, FIRE, 120, status=BranchStatus.APPROVED, decided_at=[now] * 120)
    with CaptureQueriesContext(connection) as first:
        page = text(client.get(queue, {"status": "decided"}))
    older = link(page, "next")
    assert older is not None
    with CaptureQueriesContext(connection) as second:
        text(client.get(f"{queue}?{older}"))
    assert len(first) == len(one_row)
    assert len(second) == len(one_row) + 1, "a later page also reads its cursor's decision time"


# ---------------------------------------------------------------- the API queue


def test_api_queue_is_the_departments_open_branches_by_urgency(case: Case, fire: User) -> None:
    today = timezone.localdate()
    due = [today + timedelta(days=9), today - timedelta(days=3), None, today + timedelta(days=1)]
    pending = branches_like(case, FIRE, 4, status=BranchStatus.PENDING, due_on=due)
    waiting = branches_like(case, FIRE, 1, status=BranchStatus.WAITING, due_on=[None])
    branches_like(case, POLICE, 2, status=BranchStatus.PENDING)
    branches_like(case, FIRE, 2, status=BranchStatus.APPROVED, decided_at=[timezone.now()] * 2)
    accepted = Branch.objects.get(case=case, department__code=FIRE)

    items = signed_in(fire).get(API_QUEUE).json()["items"]
    by_due = sorted([*pending, *waiting, accepted], key=lambda b: (b.due_on is None, b.due_on or today, b.pk))
    assert [item["id"] for item in items] == [b.pk for b in by_due]
    assert items[0]["urgency"] == "overdue"
    assert items[0]["case_number"] == Case.objects.get(pk=pending[1].case_id).number
    assert set(
        Branch.objects.filter(pk__in=[i["id"] for i in items]).values_list("department__code", flat=True)
    ) == {FIRE}


def test_queue_rows_leave_the_case_json_unread(case: Case, fire: User) -> None:
    """The plan snapshot, form and answers (some 20 KB a case) are not what a queue row shows."""
    branches_like(case, FIRE, 1, status=BranchStatus.DENIED, decided_at=[timezone.now()])
    for status in ("", "pending", "decided"):
        for branch in reviewer_queue(fire, status=status):
            assert {"plan", "form_data", "answers"} <= branch.case.get_deferred_fields()
    row = reviewer_queue(fire)[0]
    with CaptureQueriesContext(connection) as queries:
        shown = [row.case.number, row.case.holder_name, row.item.code, row.item.name, row.due_on]
    assert all(shown)
    assert len(queries) == 0, "what a row shows is read with it"

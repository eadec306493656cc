"""An applicant reads his in-app messages over the API and marks them read; nobody reads another's."""

from __future__ import annotations

import re

from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_submit
from onewindow.notifications.models import Notification

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted_and_accepted(case: Case, alice: User, clerk: User) -> None:
    case_submit(case=case, user=alice, key="notifications-api")
    case_accept(case=Case.objects.get(pk=case.pk), clerk=clerk)


def test_the_applicant_reads_his_messages_newest_first(filled_case: Case, alice: User, clerk: User) -> None:
    submitted_and_accepted(filled_case, alice, clerk)
    listing = signed_in(alice).get("/api/v1/notifications").json()
    assert listing["count"] == 2
    assert listing["unread"] == 2
    titles = [item["title"] for item in listing["items"]]
    assert titles == ["办件已受理", "办件已提交"]
    newest = listing["items"][0]
    assert newest["case"] == filled_case.pk
    assert newest["link"] == f"/my/cases/{filled_case.pk}/"
    assert newest["read_at"] is None


def test_marking_one_read_leaves_the_other_unread(filled_case: Case, alice: User, clerk: User) -> None:
    submitted_and_accepted(filled_case, alice, clerk)
    applicant = signed_in(alice)
    newest = applicant.get("/api/v1/notifications").json()["items"][0]
    read = applicant.post(f"/api/v1/notifications/{newest['id']}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    unread = applicant.get("/api/v1/notifications?unread=true").json()
    assert [item["title"] for item in unread["items"]] == ["办件已提交"]
    assert unread["unread"] == 1
    assert applicant.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert applicant.get("/api/v1/notifications").json()["unread"] == 0


def test_nobody_reads_or_marks_another_users_message(
    filled_case: Case, alice: User, bob: User, clerk: User
) -> None:
    submitted_and_accepted(filled_case, alice, clerk)
    message = Notification.objects.filter(user=alice).first()
    assert message is not None
    other = signed_in(bob)
    assert other.get("/api/v1/notifications").json() == {"count": 0, "unread": 0, "items": []}
    refused = other.post(f"/api/v1/notifications/{message.pk}/read")
    assert refused.status_code == 404
    assert refused.json()["code"] == "notification_not_found"
    assert CHINESE.search(refused.json()["message"])
    assert other.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    message.refresh_from_db()
    assert message.read_at is None, "bob's attempts left alice's message unread"


def test_signing_in_is_required(db: None) -> None:
    response = Client().get("/api/v1/notifications")
    assert response.status_code == 401
    assert CHINESE.search(response.json()["message"])


def test_a_page_past_the_limit_is_refused_in_chinese(alice: User) -> None:
    response = signed_in(alice).get("/api/v1/notifications?limit=1000")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_query"
    assert "每页条数（limit）" in response.json()["message"]

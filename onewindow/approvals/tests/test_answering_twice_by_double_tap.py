"""The applicant taps 提交答复 twice (a slow upload on a phone): one answer is saved, the reviewers told once."""

from __future__ import annotations

import re
import threading
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django.fixtures import Settings

from conftest import accepted_hotel_case, seed_again
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, RectificationReply
from onewindow.approvals.services import branch_approve, branch_pause, branch_resume, extension_request
from onewindow.approvals.tests.conftest import (
    FIRE,
    POLICE,
    branch_of,
    signed_in,
    text,
)
from onewindow.cases.models import Case, CaseEvent
from onewindow.notifications.models import Notification

ANSWER = "已更换灭火器，检测报告见附件。"
NOTICE = "申请人已答复整改要求"
DONE = "答复已提交"


@pytest.fixture
def paused(case: Case, fire: User, fire2: User) -> Branch:
    """The fire-safety branch, paused by its reviewer for rectification."""
    branch = branch_of(case, FIRE)
    return branch_pause(branch_id=branch.pk, reviewer=fire, reason="rectification", note="请更换过期灭火器。")


def png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("灭火器.png", buffer.getvalue(), content_type="image/png")


def reply_url(branch: Branch) -> str:
    return reverse("approvals:reply", args=[branch.pk])


def page_key(client: Client, branch: Branch) -> str:
    """The one-time key the answer page gives on this load."""
    page = text(client.get(reply_url(branch)))
    match = re.search(r'<input type="hidden" name="key" value="([0-9a-f]{32})"', page)
    assert match, "the answer form carries a one-time key"
    return match.group(1)


def send(client: Client, branch: Branch, key: str, answer: str = ANSWER) -> HttpResponse:
    response = client.post(reply_url(branch), {"key": key, "text": answer, "attachments": [png()]})
    assert isinstance(response, HttpResponse)
    return response


def notices(user: User) -> int:
    return Notification.objects.filter(user=user, title=NOTICE).count()


def test_two_taps_save_one_answer_and_tell_each_reviewer_once(
    settings: Settings, alice: User, fire: User, fire2: User, paused: Branch
) -> None:
    client = signed_in(alice)
    key = page_key(client, paused)

    first = send(client, paused, key)
    second = send(client, paused, key)

    progress = reverse("cases:progress", args=[paused.case_id])
    assert (first.status_code, first["Location"]) == (302, progress)
    assert (second.status_code, second["Location"]) == (302, progress)
    landing = text(client.get(progress))
    assert DONE in landing, "the second tap lands on the same success message"
    assert landing.count(DONE) == 1
    reply = RectificationReply.objects.get()
    assert reply.text == ANSWER
    assert reply.files.count() == 1
    stored = [
        path for path in (Path(settings.MEDIA_ROOT) / "approvals" / "replies").rglob("*") if path.is_file()
    ]
    assert [path.name for path in stored] == [Path(reply.files.get().file.name).name], (
        "the second tap's copy of the photo is not kept"
    )
    assert (notices(fire), notices(fire2)) == (1, 1)
    assert CaseEvent.objects.filter(case=paused.case, action="rectification_replied").count() == 1
    page = text(signed_in(fire).get(reverse("approvals:branch", args=[paused.pk])))
    assert page.count('<div class="reply">') == 1, "the reviewer reads the answer once"


def test_a_new_page_load_sends_a_second_answer(alice: User, fire: User, fire2: User, paused: Branch) -> None:
    client = signed_in(alice)
    first_key = page_key(client, paused)
    send(client, paused, first_key)

    second_key = page_key(client, paused)
    assert second_key != first_key
    response = send(client, paused, second_key, "另补充：检测报告已盖章。")

    assert response.status_code == 302
    assert list(RectificationReply.objects.order_by("id").values_list("text", flat=True)) == [
        ANSWER,
        "另补充：检测报告已盖章。",
    ]
    assert (notices(fire), notices(fire2)) == (2, 2)


def test_a_repeat_after_the_reviewer_resumed_still_lands_on_success(
    alice: User, fire: User, paused: Branch
) -> None:
    """The first tap went through and the reviewer resumed before the second arrived: no error for it."""
    client = signed_in(alice)
    key = page_key(client, paused)
    send(client, paused, key)
    branch_resume(branch_id=paused.pk, reviewer=fire, comment="已核实")

    response = send(client, paused, key)

    assert response.status_code == 302
    assert DONE in text(client.get(response["Location"]))
    assert RectificationReply.objects.count() == 1


def test_an_answer_refused_keeps_its_key_and_is_saved_once_corrected(
    alice: User, fire: User, paused: Branch
) -> None:
    client = signed_in(alice)
    key = page_key(client, paused)

    refused = send(client, paused, key, answer="  ")
    assert refused.status_code == 422
    assert f'name="key" value="{key}"' in text(refused), "the corrected answer is the same submission"

    assert send(client, paused, key).status_code == 302
    assert send(client, paused, key).status_code == 302
    assert RectificationReply.objects.count() == 1
    assert notices(fire) == 1


def test_a_key_the_page_did_not_give_is_refused(alice: User, fire: User, paused: Branch) -> None:
    client = signed_in(alice)

    for bad in ("k" * 65, "abc\x00def"):
        response = send(client, paused, bad)
        assert response.status_code == 422
        assert "提交令牌无效，请刷新页面后重新提交。" in text(response)
    assert not RectificationReply.objects.exists()
    assert notices(fire) == 0


def test_an_answer_without_a_key_is_still_saved(alice: User, fire: User, paused: Branch) -> None:
    """A page opened before the key existed: its answer is not lost, only not protected."""
    response = signed_in(alice).post(reply_url(paused), {"text": ANSWER})
    assert response.status_code == 302
    assert RectificationReply.objects.get().key == ""


def test_the_forms_turn_a_second_tap_into_nothing(
    alice: User, fire: User, fire2: User, police: User, paused: Branch
) -> None:
    """Every approvals form with a side effect is marked for the submit-once script, which is on the page."""
    answer_page = text(signed_in(alice).get(reply_url(paused)))
    assert re.search(r'<form [^>]*id="reply-form" data-submit-once>', answer_page)

    resume_page = text(signed_in(fire).get(reverse("approvals:branch", args=[paused.pk])))
    assert re.search(r'<form method="post" action="[^"]*/resume/" novalidate data-submit-once>', resume_page)

    branch_resume(branch_id=paused.pk, reviewer=fire, comment="已核实")
    branch_approve(branch_id=paused.pk, reviewer=fire, permit_number="XF-1", valid_until=None)
    extendable = branch_of(paused.case, POLICE)  # open now that 消防 approved; it may be extended
    reviewer_page = text(signed_in(police).get(reverse("approvals:branch", args=[extendable.pk])))
    forms = re.findall(r'<form method="post" action="/[^"]*/branches/[^>]*>', reviewer_page)
    assert len(forms) == 4, "approve, deny, pause and extend are offered"
    assert all("data-submit-once" in form for form in forms), forms

    supervisor = User.objects.get(username="supervisor")
    extension = extension_request(
        branch_id=extendable.pk, reviewer=police, approver=supervisor, days=2, reason="需组织专家现场复核。"
    )
    inbox = text(signed_in(supervisor).get(reverse("approvals:extensions")))
    decide = reverse("approvals:extension_decide", args=[extension.pk])
    assert re.search(rf'<form method="post" action="{decide}" novalidate data-submit-once>', inbox)

    for page in (answer_page, reviewer_page, resume_page, inbox):
        assert 'form.hasAttribute("data-submit-once")' in page
        assert "正在提交，请稍候……" in page


def _supports_concurrent_writers() -> bool:
    # As in test_concurrent_decisions: in-memory SQLite cannot stage two writers at once.
    return connection.vendor == "postgresql" or not connection.is_in_memory_db()  # type: ignore[attr-defined]


@pytest.mark.skipif("not _supports_concurrent_writers()", reason="需要 PostgreSQL 或文件型 SQLite 测试库")
@pytest.mark.django_db(transaction=True)
def test_two_taps_at_the_same_moment_save_one_answer() -> None:
    seed_again()
    alice = User.objects.get(username="applicant")
    fire = User.objects.get(username="reviewer_fire")
    branch = branch_of(accepted_hotel_case(alice), FIRE)
    branch_pause(branch_id=branch.pk, reviewer=fire, reason="rectification", note="请更换过期灭火器。")
    key = page_key(signed_in(alice), branch)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def tap() -> None:
        try:
            client = signed_in(alice)
            start.wait(timeout=10)
            response = send(client, branch, key)
            outcomes.append((response.status_code, response.get("Location")))
        except Exception as exc:  # surfaced by the assertion below, with its type
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    progress = reverse("cases:progress", args=[branch.case_id])
    assert outcomes == [(302, progress), (302, progress)], outcomes
    assert RectificationReply.objects.count() == 1
    assert notices(fire) == 1

"""整改: the reviewer pauses a branch with a request, the applicant answers it, the reviewer resumes."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus, RectificationReply
from onewindow.approvals.services import branch_pause, branch_reply
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in, text
from onewindow.cases.models import Case
from onewindow.notifications.models import Notification

ASKED = "请补充消防设施维护保养检测报告，并更换过期灭火器。"


@pytest.fixture
def paused(case: Case, fire: User) -> Branch:
    """The fire-safety branch, paused by its reviewer for rectification."""
    branch = branch_of(case, FIRE)
    return branch_pause(branch_id=branch.pk, reviewer=fire, reason="rectification", note=ASKED)


def png(name: str = "灭火器.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def reply_url(branch: Branch) -> str:
    return reverse("approvals:reply", args=[branch.pk])


def progress(client: Client, case: Case) -> str:
    return text(client.get(reverse("cases:progress", args=[case.pk])))


def branch_card(page: str, branch: Branch) -> str:
    match = re.search(rf'<li data-branch="{branch.pk}".*?</li>\s*(?=<li data-branch|</ul>)', page, re.S)
    assert match, "the branch has its card on the progress page"
    return match.group(0)


def test_progress_page_shows_the_request_instead_of_the_due_date(
    case: Case, alice: User, paused: Branch
) -> None:
    assert paused.due_on is not None
    card = branch_card(progress(signed_in(alice), case), paused)
    assert ASKED in card
    assert "暂停计时中" in card
    assert "前办结" not in card, "a stopped clock has no due date to promise"
    assert reply_url(paused) in card
    other = branch_card(progress(signed_in(alice), case), branch_of(case, POLICE))
    assert "暂停计时中" not in other


def test_applicant_answers_and_the_reviewer_resumes(
    case: Case, alice: User, fire: User, paused: Branch
) -> None:
    client = signed_in(alice)
    form = text(client.get(reply_url(paused)))
    assert ASKED in form
    assert 'name="attachments"' in form

    response = client.post(
        reply_url(paused), {"text": "已更换灭火器，检测报告见附件。", "attachments": [png()]}, follow=True
    )
    assert response.status_code == 200
    assert "答复已提交" in text(response)
    card = branch_card(text(response), paused)
    assert "您已答复 1 次" in card
    assert Notification.objects.filter(user=fire, title="申请人已答复整改要求").exists()

    reviewer = signed_in(fire)
    page = text(reviewer.get(reverse("approvals:branch", args=[paused.pk])))
    assert "已更换灭火器，检测报告见附件。" in page
    assert "申请人已答复当前的整改要求" in page
    assert "申请人答复整改要求" in page, "the answer is on the branch's timeline"
    assert "附 1 个文件" in page
    stored = RectificationReply.objects.get().files.get()
    assert reverse("approvals:reply_file", args=[stored.pk]) in page
    download = reviewer.get(reverse("approvals:reply_file", args=[stored.pk]))
    assert isinstance(download, FileResponse)
    assert b"".join(download.streaming_content) == png().read()

    resumed = reviewer.post(
        reverse("approvals:resume", args=[paused.pk]),
        {"resume-version": Branch.objects.get(pk=paused.pk).version, "resume-comment": "整改到位"},
    )
    assert resumed.status_code == 302
    branch = Branch.objects.get(pk=paused.pk)
    assert branch.status == BranchStatus.PENDING
    card = branch_card(progress(client, case), branch)
    assert "前办结" in card
    assert ASKED not in card
    assert "该事项目前没有需要您答复的整改要求" in text(client.get(reply_url(branch)))
    late = client.post(reply_url(branch), {"text": "再补充一点"})
    assert late.status_code == 409
    assert "没有需要您答复的整改要求" in text(late)
    assert RectificationReply.objects.count() == 1


def test_a_reply_needs_text(alice: User, paused: Branch) -> None:
    response = signed_in(alice).post(reply_url(paused), {"text": "  "})
    assert response.status_code == 422
    assert "请填写答复内容" in text(response)
    assert not RectificationReply.objects.exists()


def test_a_file_is_checked_by_content(alice: User, paused: Branch) -> None:
    fake = SimpleUploadedFile("报告.png", b"not really a picture", content_type="image/png")
    response = signed_in(alice).post(reply_url(paused), {"text": "见附件", "attachments": [fake]})
    assert response.status_code == 422
    page = text(response)
    assert "“报告.png”" in page
    assert "只能上传 PDF、JPEG 或 PNG 文件" in page
    assert not RectificationReply.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings: Settings, alice: User, paused: Branch) -> None:
    settings.UPLOAD_MAX_BYTES = 20
    response = signed_in(alice).post(reply_url(paused), {"text": "见附件", "attachments": [png()]})
    assert response.status_code == 422
    assert "文件超过" in text(response)
    assert not RectificationReply.objects.exists()


def test_only_the_cases_applicant_answers(bob: User, fire: User, paused: Branch) -> None:
    for user in (bob, fire):
        client = signed_in(user)
        assert client.get(reply_url(paused)).status_code == 404
        assert client.post(reply_url(paused), {"text": "冒名答复"}).status_code == 404
    anonymous = Client().get(reply_url(paused))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert not RectificationReply.objects.exists()


def test_a_site_check_pause_is_not_answered_here(case: Case, alice: User, fire: User) -> None:
    branch = branch_of(case, FIRE)
    branch_pause(branch_id=branch.pk, reviewer=fire, reason="site_check", note="将于下周一现场核查消防设施。")
    client = signed_in(alice)
    card = branch_card(progress(client, case), branch)
    assert "暂停计时中" in card
    assert "将于下周一现场核查消防设施。" in card
    assert reply_url(branch) not in card
    response = client.post(reply_url(branch), {"text": "好的"})
    assert response.status_code == 409
    assert not RectificationReply.objects.exists()


def stored_reply_files(media: Path) -> list[Path]:
    return [path for path in (media / "approvals" / "replies").rglob("*") if path.is_file()]


def test_an_answer_not_kept_leaves_no_file_behind(
    settings: Settings, case: Case, alice: User, bob: User, fire: User
) -> None:
    """Files are written before the answer is saved; when it is refused they go again."""
    media = Path(settings.MEDIA_ROOT)
    branch = branch_of(case, FIRE)
    branch_pause(branch_id=branch.pk, reviewer=fire, reason="site_check", note="将于下周一现场核查消防设施。")

    refused = signed_in(alice).post(reply_url(branch), {"text": "见附件", "attachments": [png()]})
    stranger = signed_in(bob).post(reply_url(branch), {"text": "冒名答复", "attachments": [png()]})

    assert (refused.status_code, stranger.status_code) == (409, 404)
    assert not RectificationReply.objects.exists()
    assert stored_reply_files(media) == []


def test_an_answer_rolled_back_late_leaves_no_file_behind(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, alice: User, paused: Branch
) -> None:
    """A failure after the files were attached (telling the reviewers) undoes the answer and its files."""

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr("onewindow.approvals.services.notify_user", broken)
    with pytest.raises(RuntimeError):
        branch_reply(
            branch_id=paused.pk, applicant=alice, text="见附件", attachments=[png(), png("报告.png")]
        )

    assert not RectificationReply.objects.exists()
    assert stored_reply_files(Path(settings.MEDIA_ROOT)) == []


def test_reply_files_are_only_for_the_applicant_and_the_department(
    alice: User, bob: User, fire: User, police: User, paused: Branch
) -> None:
    signed_in(alice).post(reply_url(paused), {"text": "见附件", "attachments": [png()]})
    stored = RectificationReply.objects.get().files.get()
    url = reverse("approvals:reply_file", args=[stored.pk])
    assert signed_in(alice).get(url).status_code == 200
    assert signed_in(bob).get(url).status_code == 404
    assert signed_in(police).get(url).status_code == 404

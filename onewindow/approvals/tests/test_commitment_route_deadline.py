"""A branch on the commitment route runs on that route's own limit (告知承诺办理时限).

The cast: alice applies for her hotel (特种行业, 消防, 卫生, 食品) and the demo clerk accepts it on
Tuesday 2026-12-01, a month without holidays. With the commitment 消防 decides within 1 working day
(domain.md: "decided at the window or within 1"); without it, within its promised 5. 赵磊 reviews
消防.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

ACCEPTED_ON = date(2026, 12, 1)
HYGIENE = "429006-wj"
COMMITTED = dict(HOTEL_FOUR_ITEMS)
DECLINED = {**HOTEL_FOUR_ITEMS, "use_commitment": "no"}


@pytest.fixture(autouse=True)
def _on_acceptance_day() -> Iterator[None]:
    with mock.patch("django.utils.timezone.localdate", return_value=ACCEPTED_ON):
        yield


def submitted_case(alice: User, answers: Mapping[str, str]) -> Case:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(answers))
    fill_case(case, alice)
    return case_submit(case=case, user=alice, key=f"commitment-{case.pk}")


def accepted(case: Case) -> Case:
    return case_accept(case=case, clerk=User.objects.get(username="clerk"))


def fire_commitment_limit(days: int | None) -> None:
    """The administrator sets 消防's commitment-route limit (saved, so cached plans are dropped)."""
    item = ServiceItem.objects.get(code="fire_safety_check")
    item.commitment_limit_days = days
    item.full_clean()
    item.save()


def without_limit_days(case: Case) -> Case:
    """The case as one planned before plans kept the limit the branch runs on."""
    plan = case.plan
    for entry in plan["items"]:
        del entry["limit_days"]
    Case.objects.filter(pk=case.pk).update(plan=plan)
    case.refresh_from_db()
    return case


def branch_page(branch_id: int) -> str:
    client = signed_in(User.objects.get(username="reviewer_fire"))
    return text(client.get(reverse("approvals:branch", args=[branch_id])))


def test_a_committed_fire_branch_is_due_the_next_working_day_and_in_5_without_the_commitment(
    alice: User,
) -> None:
    committed = accepted(submitted_case(alice, COMMITTED))
    declined = accepted(submitted_case(alice, DECLINED))

    fire = branch_of(committed, FIRE)
    assert (fire.opened_on, fire.limit_days, fire.due_on) == (ACCEPTED_ON, 1, date(2026, 12, 2))
    assert branch_of(committed, HYGIENE).due_on == date(2026, 12, 2)
    fire = branch_of(declined, FIRE)
    assert (fire.limit_days, fire.due_on) == (5, date(2026, 12, 8))


def test_a_commitment_limit_of_0_is_due_the_day_the_branch_opens(alice: User) -> None:
    fire_commitment_limit(0)

    fire = branch_of(accepted(submitted_case(alice, COMMITTED)), FIRE)

    assert (fire.limit_days, fire.due_on) == (0, ACCEPTED_ON)
    assert "当场办结（法定 13 个工作日）" in branch_page(fire.pk)


def test_a_case_planned_before_the_commitment_limit_opens_on_the_promised_limit(alice: User) -> None:
    """Its plan snapshot has no limit_days: the branch runs on the promised limit, as was promised."""
    older = without_limit_days(submitted_case(alice, COMMITTED))
    newer = submitted_case(alice, COMMITTED)

    assert branch_of(accepted(older), FIRE).due_on == date(2026, 12, 8)
    assert branch_of(accepted(newer), FIRE).due_on == date(2026, 12, 2)


def test_the_case_keeps_the_limit_it_was_planned_with(alice: User) -> None:
    case = submitted_case(alice, COMMITTED)
    fire_commitment_limit(None)

    assert branch_of(accepted(case), FIRE).limit_days == 1


def test_the_reviewer_sees_which_branch_runs_on_the_commitment_limit(alice: User) -> None:
    committed = branch_page(branch_of(accepted(submitted_case(alice, COMMITTED)), FIRE).pk)
    declined = branch_page(branch_of(accepted(submitted_case(alice, DECLINED)), FIRE).pk)

    assert "1 个工作日（法定 13 个工作日）" in committed
    assert "告知承诺办理（一般程序承诺 5 个工作日）" in committed
    assert "5 个工作日（法定 13 个工作日）" in declined
    assert "告知承诺办理" not in declined


def test_the_applicant_sees_the_commitment_limit_before_acceptance(alice: User) -> None:
    client = signed_in(alice)
    newer = text(client.get(reverse("cases:progress", args=[submitted_case(alice, COMMITTED).pk])))
    older_case = without_limit_days(submitted_case(alice, COMMITTED))
    older = text(client.get(reverse("cases:progress", args=[older_case.pk])))

    assert "公众聚集场所投入使用、营业前消防安全检查（市消防救援大队，告知承诺办理：1 个工作日）" in newer
    assert "旅馆业特种行业许可证核发（市公安局，承诺 10 个工作日）" in newer
    assert "公众聚集场所投入使用、营业前消防安全检查（市消防救援大队，承诺 5 个工作日）" in older

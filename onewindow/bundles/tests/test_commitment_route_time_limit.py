"""The commitment route's own time limit (告知承诺办理时限) in the hotel plan: with the commitment 消防
and 卫生 are decided within 1 working day instead of the promised 5, and the plan's figures, its API,
its page, the one notice and its PDF say so.

Without answers the hotel needs three items: 特种行业 (promised 10, after 消防), 消防 (5) and 卫生 (5).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.bundles.planner import Plan, PlanItem, plan_for
from onewindow.bundles.tests.test_notice_pdf import needs_font, needs_pdftotext, pdf_text
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

FIRE = "fire_safety_check"
HYGIENE = "public_place_hygiene_licence"
SPECIAL_TRADE = "special_trade_hotel_licence"
COMMITTED = {"use_commitment": "yes"}
DECLINED = {"use_commitment": "no"}


def plan_items(plan: Plan) -> dict[str, PlanItem]:
    return {p.item.code: p for p in plan.items}


def commitment_limit(code: str, days: int | None) -> None:
    """The administrator sets an item's commitment-route limit."""
    item = ServiceItem.objects.get(code=code)
    item.commitment_limit_days = days
    item.full_clean()
    item.save()


def api_plan(client: Client, answers: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/bundles/hotel/plan", {"answers": answers}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    result: dict[str, Any] = response.json()
    return result


def test_the_committed_fire_check_is_due_in_1_working_day_and_in_5_without_the_commitment() -> None:
    committed, declined = plan_items(plan_for("hotel", COMMITTED)), plan_items(plan_for("hotel", DECLINED))

    assert (committed[FIRE].limit_days, committed[HYGIENE].limit_days) == (1, 1)
    assert committed[FIRE].commitment_limit_label == "告知承诺办理：1个工作日"
    assert (declined[FIRE].limit_days, declined[HYGIENE].limit_days) == (5, 5)
    assert declined[FIRE].commitment_limit_label == ""
    # Committed, but with no limit of its own: the promised one.
    assert committed[SPECIAL_TRADE].commitment
    assert committed[SPECIAL_TRADE].limit_days == 10


def test_the_plans_day_figures_count_the_commitment_limit() -> None:
    committed, declined = plan_for("hotel", COMMITTED).summary, plan_for("hotel", DECLINED).summary

    # 特种行业 10 + 消防 + 卫生; in parallel 消防 then 特种行业.
    assert (committed.serial_days, committed.parallel_days) == (12, 11)
    assert (declined.serial_days, declined.parallel_days) == (20, 15)
    assert committed.statutory_serial_days == declined.statutory_serial_days


def test_a_commitment_limit_of_0_is_decided_the_same_day() -> None:
    commitment_limit(FIRE, 0)

    plan = plan_for("hotel", COMMITTED)

    assert plan_items(plan)[FIRE].limit_days == 0
    assert plan_items(plan)[FIRE].commitment_limit_label == "告知承诺办理：当场办结"
    assert plan.summary.parallel_days == 10


def test_the_plan_api_gives_each_items_commitment_limit_and_the_limit_it_runs_on(client: Client) -> None:
    committed, declined = api_plan(client, COMMITTED), api_plan(client, DECLINED)

    fire = next(i for i in committed["items"] if i["code"] == FIRE)
    assert (fire["promised_limit_days"], fire["commitment_limit_days"], fire["limit_days"]) == (5, 1, 1)
    fire = next(i for i in declined["items"] if i["code"] == FIRE)
    assert (fire["promised_limit_days"], fire["commitment_limit_days"], fire["limit_days"]) == (5, 1, 5)
    special_trade = next(i for i in committed["items"] if i["code"] == SPECIAL_TRADE)
    assert (special_trade["commitment_limit_days"], special_trade["limit_days"]) == (None, 10)
    assert (committed["summary"]["serial_days"], committed["summary"]["parallel_days"]) == (12, 11)


def test_the_bundle_api_gives_each_members_commitment_limit(client: Client) -> None:
    members = {m["code"]: m for m in client.get("/api/v1/bundles/hotel").json()["items"]}

    assert members[FIRE]["commitment_limit_days"] == 1
    assert members[HYGIENE]["commitment_limit_days"] == 1
    assert members[SPECIAL_TRADE]["commitment_limit_days"] is None


def test_the_plan_page_shows_the_commitment_limit_of_committed_items(client: Client) -> None:
    url = reverse("bundles:plan", args=["hotel"])
    committed = client.get(url, COMMITTED, HTTP_HX_REQUEST="true").content.decode()
    declined = client.get(url, DECLINED, HTTP_HX_REQUEST="true").content.decode()

    assert committed.count("告知承诺办理：1个工作日") == 2
    assert "（一般程序承诺 5 个工作日，法定 13 个工作日）" in committed
    assert 'id="plan-parallel-days" data-value="11"' in committed
    assert "告知承诺办理：" not in declined
    assert "承诺 5 个工作日（法定 13 个工作日）" in declined
    assert 'id="plan-parallel-days" data-value="15"' in declined


def test_the_one_notice_shows_the_commitment_limit(client: Client) -> None:
    commitment_limit(HYGIENE, 0)
    body = client.get(reverse("bundles:notice", args=["hotel"]), COMMITTED).content.decode()

    assert "告知承诺办理：1个工作日" in body
    assert "告知承诺办理：当场办结" in body
    assert "逐项办理合计 11 个工作日（法定时限合计 53 个工作日）；并联办理约 11 个工作日" in body
    assert "选择告知承诺办理的事项，按其告知承诺办理时限计算。" in body


@needs_font
@needs_pdftotext
def test_the_notice_pdf_shows_the_commitment_limit(client: Client) -> None:
    committed = pdf_text(client.get(reverse("bundles:notice_pdf", args=["hotel"]), COMMITTED).content)
    declined = pdf_text(client.get(reverse("bundles:notice_pdf", args=["hotel"]), DECLINED).content)

    assert "告知承诺办理：1个工作日" in committed.replace("\n", "")
    assert "并联办理约 11 个工作日" in committed.replace("\n", "")
    assert "告知承诺办理：" not in declined.replace("\n", "")
    assert "并联办理约 15 个工作日" in declined.replace("\n", "")

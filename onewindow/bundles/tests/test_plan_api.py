"""POST /api/v1/bundles/{code}/plan: the plan for an applicant's answers, its errors and its cost."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cache_isolated
from onewindow.bundles import api as bundles_api
from onewindow.bundles.models import Bundle
from onewindow.bundles.planner import bundle_for_planning, clean_answers
from onewindow.bundles.schemas import PlanOut
from onewindow.bundles.transfer import bundle_import
from onewindow.catalog.models import ServiceItem

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# A bundle with one question of each kind, for the validation tests.
QUIZ_YAML = """\
format: onewindow.bundle/1
departments:
  - {code: quiz-dept, name: 天门市测试局, short_name: 测试局, region: "429006"}
materials:
  - {code: quiz-doc, name: 申请书}
fields:
  - {code: quiz-name, label: 单位名称, type: text}
items:
  - code: quiz-item
    name: 测试许可
    type: licensing
    level: county
    department: quiz-dept
    legal_basis: 测试依据
    conditions: 测试条件
    statutory_limit_days: 10
    promised_limit_days: 5
    result_name: 测试许可证
    materials: [{material: quiz-doc}]
    form: [{field: quiz-name}]
bundle:
  code: quiz
  name: 测试主题
  industry: 测试
  lead_department: quiz-dept
  licence_name: 测试综合许可证
  items: [quiz-item]
  questions:
    - {code: tobacco, text: 是否销售卷烟？, kind: yes_no}
    - code: meals
      text: 提供哪种餐饮服务？
      kind: choice
      options: [{value: none, label: 不提供}, {value: breakfast, label: 仅早餐}, {value: meals, label: 正餐}]
    - {code: rooms, text: 客房数量是多少？, kind: number, unit: 间, min_value: 1, max_value: 500}
"""

QUESTION_TEXT = {"tobacco": "是否销售卷烟？", "meals": "提供哪种餐饮服务？", "rooms": "客房数量是多少？"}


def post_plan(client: Client, code: str, body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"/api/v1/bundles/{code}/plan", data, content_type="application/json")


def plan(client: Client, answers: dict[str, Any], code: str = "hotel") -> dict[str, Any]:
    response = post_plan(client, code, {"answers": answers})
    assert response.status_code == 200, response.content.decode()
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def quiz(db: None) -> None:
    bundle_import(QUIZ_YAML)


@pytest.fixture
def hotel_questions(client: Client, db: None) -> list[dict[str, Any]]:
    response = client.get("/api/v1/bundles/hotel")
    assert response.status_code == 200
    questions: list[dict[str, Any]] = response.json()["questions"]
    return questions


def every_answer_yes(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Yes to every yes/no question; the last option of a choice; the maximum (or plenty) for a number."""
    answers: dict[str, Any] = {}
    for question in questions:
        if question["kind"] == "yes_no":
            answers[question["code"]] = True
        elif question["kind"] == "choice":
            answers[question["code"]] = question["options"][-1]["value"]
        else:
            answers[question["code"]] = question["max"] if question["max"] is not None else 100000
    return answers


# ---------------------------------------------------------------- the hotel


def test_a_hotel_with_everything_needs_nine_items_from_eight_departments(
    client: Client, hotel_questions: list[dict[str, Any]]
) -> None:
    result = plan(client, every_answer_yes(hotel_questions))
    summary = result["summary"]
    assert (summary["items"], summary["departments"]) == (9, 8)
    assert (summary["forms_before"], summary["forms_after"]) == (9, 1)
    assert (summary["materials_before"], summary["materials_after"]) == (83, 26)
    assert len(result["items"]) == 9
    assert len({item["department"]["code"] for item in result["items"]}) == 8
    assert result["unanswered"] == []
    assert sum(1 for m in result["materials"] if m["disposition"] == "upload") == 26


def test_a_hotel_without_answers_needs_the_three_items_every_hotel_needs(client: Client, db: None) -> None:
    result = plan(client, {})
    assert len(result["items"]) == 3
    assert result["summary"]["items"] == 3
    for item in result["items"]:
        assert CHINESE.search(item["name"])
        assert CHINESE.search(item["department"]["name"])
        assert item["reason"]
    assert len(result["unanswered"]) > 0


def test_the_plan_has_the_documented_shape(client: Client, hotel_questions: list[dict[str, Any]]) -> None:
    result = plan(client, every_answer_yes(hotel_questions))
    PlanOut.model_validate(result)
    item = result["items"][0]
    assert set(item) == {
        "code",
        "name",
        "department",
        "statutory_limit_days",
        "statutory_extension_days",
        "promised_limit_days",
        "commitment_limit_days",
        "limit_days",
        "prerequisites",
        "dependency_notes",
        "reason",
        "commitment",
    }
    codes = {i["code"] for i in result["items"]}
    for form_field in result["form"]:
        assert set(form_field["used_by"]) <= codes
        assert {"code", "label", "type", "required", "choices", "min_value", "max_value"} <= set(form_field)
    for material in result["materials"]:
        assert material["disposition"] in {"upload", "shared", "commitment"}
        assert CHINESE.search(material["disposition_label"])
        assert set(material["items"]) <= codes
    for clause in result["commitment"]:
        assert clause["item"] is None or clause["item"] in codes
    assert any(i["prerequisites"] for i in result["items"])  # the fire check comes first


def test_yes_and_no_may_be_words_or_booleans(client: Client, hotel_questions: list[dict[str, Any]]) -> None:
    yes_no = [q["code"] for q in hotel_questions if q["kind"] == "yes_no"]
    as_booleans = {code: i % 2 == 0 for i, code in enumerate(yes_no)}
    as_words = {code: "yes" if value else "no" for code, value in as_booleans.items()}
    assert plan(client, as_booleans) == plan(client, as_words)


# ---------------------------------------------------------------- what the answers may be


def test_a_number_may_be_a_json_number_or_a_numeric_string(client: Client, quiz: None) -> None:
    assert plan(client, {"rooms": 30}, "quiz") == plan(client, {"rooms": "30"}, "quiz")
    assert plan(client, {"rooms": 12.5}, "quiz")["unanswered"] == ["tobacco", "meals"]


def test_a_choice_takes_the_option_value(client: Client, quiz: None) -> None:
    assert plan(client, {"meals": "breakfast"}, "quiz")["unanswered"] == ["tobacco", "rooms"]


def test_empty_and_null_answers_count_as_unanswered(client: Client, quiz: None) -> None:
    assert plan(client, {"tobacco": None, "rooms": ""}, "quiz")["unanswered"] == ["tobacco", "meals", "rooms"]


@pytest.mark.parametrize(
    ("question", "value", "code"),
    [
        ("tobacco", "maybe", "not_yes_no"),
        ("tobacco", 7, "not_yes_no"),
        ("tobacco", {"yes": True}, "not_yes_no"),
        ("meals", "dinner", "not_an_option"),
        ("meals", True, "not_an_option"),
        ("meals", ["breakfast"], "not_an_option"),
        ("rooms", "thirty", "not_a_number"),
        ("rooms", True, "not_a_number"),
        ("rooms", [30], "not_a_number"),
        ("rooms", "NaN", "not_a_number"),
        ("rooms", 0, "below_minimum"),
        ("rooms", -3, "below_minimum"),
        ("rooms", 501, "above_maximum"),
        ("rooms", "1e9", "above_maximum"),
    ],
)
def test_a_bad_answer_is_a_422_naming_the_question(
    client: Client, quiz: None, question: str, value: Any, code: str
) -> None:
    response = post_plan(client, "quiz", {"answers": {question: value}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_answers"
    assert CHINESE.search(body["message"])
    [error] = body["errors"]
    assert error["field"] == f"answers.{question}"
    assert error["code"] == code
    assert CHINESE.search(error["message"])
    assert QUESTION_TEXT[question] in error["message"]


def test_an_unknown_question_is_a_422_naming_the_code(client: Client, quiz: None) -> None:
    response = post_plan(client, "quiz", {"answers": {"pets": True}})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {"field": "answers.pets", "code": "unknown_question", "message": error["message"]}
    assert "pets" in error["message"]
    assert CHINESE.search(error["message"])


def test_every_bad_answer_is_reported_at_once(client: Client, quiz: None) -> None:
    answers = {"tobacco": "perhaps", "meals": "lunch", "rooms": 999, "pets": 1}
    response = post_plan(client, "quiz", {"answers": answers})
    assert response.status_code == 422
    codes = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert codes == {
        "answers.tobacco": "not_yes_no",
        "answers.meals": "not_an_option",
        "answers.rooms": "above_maximum",
        "answers.pets": "unknown_question",
    }
    assert "4 个回答" in response.json()["message"]


# ---------------------------------------------------------------- what the body may be


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("answers: yes", "body"),
        (b"\xff\xfe{", "body"),
        ('{"answers": {', "body"),
        ("[1, 2]", "body"),
        ('"answers"', "body"),
        ("null", "body"),
        ("{}", "answers"),
        ('{"answer": {}}', "answers"),
        ('{"answers": ["tobacco"]}', "answers"),
        ('{"answers": "tobacco=yes"}', "answers"),
        ('{"answers": null}', "answers"),
        ("", "body"),
    ],
)
def test_a_body_that_is_not_an_answers_object_is_invalid_body(
    client: Client, quiz: None, body: str, field: str
) -> None:
    response = post_plan(client, "quiz", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json; charset=utf-8"
    result = response.json()
    assert result["code"] == "invalid_body"
    assert CHINESE.search(result["message"])
    assert "answers" in result["message"]
    assert [e["field"] for e in result["errors"]] == [field]
    assert all(CHINESE.search(e["message"]) for e in result["errors"])
    # Nothing of pydantic's English reaches the caller.
    assert "Field required" not in response.content.decode()
    assert "valid dictionary" not in response.content.decode()


def test_a_question_code_with_a_lone_surrogate_is_refused_not_crashed(client: Client, quiz: None) -> None:
    response = post_plan(client, "quiz", '{"answers": {"\\ud800": true}}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unknown_question"


def test_a_deeply_nested_body_is_invalid_body(client: Client, quiz: None) -> None:
    response = post_plan(client, "quiz", '{"answers": {"tobacco": ' + "[" * 5000 + "]" * 5000 + "}}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_body"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_a_413(client: Client, quiz: None) -> None:
    response = post_plan(client, "quiz", {"answers": {"tobacco": "x" * 2000}})
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_an_unknown_bundle_is_a_404_in_chinese(client: Client, db: None) -> None:
    response = post_plan(client, "spaceport", {"answers": {}})
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "没有找到编码为“spaceport”的一业一证主题，请核对编码，或从列表接口中选择。",
        "errors": [],
    }


def test_an_unpublished_bundle_is_not_found(client: Client, quiz: None) -> None:
    Bundle.objects.filter(code="quiz").update(is_published=False)
    assert post_plan(client, "quiz", {"answers": {}}).status_code == 404


def test_the_plan_is_only_posted(client: Client) -> None:
    response = client.get("/api/v1/bundles/hotel/plan")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_a_logged_500_in_chinese(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(code: str, answers: Any) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bundles_api, "plan_body", broken)
    response = post_plan(client, "hotel", {"answers": {}})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert CHINESE.search(body["message"])
    assert "disk on fire" not in response.content.decode()
    assert "disk on fire" in caplog.text


# ---------------------------------------------------------------- the plan's signature


def hotel_answers(questions: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answers to some of the hotel's questions, in any of the accepted spellings."""

    def answer(question: dict[str, Any]) -> st.SearchStrategy[Any]:
        if question["kind"] == "yes_no":
            return st.sampled_from([True, False, "yes", "no", "是", "否"])
        if question["kind"] == "choice":
            return st.sampled_from([o["value"] for o in question["options"]])
        low, high = question["min"] or 0, question["max"] or 10**6
        return st.integers(int(low), int(high)) | st.integers(int(low), int(high)).map(str)

    return st.fixed_dictionaries({}, optional={q["code"]: answer(q) for q in questions})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_equal_signatures_give_equal_plans(
    hotel_questions: list[dict[str, Any]], data: st.DataObject
) -> None:
    """The cache serves one rendered plan for every answer set with the same signature: check it is right."""
    planning = bundles_api.PlanningBundle(bundle_for_planning("hotel"))
    bundle = planning.bundle
    first = clean_answers(bundle, data.draw(hotel_answers(hotel_questions)))
    second = clean_answers(bundle, data.draw(hotel_answers(hotel_questions)))
    if planning.signature(first) == planning.signature(second):
        assert bundles_api.render_plan(bundle, first) == bundles_api.render_plan(bundle, second)
    # The same answers with the number moved stay on the same side of a "more than 0" rule.
    discharge = first.get("daily_discharge")
    if isinstance(discharge, Decimal) and discharge > 0:
        moved = {**first, "daily_discharge": discharge + 1}
        assert planning.signature(moved) == planning.signature(first)
        assert bundles_api.render_plan(bundle, moved) == bundles_api.render_plan(bundle, first)


# ---------------------------------------------------------------- fuzzing

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
answer_keys = st.sampled_from(["tobacco", "meals", "rooms"]) | st.text(max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(answer_keys, json_values | st.sampled_from(["yes", "no", "breakfast", "30"])))
def test_random_answers_are_planned_or_refused_never_a_500(client: Client, quiz: None, answers: Any) -> None:
    response = post_plan(client, "quiz", {"answers": answers})
    assert response.status_code in {200, 422}, response.content.decode()
    body = response.json()
    if response.status_code == 422:
        assert body["code"] == "invalid_answers"
        assert len(body["errors"]) >= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
def test_random_bodies_are_refused_never_a_500(client: Client, quiz: None, body: Any) -> None:
    payload = body if isinstance(body, str) else json.dumps(body)
    response = post_plan(client, "quiz", payload)
    assert response.status_code in {200, 422}, response.content.decode()
    assert response.json()["code"] in {"invalid_body", "invalid_answers"} or response.status_code == 200


# ---------------------------------------------------------------- cost


def count_queries(client: Client, code: str, answers: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        plan(client, answers, code)
    return len(queries)


def test_the_plan_takes_a_small_constant_number_of_queries(
    client: Client, quiz: None, hotel_questions: list[dict[str, Any]], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        plan(client, every_answer_yes(hotel_questions))
    counts = {
        count_queries(client, "hotel", every_answer_yes(hotel_questions)),
        count_queries(client, "hotel", {}),
        count_queries(client, "quiz", {"tobacco": "yes", "meals": "none", "rooms": 3}),
        count_queries(client, "quiz", {}),
    }
    assert len(counts) == 1, counts


@pytest.fixture
def plan_cache(db: None, tmp_path: Path) -> Iterator[None]:
    """The per-process plan cache keeping plans although the test runs inside a transaction."""
    with cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision", keep_in_transactions=True):
        yield


def test_a_repeated_plan_is_served_without_queries(
    client: Client, plan_cache: None, hotel_questions: list[dict[str, Any]]
) -> None:
    answers = every_answer_yes(hotel_questions)
    first = plan(client, answers)
    assert count_queries(client, "hotel", answers) == 0
    assert plan(client, answers) == first
    # The same bundle with other answers is planned again from the cached rows.
    assert count_queries(client, "hotel", {}) == 0
    assert len(plan(client, {})["items"]) == 3


def test_answers_that_no_rule_tells_apart_share_one_plan(
    client: Client, plan_cache: None, hotel_questions: list[dict[str, Any]]
) -> None:
    answers = every_answer_yes(hotel_questions)
    first = plan(client, {**answers, "daily_discharge": 35})
    # "More than 0 tonnes a day" holds for 36 as for 35: planned once, then served from the cache.
    assert count_queries(client, "hotel", {**answers, "daily_discharge": "36"}) == 0
    assert plan(client, {**answers, "daily_discharge": 36}) == first
    assert plan(client, {**answers, "daily_discharge": 0})["summary"]["items"] == 8


def test_an_edit_committed_by_the_admin_reaches_the_next_plan(
    client: Client, plan_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = plan(client, {})
    item_code = before["items"][0]["code"]
    with django_capture_on_commit_callbacks(execute=True):
        item = ServiceItem.objects.get(code=item_code)
        item.promised_limit_days = 1
        item.save()
    after = plan(client, {})
    assert after["items"][0]["promised_limit_days"] == 1
    assert count_queries(client, "hotel", {}) == 0


def test_what_is_read_inside_a_transaction_is_never_cached(client: Client, db: None, tmp_path: Path) -> None:
    with cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision"):
        plan(client, {})
        assert len(bundles_api.plan_cache.generation()) == 0
        assert count_queries(client, "hotel", {}) > 0


def test_an_unknown_bundle_is_a_404_in_english_when_asked(client: Client, db: None) -> None:
    response = client.get("/api/v1/bundles/spaceport", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json()["message"] == (
        "No industry bundle with the code “spaceport” was found. Please check the code, "
        "or choose one from the list endpoint."
    )


def test_a_plan_requests_mistakes_are_told_in_english_when_asked(client: Client, quiz: None) -> None:
    english = {"accept-language": "en"}
    path = "/api/v1/bundles/quiz/plan"
    wrong = client.post(path, {"answers": {"pets": True}}, content_type="application/json", headers=english)
    assert wrong.status_code == 422
    message = wrong.json()["message"]
    assert message.startswith("1 answer does not meet the requirements: ")
    assert message.endswith(" Please correct it and submit again.")
    assert "pets" in message
    assert not CHINESE.search(message)

    not_json = client.post(path, "{", content_type="application/json", headers=english)
    assert not_json.json()["message"] == (
        "The request body is not as required: The request body is not valid JSON. "
        'The correct format is {"answers": {"question code": answer, …}}.'
    )

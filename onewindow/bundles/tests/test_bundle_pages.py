"""The public bundle pages: questionnaire, live plan, notice and commitment letter.

The hotel bundle comes from the seeded city; the small "pagetest" bundle below is
imported by the tests that need exact, self-made numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.bundles.models import Bundle, Question, Rule
from onewindow.bundles.planner import Disposition, plan_for
from onewindow.bundles.transfer import bundle_import

pytestmark = pytest.mark.django_db

PAGETEST_YAML = """\
format: onewindow.bundle/1
departments:
  - {code: pagetest-health, name: 天门市页面测试卫健委, short_name: 测试卫健委, region: "429006", phone: "0728-5300001", order: 1}
  - {code: pagetest-market, name: 天门市页面测试市场监管局, short_name: 测试市场局, region: "429006", order: 2}
materials:
  - {code: pagetest-licence, name: 页面测试营业执照, government_held: true, shared_licence_type: 营业执照}
  - {code: pagetest-plan, name: 页面测试经营场所平面图}
  - code: pagetest-rules
    name: 页面测试卫生管理制度
    commitment_replaceable: true
    commitment_clause: 本单位已建立卫生管理制度并在开业前落实。
fields:
  - {code: pagetest-name, label: 页面测试单位名称}
  - {code: pagetest-area, label: 页面测试经营面积, type: area}
items:
  - code: pagetest-hygiene
    name: 页面测试公共场所卫生许可
    type: licensing
    level: city
    department: pagetest-health
    legal_basis: 《公共场所卫生管理条例》第八条
    conditions: 页面测试受理条件：卫生设施齐全。
    statutory_limit_days: 20
    promised_limit_days: 5
    supports_commitment: true
    commitment_clause: 本单位承诺开业前达到公共场所卫生标准（页面测试）。
    result_name: 公共场所卫生许可证
    materials:
      - {material: pagetest-licence}
      - {material: pagetest-plan, copies: 2}
      - {material: pagetest-rules, commitment_replaceable: true}
    form: [{field: pagetest-name}, {field: pagetest-area}]
  - code: pagetest-food
    name: 页面测试食品经营许可
    type: licensing
    level: city
    department: pagetest-market
    legal_basis: 《食品安全法》第三十五条
    conditions: 页面测试受理条件：有与经营相适应的场所。
    statutory_limit_days: 10
    promised_limit_days: 3
    result_name: 食品经营许可证
    materials:
      - {material: pagetest-licence}
      - {material: pagetest-plan}
    form: [{field: pagetest-name}]
bundle:
  code: pagetest
  name: 页面测试一业一证
  industry: 页面测试业
  lead_department: pagetest-health
  licence_name: 页面测试业综合许可证
  commitment_question: promise
  items: [pagetest-hygiene, pagetest-food]
  questions:
    - {code: meals, text: 是否提供餐饮？, kind: choice, options: [{value: none, label: 不提供}, {value: meals, label: 提供正餐}]}
    - {code: promise, text: 是否选择告知承诺办理？, kind: yes_no}
    - {code: rooms, text: 客房数量, kind: number, unit: 间, min_value: 1, max_value: 500}
  rules:
    - {target: item, item: pagetest-food, question: meals, value: meals}
  dependencies:
    - {item: pagetest-food, requires: pagetest-hygiene, note: 页面测试前置说明。}
"""


@pytest.fixture
def pagetest() -> Bundle:
    bundle_import(PAGETEST_YAML)
    return Bundle.objects.get(code="pagetest")


def answers_selecting_every_item(bundle: Bundle) -> dict[str, str]:
    """Answers that satisfy at least one rule of every conditional item ("yes to everything").

    A choice question answers its first rule: where two items exclude each other (the hotel's food
    business licence and its pre-packaged food filing), the first one listed is selected."""
    answers: dict[str, str] = {}
    for question in bundle.questions.all():
        if question.kind == Question.Kind.YES_NO:
            answers[question.code] = "yes"
    for rule in bundle.rules.filter(target=Rule.Target.ITEM).select_related("question"):
        question = rule.question
        if question.kind == Question.Kind.CHOICE:
            if question.code in answers:
                continue
            wanted = rule.value.split(",")[0].strip()
            answers[question.code] = (
                wanted if rule.operator != Rule.Operator.NE else answers.get(question.code, "")
            )
        elif question.kind == Question.Kind.NUMBER:
            threshold = Decimal(rule.value)
            value = threshold + 1 if rule.operator in {"gt", "gte", "eq"} else threshold - 1
            if rule.operator == "eq":
                value = threshold
            previous = Decimal(answers.get(question.code, "0"))
            answers[question.code] = str(max(value, previous))
        elif rule.operator == Rule.Operator.NE:
            answers[question.code] = "no" if rule.value == "yes" else "yes"
    return {code: value for code, value in answers.items() if value}


def count(body: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}"[^>]*>(\d+)<', body)
    assert match, f"#{element_id} not found"
    return int(match.group(1))


# ---------------------------------------------------------------- questionnaire and plan


def test_bundle_list_links_every_published_bundle(client: Client, pagetest: Bundle) -> None:
    body = client.get(reverse("bundles:list")).content.decode()
    for bundle in Bundle.objects.filter(is_published=True):
        assert reverse("bundles:detail", args=[bundle.code]) in body


def test_bundle_page_renders_the_questionnaire(client: Client, pagetest: Bundle) -> None:
    response = client.get(reverse("bundles:detail", args=["pagetest"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="questionnaire"' in body
    assert 'hx-get="/bundles/pagetest/plan/"' in body
    assert 'method="get" action="/bundles/pagetest/"' in body
    # a radio group with a legend per yes/no and choice question
    assert "<legend>是否提供餐饮？</legend>" in body
    assert 'type="radio" id="answer-meals-2" name="meals" value="meals"' in body
    assert "<legend>是否选择告知承诺办理？</legend>" in body
    assert 'name="promise" value="yes"' in body
    # a labelled number input with its unit
    assert '<label for="answer-rooms">客房数量</label>' in body
    assert 'type="number" id="answer-rooms" name="rooms"' in body
    assert '<span class="unit">间</span>' in body
    # the plan is there without JavaScript
    assert count(body, "plan-item-count") == 1


def test_every_question_input_has_a_label(client: Client, pagetest: Bundle) -> None:
    body = client.get(reverse("bundles:detail", args=["pagetest"])).content.decode()
    for input_id in re.findall(r'<input type="(?:radio|number)" id="([^"]+)"', body):
        assert f'for="{input_id}"' in body, input_id


def test_answers_in_the_query_string_select_items_and_stay_selected(client: Client, pagetest: Bundle) -> None:
    response = client.get(reverse("bundles:detail", args=["pagetest"]), {"meals": "meals", "rooms": "12"})
    body = response.content.decode()
    assert count(body, "plan-item-count") == 2
    assert count(body, "plan-department-count") == 2
    assert 'value="meals" checked' in body
    assert 'value="12"' in body
    assert "页面测试食品经营许可" in body
    assert "须先取得《页面测试公共场所卫生许可》的结果" in body
    assert "您对“是否提供餐饮？”选择了“提供正餐”" in body


def test_plan_partial_reports_the_reduction(client: Client, pagetest: Bundle) -> None:
    response = client.get(
        reverse("bundles:plan", args=["pagetest"]),
        {"meals": "meals", "promise": "yes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert count(body, "plan-forms-before") == 2
    assert count(body, "plan-forms-after") == 1
    assert count(body, "plan-fields-before") == 3
    assert count(body, "plan-fields-after") == 2
    assert count(body, "plan-materials-before") == 5
    assert count(body, "plan-upload-count") == 1
    assert count(body, "plan-shared-count") == 1
    assert count(body, "plan-commitment-count") == 1
    assert count(body, "plan-serial-days") == 8
    assert count(body, "plan-parallel-days") == 8  # the food permit waits for the hygiene permit
    assert 'id="materials-upload"' in body
    assert "页面测试卫生管理制度" in body
    # links to the notice and the commitment carry the same answers
    assert 'href="/bundles/pagetest/notice/?meals=meals&amp;promise=yes"' in body
    assert 'href="/bundles/pagetest/commitment/?meals=meals&amp;promise=yes"' in body
    # the address bar follows the answers, so it can be shared
    assert response["HX-Replace-Url"] == "/bundles/pagetest/?meals=meals&promise=yes"


def test_hotel_plan_grows_from_3_items_to_9_with_all_yes_answers(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    url = reverse("bundles:plan", args=["hotel"])
    unanswered = client.get(url, HTTP_HX_REQUEST="true")
    assert count(unanswered.content.decode(), "plan-item-count") == 3
    answers = answers_selecting_every_item(hotel)
    everything = client.get(url, answers, HTTP_HX_REQUEST="true")
    body = everything.content.decode()
    assert count(body, "plan-item-count") == 9
    assert count(body, "plan-department-count") == plan_for("hotel", answers).summary.departments
    assert count(body, "plan-forms-before") == 9
    assert count(body, "plan-forms-after") == 1
    for bundle_item in hotel.bundle_items.exclude(item__code="prepackaged_food_filing").select_related(
        "item"
    ):
        assert bundle_item.item.name in body
    assert "仅销售预包装食品备案" not in body, (
        "with meals served, the food business licence replaces the filing"
    )


def test_hotel_selling_only_prepackaged_food_files_instead_of_licensing(client: Client) -> None:
    """Pre-packaged food only needs a filing (食品经营许可和备案管理办法): the plan lists it in the
    same application, at 市场监管, instead of the food business licence."""
    url = reverse("bundles:plan", args=["hotel"])
    body = client.get(url, {"food": "prepackaged"}, HTTP_HX_REQUEST="true").content.decode()

    assert count(body, "plan-item-count") == 4
    assert "仅销售预包装食品备案" in body
    assert "食品经营许可" not in body.replace("仅销售预包装食品", "")
    plan = plan_for("hotel", {"food": "prepackaged"})
    assert [p.item.code for p in plan.items if p.item.department.code == "429006-scjg"] == [
        "prepackaged_food_filing"
    ]


def test_hotel_page_without_javascript_shows_the_same_plan(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    answers = answers_selecting_every_item(hotel)
    full_page = client.get(reverse("bundles:detail", args=["hotel"]), answers).content.decode()
    partial = client.get(reverse("bundles:plan", args=["hotel"]), answers).content.decode()
    for element_id in ("plan-item-count", "plan-upload-count", "plan-fields-after", "plan-parallel-days"):
        assert count(full_page, element_id) == count(partial, element_id)


# ---------------------------------------------------------------- invalid answers and unknown bundles


def test_invalid_answers_show_chinese_messages_next_to_the_questions(
    client: Client, pagetest: Bundle
) -> None:
    response = client.get(reverse("bundles:detail", args=["pagetest"]), {"meals": "caviar", "rooms": "9999"})
    assert response.status_code == 200
    body = response.content.decode()
    meals_error = re.search(r'<div id="error-meals"[^>]*>(.*?)</div>', body, re.S)
    rooms_error = re.search(r'<div id="error-rooms"[^>]*>(.*?)</div>', body, re.S)
    assert meals_error
    assert "只能从以下选项中选择：不提供、提供正餐" in meals_error.group(1)
    assert rooms_error
    assert "不能大于 500" in rooms_error.group(1)
    assert 'aria-invalid="true"' in body
    assert "部分回答无效" in body
    # the rest of the page still works: a plan from the valid answers
    assert count(body, "plan-item-count") == 1


def test_invalid_answers_in_the_htmx_partial_are_200_with_out_of_band_messages(
    client: Client, pagetest: Bundle
) -> None:
    response = client.get(
        reverse("bundles:plan", args=["pagetest"]),
        {"promise": "perhaps", "bogus": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(
        r'<div id="error-promise" class="question-error" hx-swap-oob="true"><p class="field-error">[^<]*请回答“是”或“否”',
        body,
    )
    assert '<div id="general-problems" hx-swap-oob="true">' in body
    assert "没有编码为“bogus”的问题" in body
    # a question that is fine gets its old message cleared
    assert '<div id="error-meals" class="question-error" hx-swap-oob="true"></div>' in body


@pytest.mark.parametrize(
    "query",
    [
        {"rooms": "abc"},
        {"rooms": "1e999999"},
        {"rooms": "NaN"},
        {"rooms": "-1"},
        {"meals": ""},
        {"promise": "是"},
        {"x" * 300: "y" * 3000},
    ],
)
def test_hand_edited_queries_never_fail(client: Client, pagetest: Bundle, query: dict[str, str]) -> None:
    for name in ("detail", "plan"):
        assert client.get(reverse(f"bundles:{name}", args=["pagetest"]), query).status_code == 200
    for name in ("notice", "commitment", "notice_pdf"):
        assert client.get(reverse(f"bundles:{name}", args=["pagetest"]), query).status_code in {200, 302}


def test_unknown_bundle_is_a_chinese_404(client: Client) -> None:
    for name in ("detail", "plan", "notice", "notice_pdf", "commitment"):
        response = client.get(reverse(f"bundles:{name}", args=["no-such-bundle"]))
        assert response.status_code == 404
        body = response.content.decode()
        assert "没有找到“no-such-bundle”这个一业一证主题" in body
        assert '<html lang="zh-Hans">' in body


def test_unpublished_bundle_is_a_404(client: Client, pagetest: Bundle) -> None:
    Bundle.objects.filter(pk=pagetest.pk).update(is_published=False)
    assert client.get(reverse("bundles:detail", args=["pagetest"])).status_code == 404


# ---------------------------------------------------------------- notice and commitment


def test_notice_with_invalid_answers_sends_the_applicant_back_to_correct_them(
    client: Client, pagetest: Bundle
) -> None:
    response = client.get(reverse("bundles:notice", args=["pagetest"]), {"rooms": "abc"})
    assert response.status_code == 302
    assert response["Location"] == "/bundles/pagetest/?rooms=abc"


def test_notice_lists_answers_items_conditions_and_every_material(client: Client, pagetest: Bundle) -> None:
    answers = {"meals": "meals", "promise": "no", "rooms": "8"}
    response = client.get(reverse("bundles:notice", args=["pagetest"]), answers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "提供正餐" in body
    assert "8 间" in body
    assert "页面测试受理条件：卫生设施齐全。" in body
    assert "页面测试受理条件：有与经营相适应的场所。" in body
    assert "页面测试一业一证 一单告知" in body
    plan = plan_for("pagetest", answers)
    for material in plan.materials:
        assert material.material.name in body
        assert material.disposition_reason in body
    assert "天门市政务服务中心" in body
    assert "0728-5300001" in body
    assert "window.print()" in body


def test_hotel_notice_lists_every_upload_material(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    answers = answers_selecting_every_item(hotel)
    body = client.get(reverse("bundles:notice", args=["hotel"]), answers).content.decode()
    plan = plan_for("hotel", answers)
    assert plan.uploads
    for material in plan.uploads:
        assert f'<th scope="row" class="material-name">{material.material.name}</th>' in body
    for plan_item in plan.items:
        assert plan_item.item.name in body


def test_commitment_letter_contains_every_committed_clause(client: Client, pagetest: Bundle) -> None:
    answers = {"meals": "meals", "promise": "yes"}
    response = client.get(reverse("bundles:commitment", args=["pagetest"]), answers)
    assert response.status_code == 200
    body = response.content.decode()
    plan = plan_for("pagetest", answers)
    assert plan.commitment
    for clause in plan.commitment:
        assert clause.text in body
    assert "本单位承诺开业前达到公共场所卫生标准（页面测试）。" in body
    assert "本单位已建立卫生管理制度并在开业前落实。" in body
    assert "关于《页面测试公共场所卫生许可》" in body
    # the preamble states what a false commitment leads to
    assert "撤销" in body
    assert "信用" in body
    assert "日期" in body


def test_hotel_commitment_contains_each_committed_items_clause(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    answers = answers_selecting_every_item(hotel)
    body = client.get(reverse("bundles:commitment", args=["hotel"]), answers).content.decode()
    plan = plan_for("hotel", answers)
    committed = [p for p in plan.items if p.commitment and p.item.commitment_clause]
    assert committed, "the hotel bundle has items under the commitment system"
    for plan_item in committed:
        assert plan_item.item.commitment_clause in body
    for clause in plan.commitment:
        assert clause.text in body
    assert all(m.disposition in Disposition.LABELS for m in plan.materials)


def test_commitment_without_choosing_it_says_so_and_links_back(client: Client, pagetest: Bundle) -> None:
    response = client.get(reverse("bundles:commitment", args=["pagetest"]), {"promise": "no"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="no-commitment"' in body
    assert "无需签署告知承诺书" in body
    assert "是否选择告知承诺办理？" in body
    assert 'href="/bundles/pagetest/?promise=no"' in body


@pytest.mark.django_db
def test_the_notice_page_dates_itself_in_the_readers_language(client: Client) -> None:
    chinese = client.get("/bundles/hotel/notice/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/bundles/hotel/notice/").content.decode()

    def meta(html: str) -> str:
        found = re.search(r'<p class="doc-meta">(.*?)</p>', html, re.S)
        assert found is not None
        return found.group(1)

    assert re.search(r"生成于 \d{4}年\d{1,2}月\d{1,2}日", meta(chinese))
    assert re.search(r"Generated on \d{1,2} [A-Z][a-z]+ \d{4}", meta(english)), meta(english)


@pytest.mark.django_db
def test_the_english_plan_joins_the_options_a_rule_names_with_or(client: Client) -> None:
    client.cookies["django_language"] = "en"
    content = client.get(reverse("bundles:detail", args=["hotel"]), {"food": "meals"}).content.decode()

    assert "提供正餐（设餐厅）" in content  # the options are data, shown as written
    assert "提供早餐或提供正餐" not in content
    assert re.search(r"提供早餐[^<]{0,20} or 提供正餐", content)

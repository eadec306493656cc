"""Finding an item in the catalogue by Chinese words, and narrowing by department and level."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.catalog.models import Department, Region, ServiceItem
from onewindow.catalog.search import reset_index, search_items, tokenize

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    # Each test rolls its rows back; a stale in-process index must not leak between tests.
    reset_index()
    yield
    reset_index()


def names(response: Any) -> list[str]:
    return [item.name for item in response.context["items"]]


def make_item(code: str, name: str, department: Department, **extra: object) -> ServiceItem:
    values: dict[str, object] = {
        "item_type": ServiceItem.ItemType.LICENSING,
        "level": ServiceItem.Level.CITY,
        "legal_basis": "《测试条例》",
        "conditions": "符合条件。",
        "statutory_limit_days": 20,
        "promised_limit_days": 5,
        "case_type": ServiceItem.CaseType.PROMISED,
        "result_name": f"{name}决定书",
    }
    values.update(extra)
    return ServiceItem.objects.create(code=code, name=name, department=department, **values)


@pytest.fixture
def searchtest_department() -> Department:
    return Department.objects.create(
        code="searchtest-dept",
        name="天门市检索测试局",
        short_name="检索局",
        region=Region.objects.get(code="429006"),
    )


@pytest.mark.parametrize(
    ("query", "expected_word"),
    [
        ("卫生许可", "卫生"),
        ("游泳", "游泳"),
        ("烟草", "烟草"),
        ("开餐馆食品经营", "食品"),
    ],
)
def test_seeded_catalogue_finds_the_item_by_its_chinese_words(
    client: Client, query: str, expected_word: str
) -> None:
    response = client.get(reverse("public:item_list"), {"q": query})
    assert response.status_code == 200
    found = names(response)
    assert found, f"“{query}”没有找到任何事项"
    assert expected_word in found[0]


def test_word_in_the_name_outranks_the_same_word_in_the_legal_basis(
    client: Client, searchtest_department: Department
) -> None:
    make_item(
        "searchtest-basis", "检索测试甲事项", searchtest_department, legal_basis="《检索测试潜水条例》第三条"
    )
    make_item("searchtest-name", "检索测试潜水场所许可", searchtest_department)
    response = client.get(reverse("public:item_list"), {"q": "潜水"})
    assert names(response)[:2] == ["检索测试潜水场所许可", "检索测试甲事项"]


def test_department_name_and_result_name_are_searched(
    client: Client, searchtest_department: Department
) -> None:
    make_item("searchtest-result", "检索测试乙事项", searchtest_department, result_name="检索测试蹦极证")
    assert names(client.get(reverse("public:item_list"), {"q": "蹦极"})) == ["检索测试乙事项"]
    by_department = names(client.get(reverse("public:item_list"), {"q": "检索测试局"}))
    assert "检索测试乙事项" in by_department


def test_an_edit_in_the_admin_shows_up_in_the_next_search(
    client: Client, searchtest_department: Department
) -> None:
    item = make_item("searchtest-edit", "检索测试丙事项", searchtest_department)
    assert names(client.get(reverse("public:item_list"), {"q": "丙事项"}))[0] == "检索测试丙事项"
    # Same length, so only the admin's change log tells the index it is stale.
    ServiceItem.objects.filter(pk=item.pk).update(name="检索测试丁事项")
    LogEntry.objects.log_actions(
        user_id=User.objects.get(username="admin").pk,
        queryset=ServiceItem.objects.filter(pk=item.pk),
        action_flag=CHANGE,
    )
    assert names(client.get(reverse("public:item_list"), {"q": "丁事项"}))[0] == "检索测试丁事项"
    assert "检索测试丙事项" not in names(client.get(reverse("public:item_list"), {"q": "丙事项"}))


def test_unpublished_items_are_not_found(client: Client, searchtest_department: Department) -> None:
    make_item("searchtest-hidden", "检索测试隐藏事项", searchtest_department, is_published=False)
    assert search_items("检索测试隐藏") == []
    assert names(client.get(reverse("public:item_list"), {"q": "检索测试隐藏"})) == []


def test_department_filter_narrows_the_results(client: Client, searchtest_department: Department) -> None:
    make_item("searchtest-filter", "检索测试卫生许可", searchtest_department)
    everything = names(client.get(reverse("public:item_list"), {"q": "卫生许可"}))
    narrowed = names(
        client.get(reverse("public:item_list"), {"q": "卫生许可", "department": searchtest_department.code})
    )
    assert narrowed == ["检索测试卫生许可"]
    assert len(everything) > len(narrowed)


def test_level_filter_narrows_the_list_and_stays_in_the_page_links(
    client: Client, searchtest_department: Department
) -> None:
    for number in range(25):
        make_item(
            f"searchtest-town-{number:02d}",
            f"检索测试乡镇事项{number:02d}",
            searchtest_department,
            level="township",
        )
    response = client.get(reverse("public:item_list"), {"level": "township"})
    assert (
        response.context["search"].total
        == ServiceItem.objects.filter(level="township", is_published=True).count()
    )
    assert all(item.level == "township" for item in response.context["items"])
    assert len(response.context["items"]) == 20
    assert "level=township&amp;page=2" in response.content.decode()
    second = client.get(reverse("public:item_list"), {"level": "township", "page": "2"})
    assert all(item.level == "township" for item in second.context["items"])


def test_no_result_says_what_to_try(client: Client) -> None:
    response = client.get(reverse("public:item_list"), {"q": "火星移民签证"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="empty-state"' in body
    assert "换一个更短或更常用的词" in body
    assert "12345" in body


def test_unknown_filters_and_pages_do_not_fail(client: Client) -> None:
    response = client.get(reverse("public:item_list"), {"department": "nope", "level": "galaxy", "page": "x"})
    assert response.status_code == 200
    assert response.context["search"].department is None
    assert response.context["search"].level == ""


def test_tokenizer_keeps_chinese_words_and_bigrams() -> None:
    tokens = tokenize("公共场所卫生许可")
    assert "卫生" in tokens
    assert "许可" in tokens
    assert "生许" in tokens  # bigram: keeps the phrase "卫生许可" together
    assert tokenize("，。的") == []

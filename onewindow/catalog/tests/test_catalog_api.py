"""The catalogue API (departments, regions, service items) and what every /api/v1 address shares."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path
from ninja import Field, Schema

from onewindow.api import build_api
from onewindow.bundles.transfer import bundle_import
from onewindow.catalog.models import Department, ServiceItem

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Two departments and three items of their own, so filters can be checked exactly.
CATALOGUE_YAML = """\
format: onewindow.bundle/1
departments:
  - {code: cattest-market, name: 天门市测试市场监督管理局, short_name: 测试市场局, region: "429006", phone: 0728-5000002}
  - {code: cattest-tobacco, name: 天门市测试烟草专卖局, short_name: 测试烟草局, region: "429006"}
materials:
  - {code: cattest-licence, name: 营业执照, government_held: true, shared_licence_type: 营业执照}
  - code: cattest-rules
    name: 食品安全管理制度
    description: 本单位制定的食品安全管理制度文本。
    commitment_replaceable: true
    commitment_clause: 本单位已建立食品安全管理制度。
fields:
  - {code: cattest-name, label: 经营者名称, type: text, max_length: 100}
  - {code: cattest-area, label: 经营场所面积, type: area, min_value: 1, max_value: 99999}
  - {code: cattest-kind, label: 经营项目, type: choice, choices: [预包装食品销售, 热食类食品制售]}
items:
  - code: cattest-food
    name: 测试食品经营许可
    type: licensing
    level: county
    department: cattest-market
    legal_basis: 《中华人民共和国食品安全法》第三十五条
    conditions: 具有与经营的食品品种、数量相适应的经营场所。
    statutory_limit_days: 10
    statutory_extension_days: 5
    promised_limit_days: 3
    case_type: promised
    supports_commitment: true
    result_name: 食品经营许可证
    result_validity_years: 5
    consult_phone: 0728-5000002
    steps:
      - {name: 受理, actor: 综合窗口, limit_days: 1}
      - {name: 审查, actor: 审批科, limit_days: 2}
    materials:
      - {material: cattest-licence}
      - {material: cattest-rules, originals: 1, copies: 0, commitment_replaceable: true}
    form:
      - {field: cattest-name}
      - {field: cattest-area, required: false}
      - {field: cattest-kind, conditional: true}
  - code: cattest-hygiene
    name: 测试公共场所卫生许可
    type: licensing
    level: township
    department: cattest-market
    legal_basis: 《公共场所卫生管理条例》第八条
    conditions: 卫生设施符合标准。
    statutory_limit_days: 20
    promised_limit_days: 5
    result_name: 公共场所卫生许可证
  - code: cattest-tobacco-retail
    name: 测试烟草专卖零售许可
    type: licensing
    level: city
    department: cattest-tobacco
    legal_basis: 《中华人民共和国烟草专卖法》
    conditions: 有与经营规模相适应的资金。
    statutory_limit_days: 20
    promised_limit_days: 10
    result_name: 烟草专卖零售许可证
"""


@pytest.fixture
def catalogue(db: None) -> None:
    bundle_import(CATALOGUE_YAML)


def item_codes(client: Client, query: str) -> list[str]:
    response = client.get(f"/api/v1/items?{query}")
    assert response.status_code == 200, response.content.decode()
    return [item["code"] for item in response.json()["items"]]


# ---------------------------------------------------------------- departments


def test_the_seeded_departments_are_listed_with_chinese_names(client: Client, db: None) -> None:
    departments = client.get("/api/v1/departments").json()
    assert len(departments) == Department.objects.count() > 0
    for department in departments:
        assert set(department) == {"code", "name", "short_name", "region", "uscc", "phone"}
        assert CHINESE.search(department["name"]), department


def test_a_department_shows_its_region_and_published_items(client: Client, catalogue: None) -> None:
    ServiceItem.objects.filter(code="cattest-hygiene").update(is_published=False)
    department = client.get("/api/v1/departments/cattest-market").json()
    assert department == {
        "code": "cattest-market",
        "name": "天门市测试市场监督管理局",
        "short_name": "测试市场局",
        "region": {"code": "429006", "name": "天门市"},
        "uscc": "",
        "phone": "0728-5000002",
        "items": [{"code": "cattest-food", "name": "测试食品经营许可"}],
    }


def test_an_unknown_department_is_a_404_in_chinese(client: Client, db: None) -> None:
    response = client.get("/api/v1/departments/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "没有找到编码为“nowhere”的部门，请核对编码，或从列表接口中选择。",
        "errors": [],
    }


# ---------------------------------------------------------------- regions


def test_the_townships_of_tianmen(client: Client, db: None) -> None:
    regions = client.get("/api/v1/regions?parent=429006").json()
    assert len(regions) == 28
    assert {r["level"] for r in regions} == {"township"}
    assert regions[0] == {
        "code": "429006001",
        "name": "竟陵街道",
        "level": "township",
        "level_label": "乡镇（街道）级",
        "parent": {"code": "429006", "name": "天门市"},
    }
    assert "多宝镇" in [r["name"] for r in regions]


def test_regions_by_level(client: Client, db: None) -> None:
    assert [r["name"] for r in client.get("/api/v1/regions?level=city").json()] == ["天门市"]
    assert client.get("/api/v1/regions?level=village&parent=429006").json() == []
    assert len(client.get("/api/v1/regions").json()) == 30


def test_one_region_and_an_unknown_one(client: Client, db: None) -> None:
    assert client.get("/api/v1/regions/420000").json() == {
        "code": "420000",
        "name": "湖北省",
        "level": "province",
        "level_label": "省级",
        "parent": None,
    }
    response = client.get("/api/v1/regions/429999")
    assert response.status_code == 404
    assert response.json()["message"] == "没有找到编码为“429999”的行政区划，请核对编码，或从列表接口中选择。"


def test_an_unknown_level_is_refused_in_chinese(client: Client, db: None) -> None:
    response = client.get("/api/v1/regions?level=galaxy")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_query"
    assert body["errors"] == [
        {
            "field": "level",
            "code": "enum",
            "message": "“层级（level）”只能是以下之一：province、city、township、village。",
        }
    ]


# ---------------------------------------------------------------- service items


def test_items_are_paginated_with_a_total(client: Client, catalogue: None) -> None:
    total = ServiceItem.objects.filter(is_published=True).count()
    first = client.get("/api/v1/items?limit=2").json()
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (total, 2, 0, 2)
    rest = client.get("/api/v1/items?limit=100&offset=2").json()
    assert rest["count"] == total
    assert len(rest["items"]) == total - 2
    codes = [i["code"] for i in first["items"] + rest["items"]]
    assert len(set(codes)) == total
    assert client.get(f"/api/v1/items?offset={total}").json()["items"] == []


def test_an_item_in_the_list(client: Client, catalogue: None) -> None:
    [item] = client.get("/api/v1/items?department=cattest-tobacco").json()["items"]
    assert item == {
        "code": "cattest-tobacco-retail",
        "name": "测试烟草专卖零售许可",
        "item_type": "licensing",
        "item_type_label": "行政许可",
        "level": "city",
        "level_label": "市级",
        "department": {"code": "cattest-tobacco", "name": "天门市测试烟草专卖局", "short_name": "测试烟草局"},
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "case_type": "promised",
        "case_type_label": "承诺件",
        "supports_commitment": False,
        "commitment_limit_days": None,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("department=cattest-market", ["cattest-food", "cattest-hygiene"]),
        ("department=cattest-market&level=township", ["cattest-hygiene"]),
        ("department=cattest-market&q=食品", ["cattest-food"]),
        ("q=测试烟草", ["cattest-tobacco-retail"]),
        ("q=%20测试烟草%20", ["cattest-tobacco-retail"]),
        ("department=cattest-tobacco&level=county", []),
        ("department=nowhere", []),
    ],
)
def test_items_are_filtered(client: Client, catalogue: None, query: str, expected: list[str]) -> None:
    assert sorted(item_codes(client, query)) == expected


def test_unpublished_items_are_neither_listed_nor_shown(client: Client, catalogue: None) -> None:
    ServiceItem.objects.filter(code="cattest-hygiene").update(is_published=False)
    assert item_codes(client, "department=cattest-market") == ["cattest-food"]
    assert client.get("/api/v1/items/cattest-hygiene").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=101", "limit", "less_than_equal"),
        ("limit=ten", "limit", "int_parsing"),
        ("offset=-1", "offset", "greater_than_equal"),
        ("level=planet", "level", "enum"),
        ("q=" + "很" * 51, "q", "string_too_long"),
    ],
)
def test_bad_list_parameters_are_refused_in_chinese(
    client: Client, db: None, query: str, field: str, code: str
) -> None:
    response = client.get(f"/api/v1/items?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_query"
    [error] = body["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert CHINESE.search(error["message"])
    assert f"（{field}）" in error["message"]
    assert error["message"] in body["message"]


def test_the_full_guide_of_an_item(client: Client, catalogue: None) -> None:
    guide = client.get("/api/v1/items/cattest-food").json()
    item = ServiceItem.objects.get(code="cattest-food")
    model_fields = {f.name for f in ServiceItem._meta.concrete_fields} - {"id", "department", "is_published"}
    assert model_fields <= set(guide)
    assert guide["name"] == "测试食品经营许可"
    assert guide["department"]["name"] == "天门市测试市场监督管理局"
    assert (
        guide["statutory_limit_days"],
        guide["statutory_extension_days"],
        guide["promised_limit_days"],
    ) == (10, 5, 3)
    assert guide["legal_basis"] == item.legal_basis
    assert guide["result_validity_years"] == 5
    assert guide["steps"] == [
        {"order": 1, "name": "受理", "actor": "综合窗口", "limit_days": 1},
        {"order": 2, "name": "审查", "actor": "审批科", "limit_days": 2},
    ]
    licence, rules = guide["materials"]
    assert licence["code"] == "cattest-licence"
    assert (licence["requirement"], licence["government_held"], licence["commitment_replaceable"]) == (
        "required",
        True,
        False,
    )
    assert rules == {
        "code": "cattest-rules",
        "name": "食品安全管理制度",
        "description": "本单位制定的食品安全管理制度文本。",
        "requirement": "required",
        "requirement_label": "必须提供",
        "condition_note": "",
        "originals": 1,
        "copies": 0,
        "government_held": False,
        "shared_licence_type": "",
        "commitment_replaceable": True,
        "commitment_clause": "本单位已建立食品安全管理制度。",
        "blank_form_note": "",
    }
    name, area, kind = guide["form"]
    assert (name["code"], name["type"], name["required"], name["max_length"]) == (
        "cattest-name",
        "text",
        True,
        100,
    )
    assert (area["type_label"], area["required"], area["min_value"], area["max_value"]) == (
        "面积（平方米）",
        False,
        1.0,
        99999.0,
    )
    assert (kind["type"], kind["conditional"], kind["choices"]) == (
        "choice",
        True,
        ["预包装食品销售", "热食类食品制售"],
    )


def test_an_unknown_item_is_a_404_in_chinese(client: Client, db: None) -> None:
    response = client.get("/api/v1/items/no-such-item")
    assert response.status_code == 404
    assert (
        response.json()["message"]
        == "没有找到编码为“no-such-item”的政务服务事项，请核对编码，或从列表接口中选择。"
    )


def test_list_and_guide_queries_do_not_grow_with_the_rows(
    client: Client, catalogue: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        client.get("/api/v1/items?limit=100")
    with django_assert_max_num_queries(4):
        client.get("/api/v1/items/cattest-food")
    with django_assert_max_num_queries(1):
        client.get("/api/v1/departments")
    with django_assert_max_num_queries(1):
        client.get("/api/v1/regions")


# ---------------------------------------------------------------- the API as a whole

# An API built like the real one, with an endpoint taking a schema body (the real ones take none),
# served by this module's URLs in the tests that override ROOT_URLCONF.


class Greeting(Schema):
    name: str = Field(max_length=10)
    times: int = Field(ge=1)


body_api = build_api(title="body test", version="test", urls_namespace="body-test")


@body_api.post("/greet")
def greet(request: HttpRequest, payload: Greeting) -> dict[str, str]:
    return {"greeting": "你好，" + payload.name * payload.times}


urlpatterns = [path("body-test/", body_api.urls)]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("body", "fields", "codes"),
    [
        ("not json", ["body"], ["invalid_body"]),
        ("[1, 2]", ["body"], ["invalid_body"]),
        ('{"times": 1}', ["name"], ["missing"]),
        (
            '{"name": "很长很长很长很长很长很长", "times": 0}',
            ["name", "times"],
            ["string_too_long", "greater_than_equal"],
        ),
        ('{"name": 7, "times": "x"}', ["name", "times"], ["string_type", "int_parsing"]),
    ],
)
def test_a_bad_schema_body_is_refused_in_chinese(body: str, fields: list[str], codes: list[str]) -> None:
    response = Client().post("/body-test/greet", body, content_type="application/json")
    assert response.status_code == 422
    result = response.json()
    assert result["code"] == "invalid_body"
    assert [e["field"] for e in result["errors"]] == fields
    assert [e["code"] for e in result["errors"]] == codes
    for error in result["errors"]:
        assert CHINESE.search(error["message"])
        assert error["message"] in result["message"]
    assert not re.search(r"Field required|should be|valid integer|Cannot parse", response.content.decode())


@override_settings(ROOT_URLCONF=__name__)
def test_a_good_schema_body_is_answered_in_readable_chinese() -> None:
    response = Client().post(
        "/body-test/greet", '{"name": "窗", "times": 2}', content_type="application/json"
    )
    assert response.status_code == 200
    assert response.content.decode() == '{"greeting": "你好，窗窗"}'


def test_an_unknown_address_is_a_json_404(client: Client, db: None) -> None:
    for address in ("/api/v1/", "/api/v1/licences", "/api/v1/items/cattest-food/extra"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert response.json()["code"] == "not_found"
        assert CHINESE.search(response.json()["message"])


def test_a_wrong_method_is_a_json_405(client: Client, db: None) -> None:
    response = client.delete("/api/v1/departments")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "code": "method_not_allowed",
        "message": response.json()["message"],
        "errors": [],
    }
    assert "DELETE" in response.json()["message"]


def test_the_openapi_document(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "一窗通办 API"
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) >= {
        "/api/v1/departments",
        "/api/v1/departments/{code}",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
        "/api/v1/bundles/{code}/plan",
    }
    assert "ErrorOut" in schema["components"]["schemas"]


def test_the_docs_page_works_offline(client: Client, db: None) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "一窗通办 API" in html
    assert "/api/v1/openapi.json" in html
    # Every script and style comes from this server, none from a CDN.
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(sources) == 4
    assert all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert b"".join(asset.streaming_content)  # type: ignore[attr-defined]
    assert client.get("/api/v1/docs/assets/settings.py").status_code == 404

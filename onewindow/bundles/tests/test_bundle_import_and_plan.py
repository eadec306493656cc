"""A new industry created entirely through an import, with no code, then planned through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.bundles.models import Bundle, Dependency, Question, Rule
from onewindow.bundles.transfer import ImportFailed, bundle_import
from onewindow.catalog.models import Department, Field, Material, ServiceItem

IMPORT_URL = "/admin/bundles/bundle/import/"

# A gym with an optional swimming pool: three departments, three items, two questions.
# Nothing here exists in the seeded city; every code starts with "gymtest-".
GYM_YAML = """\
format: onewindow.bundle/1
departments:
  - {code: gymtest-sport, name: 天门市体育事业发展中心, short_name: 市体育中心, region: "429006", phone: 0728-5000001}
  - {code: gymtest-health, name: 天门市卫生健康监督所, short_name: 市卫生监督所, region: "429006"}
  - {code: gymtest-fire, name: 天门市消防救援支队, short_name: 市消防支队, region: "429006"}
materials:
  - {code: gymtest-licence, name: 营业执照, government_held: true, shared_licence_type: 营业执照}
  - {code: gymtest-id-card, name: 法定代表人身份证, government_held: true, shared_licence_type: 居民身份证}
  - {code: gymtest-floor-plan, name: 经营场所平面图}
  - {code: gymtest-water-report, name: 游泳池水质检测报告}
  - {code: gymtest-coach-cert, name: 社会体育指导人员职业资格证书}
  - {code: gymtest-rescue-cert, name: 救生员职业资格证书}
  - code: gymtest-safety-plan
    name: 安全保障制度和措施
    commitment_replaceable: true
    commitment_clause: 本单位已建立安全生产岗位责任制度、安全操作规程和突发事件应急预案。
  - {code: gymtest-fire-report, name: 消防设施检测报告}
fields:
  - {code: gymtest-company, label: 单位名称, type: text, max_length: 100}
  - {code: gymtest-uscc, label: 统一社会信用代码, type: uscc}
  - {code: gymtest-address, label: 经营场所地址, type: address}
  - {code: gymtest-area, label: 建筑面积, type: area, min_value: 1, max_value: 100000}
  - {code: gymtest-pool-area, label: 游泳池水面面积, type: area, min_value: 1}
  - {code: gymtest-phone, label: 联系电话, type: phone}
items:
  - code: gymtest-hygiene
    name: 公共场所卫生许可（健身场所）
    type: licensing
    level: county
    department: gymtest-health
    legal_basis: 《公共场所卫生管理条例》第八条
    conditions: 场所布局、卫生设施符合公共场所卫生标准。
    statutory_limit_days: 20
    promised_limit_days: 5
    result_name: 公共场所卫生许可证
    result_validity_years: 4
    steps:
      - {name: 受理, actor: 综合窗口, limit_days: 1}
      - {name: 审查, actor: 卫生监督员, limit_days: 4}
    materials:
      - {material: gymtest-licence}
      - {material: gymtest-id-card}
      - {material: gymtest-floor-plan, copies: 2}
      - {material: gymtest-water-report, requirement: conditional, condition_note: 设有游泳池的}
    form:
      - {field: gymtest-company}
      - {field: gymtest-uscc}
      - {field: gymtest-address}
      - {field: gymtest-area}
  - code: gymtest-swim
    name: 经营高危险性体育项目许可（游泳）
    type: licensing
    level: county
    department: gymtest-sport
    legal_basis: 《全民健身条例》第三十二条
    conditions: 有符合标准的场地、设施，有社会体育指导人员和救生人员。
    statutory_limit_days: 30
    promised_limit_days: 10
    supports_commitment: true
    commitment_clause: 本单位承诺游泳场所配备足额的社会体育指导人员和救生人员。
    site_check_required: true
    result_name: 高危险性体育项目经营许可证
    materials:
      - {material: gymtest-licence}
      - {material: gymtest-id-card}
      - {material: gymtest-coach-cert, originals: 1}
      - {material: gymtest-rescue-cert, originals: 1}
      - {material: gymtest-safety-plan}
      - {material: gymtest-floor-plan}
    form:
      - {field: gymtest-company}
      - {field: gymtest-uscc}
      - {field: gymtest-address}
      - {field: gymtest-pool-area}
      - {field: gymtest-phone}
  - code: gymtest-fire-check
    name: 公众聚集场所投入使用、营业前消防安全检查（健身场所）
    type: licensing
    level: county
    department: gymtest-fire
    legal_basis: 《中华人民共和国消防法》第十五条
    conditions: 消防设施、器材符合国家标准。
    statutory_limit_days: 10
    promised_limit_days: 7
    result_name: 公众聚集场所投入使用、营业前消防安全检查合格证
    materials:
      - {material: gymtest-licence}
      - {material: gymtest-id-card}
      - {material: gymtest-floor-plan}
      - {material: gymtest-fire-report}
    form:
      - {field: gymtest-company}
      - {field: gymtest-uscc}
      - {field: gymtest-address}
      - {field: gymtest-area}
      - {field: gymtest-phone}
bundle:
  code: gymtest
  name: 我要开健身房
  industry: 健身休闲
  lead_department: gymtest-sport
  licence_name: 健身场所综合许可证
  items: [gymtest-hygiene, gymtest-swim, gymtest-fire-check]
  questions:
    - {code: has_pool, text: 是否设有游泳池？, kind: yes_no}
    - {code: area, text: 经营场所建筑面积是多少？, kind: number, unit: 平方米, min_value: 1, max_value: 100000}
  rules:
    - {target: item, item: gymtest-swim, question: has_pool, operator: eq, value: "yes"}
    - {target: material, item: gymtest-hygiene, material: gymtest-water-report, question: has_pool, operator: eq, value: "yes"}
    - {target: item, item: gymtest-fire-check, question: area, operator: gte, value: "300"}
  dependencies:
    - {item: gymtest-swim, requires: gymtest-hygiene, note: 游泳场所须先取得公共场所卫生许可}
"""

GYM_CODES: dict[type[Department | ServiceItem | Material | Field | Bundle], list[str]] = {
    Department: ["gymtest-sport", "gymtest-health", "gymtest-fire"],
    ServiceItem: ["gymtest-hygiene", "gymtest-swim", "gymtest-fire-check"],
    Material: ["gymtest-licence", "gymtest-floor-plan", "gymtest-safety-plan"],
    Field: ["gymtest-company", "gymtest-pool-area"],
    Bundle: ["gymtest"],
}


def plan(client: Client, answers: dict[str, Any], code: str = "gymtest") -> Any:
    response = client.post(
        f"/api/v1/bundles/{code}/plan", {"answers": answers}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    return response.json()


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    assert client.login(username="admin", password="OneWindow-2026")
    return client


@pytest.fixture
def gym(admin_client: Client) -> None:
    """The gym bundle, imported as the administrator would: uploading the file on the admin import page."""
    upload = SimpleUploadedFile("gymtest.yaml", GYM_YAML.encode(), content_type="application/yaml")
    response = admin_client.post(IMPORT_URL, {"document": upload})
    assert response.status_code == 200, response.content.decode()
    assert response.context["errors"] == []
    assert response.context["report"].applied


def test_the_admin_import_page_creates_every_row_of_the_new_industry(gym: None) -> None:
    for model, codes in GYM_CODES.items():
        assert set(model.objects.filter(code__in=codes).values_list("code", flat=True)) == set(codes), model
    bundle = Bundle.objects.get(code="gymtest")
    assert bundle.questions.count() == 2
    assert bundle.rules.count() == 3
    assert Dependency.objects.filter(bundle=bundle).count() == 1


def test_the_imported_bundle_is_listed_with_its_questions(gym: None, client: Client) -> None:
    detail = client.get("/api/v1/bundles/gymtest").json()
    assert detail["name"] == "我要开健身房"
    assert [q["code"] for q in detail["questions"]] == ["has_pool", "area"]
    assert detail["questions"][1] == {
        "code": "area",
        "text": "经营场所建筑面积是多少？",
        "help": "",
        "kind": "number",
        "kind_label": "数字",
        "options": [],
        "unit": "平方米",
        "min": 1.0,
        "max": 100000.0,
    }
    assert detail["dependencies"] == [
        {"item": "gymtest-swim", "requires": "gymtest-hygiene", "note": "游泳场所须先取得公共场所卫生许可"}
    ]
    assert "gymtest" in [b["code"] for b in client.get("/api/v1/bundles").json()]


def test_without_answers_only_the_unconditional_item_applies(gym: None, client: Client) -> None:
    result = plan(client, {})
    assert [i["code"] for i in result["items"]] == ["gymtest-hygiene"]
    assert result["unanswered"] == ["has_pool", "area"]
    summary = result["summary"]
    assert (summary["items"], summary["departments"]) == (1, 1)
    # Licence and ID card come from the e-licence library; the floor plan is the one upload.
    assert (summary["materials_before"], summary["materials_after"], summary["materials_shared"]) == (3, 1, 2)
    assert [m["code"] for m in result["materials"] if m["disposition"] == "upload"] == ["gymtest-floor-plan"]


def test_a_pool_adds_the_sports_permit_after_the_hygiene_permit(gym: None, client: Client) -> None:
    result = plan(client, {"has_pool": True, "area": 120})
    items = {i["code"]: i for i in result["items"]}
    assert list(items) == ["gymtest-hygiene", "gymtest-swim"]
    assert items["gymtest-swim"]["prerequisites"] == ["gymtest-hygiene"]
    assert items["gymtest-swim"]["department"] == {"code": "gymtest-sport", "name": "天门市体育事业发展中心"}
    assert "是否设有游泳池？" in items["gymtest-swim"]["reason"]
    materials = {m["code"]: m for m in result["materials"]}
    assert materials["gymtest-water-report"]["disposition"] == "upload"
    # No commitment question: commitment applies wherever the item allows it.
    assert materials["gymtest-safety-plan"]["disposition"] == "commitment"
    assert {c["item"] for c in result["commitment"]} == {"gymtest-swim", None}
    # Hygiene (5) then the pool permit (10), one after the other.
    assert result["summary"]["parallel_days"] == 15


@pytest.mark.parametrize(
    ("area", "fire_check"),
    [(299, False), ("299.99", False), (300, True), ("300", True), (5000, True)],
)
def test_the_fire_check_starts_at_300_square_metres(
    gym: None, client: Client, area: int | str, fire_check: bool
) -> None:
    codes = [i["code"] for i in plan(client, {"has_pool": "no", "area": area})["items"]]
    assert ("gymtest-fire-check" in codes) is fire_check


def test_everything_answered_yes_gives_three_items_from_three_departments(gym: None, client: Client) -> None:
    summary = plan(client, {"has_pool": "yes", "area": 800})["summary"]
    assert summary == {
        "items": 3,
        "departments": 3,
        "forms_before": 3,
        "forms_after": 1,
        "fields_before": 14,
        "fields_after": 6,
        "materials_before": 14,
        "materials_after": 5,
        "materials_shared": 2,
        "materials_committed": 1,
        "serial_days": 22,
        "parallel_days": 15,
        "statutory_serial_days": 60,
    }


def test_answers_to_the_imported_questions_are_validated(gym: None, client: Client) -> None:
    response = client.post(
        "/api/v1/bundles/gymtest/plan",
        {"answers": {"has_pool": "maybe", "area": 0}},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["answers.has_pool"]["code"] == "not_yes_no"
    assert errors["answers.area"]["code"] == "below_minimum"
    assert "1平方米" in errors["answers.area"]["message"]


# ---------------------------------------------------------------- invalid documents


def broken_gym() -> str:
    """The gym document with three mistakes: an unknown department, promised > statutory, a cycle."""
    document = yaml.safe_load(GYM_YAML)
    document["items"][0]["department"] = "gymtest-nowhere"
    document["items"][1]["promised_limit_days"] = 45
    document["bundle"]["dependencies"].append({"item": "gymtest-hygiene", "requires": "gymtest-swim"})
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def assert_nothing_written() -> None:
    for model, codes in GYM_CODES.items():
        assert not model.objects.filter(code__in=codes).exists(), model


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["items"][0].update(department="gymtest-nowhere"),
            ["items[0].department", "gymtest-nowhere"],
        ),
        (
            lambda d: d["items"][1].update(promised_limit_days=45),
            ["items[1].promised_limit_days", "45", "30"],
        ),
        (
            lambda d: d["bundle"]["dependencies"].append(
                {"item": "gymtest-hygiene", "requires": "gymtest-swim"}
            ),
            ["bundle.dependencies", "循环", "gymtest-swim → gymtest-hygiene"],
        ),
    ],
    ids=["unknown-department", "promised-over-statutory", "dependency-cycle"],
)
def test_each_kind_of_mistake_is_reported_and_nothing_is_written(change: Any, expected: list[str]) -> None:
    document = yaml.safe_load(GYM_YAML)
    change(document)
    with pytest.raises(ImportFailed) as failure:
        bundle_import(yaml.safe_dump(document, allow_unicode=True))
    report = "\n".join(failure.value.report.errors)
    for fragment in expected:
        assert fragment in report
    assert_nothing_written()


@pytest.mark.django_db
def test_a_document_with_several_mistakes_reports_every_one(admin_client: Client) -> None:
    upload = SimpleUploadedFile("gymtest.yaml", broken_gym().encode(), content_type="application/yaml")
    response = admin_client.post(IMPORT_URL, {"document": upload})
    assert response.status_code == 422
    errors = "\n".join(response.context["errors"])
    assert "gymtest-nowhere" in errors
    assert "items[1].promised_limit_days" in errors
    assert "循环" in errors
    assert_nothing_written()
    assert not Question.objects.filter(bundle__code="gymtest").exists()
    assert not Rule.objects.filter(item__code__startswith="gymtest-").exists()


@pytest.mark.django_db
def test_an_invalid_document_leaves_the_api_without_the_bundle(client: Client) -> None:
    with pytest.raises(ImportFailed):
        bundle_import(broken_gym())
    response = client.post("/api/v1/bundles/gymtest/plan", {"answers": {}}, content_type="application/json")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"

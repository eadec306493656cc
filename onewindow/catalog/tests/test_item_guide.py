"""Reading one item's published guide: limits, materials, process, form, commitment, bundles."""

from __future__ import annotations

import pytest
from django.db import reset_queries
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from onewindow.bundles.models import Bundle, BundleItem
from onewindow.catalog.models import (
    Department,
    Field,
    ItemField,
    ItemMaterial,
    Material,
    ProcessStep,
    Region,
    ServiceItem,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def guided_item() -> ServiceItem:
    department = Department.objects.create(
        code="guidetest-dept",
        name="天门市指南测试局",
        short_name="指南局",
        region=Region.objects.get(code="429006"),
        phone="0728-5999999",
    )
    item = ServiceItem.objects.create(
        code="guidetest-pool",
        basic_code="000123456000",
        implementation_code="42900600000009202557000100483001",
        name="经营高危险性体育项目许可（指南测试）",
        item_type=ServiceItem.ItemType.LICENSING,
        level=ServiceItem.Level.CITY,
        department=department,
        legal_basis="《全民健身条例》第三十二条",
        conditions="有符合国家标准的游泳池；有救生人员。",
        statutory_limit_days=30,
        statutory_extension_days=10,
        promised_limit_days=12,
        case_type=ServiceItem.CaseType.PROMISED,
        fee="不收费",
        fee_basis="国务院有关规定",
        supports_post=True,
        site_check_required=True,
        supports_commitment=True,
        commitment_clause="本单位承诺救生员持证上岗。",
        location="天门市政务服务中心二楼 12 号窗口",
        office_hours="工作日 8:30—17:30",
        consult_phone="0728-5211111",
        complaint_phone="0728-5222222",
        result_name="高危险性体育项目经营许可证",
        result_validity_years=5,
        legal_remedy="可申请行政复议或提起行政诉讼。",
    )
    ProcessStep.objects.create(item=item, order=1, name="受理", actor="综合窗口", limit_days=1)
    ProcessStep.objects.create(item=item, order=2, name="现场核查", actor="体育局核查员", limit_days=8)
    water = Material.objects.create(code="guidetest-water", name="游泳池水质检测报告（指南测试）")
    lifeguard = Material.objects.create(code="guidetest-lifeguard", name="救生员证书（指南测试）")
    ItemMaterial.objects.create(item=item, material=water, originals=1, copies=2, order=1)
    ItemMaterial.objects.create(
        item=item,
        material=lifeguard,
        requirement=ItemMaterial.Requirement.CONDITIONAL,
        condition_note="聘用救生员的",
        copies=3,
        order=2,
    )
    area = Field.objects.create(
        code="guidetest-area", label="游泳池水面面积（指南测试）", field_type=Field.Type.AREA
    )
    ItemField.objects.create(item=item, field=area)
    bundle = Bundle.objects.create(
        code="guidetest",
        name="指南测试一业一证",
        industry="指南测试业",
        lead_department=department,
        licence_name="测试证",
    )
    BundleItem.objects.create(bundle=bundle, item=item)
    return item


def test_guide_shows_statutory_and_promised_limits_and_materials(
    client: Client, guided_item: ServiceItem
) -> None:
    response = client.get(reverse("public:item_detail", args=[guided_item.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="statutory-limit">30 个工作日（经批准可延长 10 个工作日）' in body
    assert 'id="promised-limit">12 个工作日' in body
    assert "游泳池水质检测报告（指南测试）" in body
    assert "救生员证书（指南测试）" in body
    assert "聘用救生员的" in body
    assert "视情形提供" in body


def test_guide_shows_every_published_field(client: Client, guided_item: ServiceItem) -> None:
    body = client.get(reverse("public:item_detail", args=[guided_item.code])).content.decode()
    for text in [
        "42900600000009202557000100483001",
        "000123456000",
        "《全民健身条例》第三十二条",
        "有符合国家标准的游泳池",
        "现场核查",
        "体育局核查员",
        "游泳池水面面积（指南测试）",
        "本单位承诺救生员持证上岗。",
        "天门市政务服务中心二楼 12 号窗口",
        "工作日 8:30—17:30",
        "0728-5211111",
        "0728-5222222",
        "高危险性体育项目经营许可证",
        "5 年",
        "国务院有关规定",
        "可申请行政复议或提起行政诉讼。",
        "支持，结果可邮寄送达",
        "需要现场核查",
        "指南测试一业一证",
        "承诺件",
        "行政许可",
        "市级",
    ]:
        assert text in body, text


def test_guide_reads_in_a_fixed_number_of_queries(
    client: Client, guided_item: ServiceItem, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.get(reverse("public:item_detail", args=[guided_item.code]))
    reset_queries()  # a full query log would make the capture look empty
    with django_assert_max_num_queries(8):
        client.get(reverse("public:item_detail", args=[guided_item.code]))


def test_unknown_or_unpublished_item_is_a_chinese_404(client: Client, guided_item: ServiceItem) -> None:
    response = client.get(reverse("public:item_detail", args=["no-such-item"]))
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()
    ServiceItem.objects.filter(pk=guided_item.pk).update(is_published=False)
    assert client.get(reverse("public:item_detail", args=[guided_item.code])).status_code == 404

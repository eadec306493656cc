"""An administrator uploads a bundle file with mistakes: each one is listed with its place in the
file, the check goes through the whole file, and nothing is written (never a server error).

The file is the hotel bundle's own (bundles/data/hotel.yaml) with one or more mistakes made in it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.bundles.models import Bundle, Dependency
from onewindow.bundles.transfer import ImportFailed, bundle_import

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/bundles/bundle/import/"
HOTEL_YAML = Path(__file__).resolve().parents[1] / "data" / "hotel.yaml"


def hotel_document() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(HOTEL_YAML.read_text(encoding="utf-8")))


def dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def import_errors(document: Any) -> list[str]:
    """The problems the import lists; [] if it would accept the file (a dry run: nothing is written)."""
    try:
        bundle_import(document if isinstance(document, str) else dump(document), dry_run=True)
    except ImportFailed as failure:
        return failure.report.errors
    return []


def question_index(document: dict[str, Any], code: str) -> int:
    return next(i for i, q in enumerate(document["bundle"]["questions"]) if q["code"] == code)


@pytest.fixture
def staff() -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username="admin", password="OneWindow-2026")
    return client


def test_a_prerequisite_listed_twice_is_reported_on_the_import_page(staff: Client) -> None:
    document = hotel_document()
    document["bundle"]["dependencies"].append(dict(document["bundle"]["dependencies"][0]))
    upload = SimpleUploadedFile("hotel.yaml", dump(document).encode())

    response = staff.post(IMPORT_URL, {"document": upload})

    assert response.status_code == 422
    [error] = response.context["errors"]
    assert error.startswith("bundle.dependencies[1]：")
    assert "bundle.dependencies[0]" in error, "the message says where the prerequisite was listed first"
    assert Dependency.objects.filter(bundle__code="hotel").count() == len(
        hotel_document()["bundle"]["dependencies"]
    )


@pytest.mark.parametrize(
    ("section", "repeat"),
    [
        (
            "departments",
            {
                "code": "429006-xf",
                "name": "天门市消防救援支队",
                "short_name": "市消防支队",
                "region": "429006",
            },
        ),
        ("materials", {"code": "floor_plan", "name": "消防平面图"}),
        ("fields", {"code": "room_count", "label": "房间数", "type": "integer"}),
        ("items", None),
    ],
)
def test_two_entries_with_the_same_code_are_reported_with_the_place_of_the_first(
    section: str, repeat: dict[str, Any] | None
) -> None:
    """A block copied to start a new entry whose code was not changed would replace the first."""
    document = hotel_document()
    if repeat is None:
        repeat = {**copy.deepcopy(document["items"][0]), "name": "旅馆业特种行业许可证变更"}
    first = next(i for i, entry in enumerate(document[section]) if entry["code"] == repeat["code"])
    document[section].append(repeat)

    errors = import_errors(document)

    last = len(document[section]) - 1
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{section}[{last}].code：")
    assert repeat["code"] in errors[0]
    assert f"{section}[{first}]" in errors[0]


def test_numbers_too_large_for_the_catalogue_are_reported_with_their_place() -> None:
    """Beyond the columns' ranges: on PostgreSQL these were a server error, on SQLite stored as typed."""
    document = hotel_document()
    item = document["items"][0]
    item["steps"][0]["limit_days"] = 100000
    item["materials"][0]["originals"] = 100000
    item["materials"][1]["copies"] = -1
    item["statutory_limit_days"] = 40000
    discharge = question_index(document, "daily_discharge")
    document["bundle"]["questions"][discharge]["max_value"] = 10**15
    document["bundle"]["questions"][discharge]["min_value"] = 0.005
    document["fields"][0]["max_value"] = 10**12

    errors = "\n".join(import_errors(document))

    assert "items[0].steps[0].limit_days：应为 0 到 32767 之间的整数" in errors
    assert "items[0].materials[0].originals：应为 0 到 32767 之间的整数" in errors
    assert "items[0].materials[1].copies：应为 0 到 32767 之间的整数" in errors
    assert "items[0].statutory_limit_days：应为 0 到 32767 之间的整数" in errors
    assert (
        f"bundle.questions[{discharge}].max_value：超出范围：应在 -9999999999.99 到 9999999999.99 之间"
        in errors
    )
    assert f"bundle.questions[{discharge}].min_value：最多保留两位小数" in errors
    assert "fields[0].max_value：超出范围" in errors
    assert not Bundle.objects.get(code="hotel").questions.filter(max_value__gt=10**10).exists()


def test_codes_that_are_not_codes_are_each_reported_with_their_place() -> None:
    """Checked before the rows are validated, so the second is listed as well as the first."""
    document = hotel_document()
    document["materials"][3]["code"] = "application form"
    document["items"][2]["code"] = "公共场所卫生许可"

    errors = import_errors(document)

    assert errors == [
        "materials[3].code：编码 application form 只能由英文字母、数字、下划线和连字符组成，如 fire_safety_check",
        "items[2].code：编码 公共场所卫生许可 只能由英文字母、数字、下划线和连字符组成，如 fire_safety_check",
    ]


def test_the_check_goes_on_through_the_whole_file() -> None:
    """A mistake in a catalogue entry, in an item's materials, in a question and in the bundle's
    own entry: each is reported, and so is a rule checked against the refused bundle's questions."""
    document = hotel_document()
    document["fields"][1]["min_value"] = "NaN"
    document["items"][1]["materials"][0]["material"] = "no_such_material"
    document["bundle"]["name"] = "旅" * 101
    discharge = question_index(document, "daily_discharge")
    document["bundle"]["questions"][discharge].update(min_value=100, max_value=1)
    document["bundle"]["rules"].append(
        {"target": "item", "item": "tobacco_retail_licence", "question": "premises_leased", "value": "maybe"}
    )

    errors = import_errors(document)

    rule = len(document["bundle"]["rules"]) - 1
    assert errors == [
        "fields[1].min_value：应为数字，如 100 或 0.5",
        "items[1].materials[0].material：材料编码 no_such_material 未定义",
        "bundle.name：不能超过 100 个字符",
        f"bundle.questions[{discharge}].min_value：最小值 100 大于最大值 1，任何数值都不会被接受；请改正其中一个",
        f"bundle.rules[{rule}].value：是/否问题的规则取值只能是 yes 或 no。",
    ]


def test_a_refused_entry_is_not_reported_again_where_it_is_used() -> None:
    """The items of a department whose own entry is refused do not each say it is undefined."""
    document = hotel_document()
    document["departments"][1]["region"] = "429099"

    assert import_errors(document) == ["departments[1].region：区划代码 429099 不存在，请先导入行政区划"]


def test_a_rule_on_an_unknown_question_names_the_code() -> None:
    document = hotel_document()
    document["bundle"]["rules"].append(
        {"target": "item", "item": "tobacco_retail_licence", "question": "sells_cigars", "value": "yes"}
    )

    rule = len(document["bundle"]["rules"]) - 1
    assert import_errors(document) == [f"bundle.rules[{rule}].question：问题编码 sells_cigars 未定义"]


@pytest.mark.parametrize("place", ["question", "field"])
def test_a_minimum_above_the_maximum_is_refused(place: str) -> None:
    """Min 100, max 1: no answer and no form entry could ever be accepted."""
    document = hotel_document()
    if place == "question":
        index = question_index(document, "daily_discharge")
        entry, where = document["bundle"]["questions"][index], f"bundle.questions[{index}]"
    else:
        index = next(i for i, f in enumerate(document["fields"]) if f["code"] == "room_count")
        entry, where = document["fields"][index], f"fields[{index}]"
    entry.update(min_value=100, max_value=1)

    assert import_errors(document) == [
        f"{where}.min_value：最小值 100 大于最大值 1，任何数值都不会被接受；请改正其中一个"
    ]


def test_choices_and_options_must_be_plain_text() -> None:
    """A list or a mapping was turned into its Python text ("['a', 'b']") and offered as a choice;
    an unquoted yes became True."""
    document = hotel_document()
    choice_field = next(i for i, f in enumerate(document["fields"]) if f.get("type") == "choice")
    document["fields"][choice_field]["choices"] = ["宾馆", ["a", "b"], {"x": 1}, True]
    food = question_index(document, "food")
    document["bundle"]["questions"][food]["options"][1]["value"] = ["prepackaged"]

    errors = import_errors(document)

    where = f"fields[{choice_field}].choices"
    assert errors == [
        f"{where}[1]：应为文字",
        f"{where}[2]：应为文字",
        f'{where}[3]：应为文字；yes、no、true、false 等词请加引号，如 "yes"',
        f"bundle.questions[{food}].options[1]：每个选项需要 value 和 label，且都应为文字",
    ]

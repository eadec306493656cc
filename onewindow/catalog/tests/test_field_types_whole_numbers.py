"""Whole-number form fields: the catalogue's counts become integer fields, its measures stay number fields."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from onewindow.catalog.models import Field

pytestmark = pytest.mark.django_db

MIGRATION = "0003_field_type_integer"

# (code, label, type before the migration, type after it)
FIELDS = [
    ("typetest-rooms", "客房数量（间）", "number", "integer"),
    ("typetest-staff", "从业人员人数", "number", "integer"),
    ("typetest-outlets", "排放口数量", "number", "integer"),
    ("typetest-funds", "经营资金（万元）", "number", "number"),
    ("typetest-discharge", "日排水量（吨）", "number", "number"),
    ("typetest-distance", "与最近中小学校、幼儿园的距离（米）", "number", "number"),
    ("typetest-note", "客房数量（间）", "text", "text"),
]


def run(direction: str) -> None:
    module = importlib.import_module(f"onewindow.catalog.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("catalog", MIGRATION)).apps
    getattr(module, direction)(apps, None)


def types() -> dict[str, str]:
    return dict(Field.objects.filter(code__startswith="typetest-").values_list("code", "field_type"))


def test_the_migration_makes_counts_whole_number_fields_and_leaves_measures_alone() -> None:
    Field.objects.bulk_create(Field(code=c, label=label, field_type=before) for c, label, before, _ in FIELDS)

    run("counts_to_integer")

    assert types() == {code: after for code, _, _, after in FIELDS}

    run("integers_to_number")

    assert types() == {code: before for code, _, before, _ in FIELDS}


def test_the_shipped_catalogue_counts_in_whole_numbers_and_measures_in_decimals() -> None:
    shipped = dict(
        Field.objects.filter(
            code__in=["room_count", "bed_count", "staff_count", "tobacco_funds", "distance_to_school"]
        ).values_list("code", "field_type")
    )
    assert shipped == {
        "room_count": "integer",
        "bed_count": "integer",
        "staff_count": "integer",
        "tobacco_funds": "number",
        "distance_to_school": "number",
    }


def test_the_item_guide_api_names_the_whole_number_type(client: Client) -> None:
    guide = client.get("/api/v1/items/special_trade_hotel_licence").json()
    rooms = next(f for f in guide["form"] if f["code"] == "room_count")
    assert (rooms["type"], rooms["type_label"]) == ("integer", "整数")

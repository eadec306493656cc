"""An administrator using the admin in English reads the import report in English."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db

HOTEL_YAML = Path(__file__).resolve().parents[1] / "data" / "hotel.yaml"


def test_the_english_import_report_names_what_it_counted_in_english() -> None:
    staff = Client()
    assert staff.login(username="admin", password="OneWindow-2026")
    staff.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("hotel.yaml", HOTEL_YAML.read_bytes())

    response = staff.post("/admin/bundles/bundle/import/", {"document": upload, "dry_run": "on"})

    assert response.status_code == 200
    assert response.context["report"].lines() == [
        "Department: 0 created, 8 updated",
        "Materials: 0 created, 39 updated",
        "Form element: 0 created, 50 updated",
        "Item: 0 created, 10 updated",
        "Bundle: 0 created, 1 updated",
    ]


def test_the_english_import_report_joins_place_and_problem_in_english() -> None:
    staff = Client()
    assert staff.login(username="admin", password="OneWindow-2026")
    staff.cookies["django_language"] = "en"
    document = yaml.safe_load(HOTEL_YAML.read_text(encoding="utf-8"))
    document["bundle"]["rules"].append(
        {"target": "item", "item": "tobacco_retail_licence", "question": "sells_cigars", "value": "yes"}
    )
    upload = SimpleUploadedFile("hotel.yaml", yaml.safe_dump(document, allow_unicode=True).encode())

    response = staff.post("/admin/bundles/bundle/import/", {"document": upload, "dry_run": "on"})

    rule = len(document["bundle"]["rules"]) - 1
    assert response.context["errors"] == [
        f"bundle.rules[{rule}].question: Question code sells_cigars is not defined"
    ]

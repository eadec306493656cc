"""Writes to the catalogue: loading the official region list."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from onewindow.catalog.models import Region

REGIONS_FILE = Path(__file__).parent / "data" / "regions.yaml"


@transaction.atomic
def regions_load(*, path: Path = REGIONS_FILE) -> int:
    """Create or update regions from a YAML list (parents before children). Returns the count."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    for row in rows:
        parent = Region.objects.get(code=row["parent"]) if row.get("parent") else None
        Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "level": row["level"], "parent": parent}
        )
    return len(rows)

"""Writes to bundles: loading the bundle documents shipped with the product."""

from __future__ import annotations

from pathlib import Path

from onewindow.bundles.transfer import ImportReport, bundle_import

BUILTIN_DIR = Path(__file__).parent / "data"


def bundles_load_builtin(*, directory: Path = BUILTIN_DIR) -> list[ImportReport]:
    """Import every shipped bundle document (hotel, convenience store, …) in name order."""
    return [bundle_import(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.yaml"))]

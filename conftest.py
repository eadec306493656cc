"""Shared test fixtures: the seeded city and a fixed cast of users per role."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Seed reference data and the demo cast once per test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("seed", "--demo", "--without-cases", verbosity=0)

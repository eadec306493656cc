"""The cast of the password tests.

alice is the demo enterprise applicant (she registered online and has a password); wang registered
at the window as a person and has none yet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from onewindow.accounts.models import User
from onewindow.accounts.registration import applicant_find_or_register
from onewindow.accounts.tests.steps import WANG_ID, WANG_PHONE


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """The per-address limits live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wang(db: None) -> User:
    return applicant_find_or_register(kind="person", id_number=WANG_ID, display_name="王芳", phone=WANG_PHONE)

"""Fixtures for approvals tests: private media, the demo applicant and the two demo reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.demo import demo_enterprises_create


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    """Uploads and notices go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def alice(db: None) -> User:
    """The demo applicant, owner of 天门市悦来宾馆有限公司, with the demo enterprises in the library."""
    demo_enterprises_create()
    return User.objects.get(username="applicant")


@pytest.fixture
def police(db: None) -> User:
    """The demo reviewer of 公安 (429006-ga)."""
    return User.objects.get(username="reviewer")


@pytest.fixture
def fire(db: None) -> User:
    """The demo reviewer of 消防 (429006-xf)."""
    return User.objects.get(username="reviewer_fire")

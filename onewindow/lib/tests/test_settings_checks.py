"""A wrong WORKDAYS_FALLBACK stops `onewindow check` with a message naming the variable, instead of
passing the check and turning every page that counts a deadline into a server error."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from onewindow.lib.checks import workdays_fallback_check


@pytest.mark.parametrize("value", ["weekends", "error"])
def test_the_known_fallbacks_pass(value: str) -> None:
    with override_settings(WORKDAYS_FALLBACK=value):
        assert workdays_fallback_check() == []


def test_a_wrong_fallback_is_an_error_naming_the_variable_and_its_values() -> None:
    with override_settings(WORKDAYS_FALLBACK="bogus"):
        [error] = workdays_fallback_check()

    assert error.id == "onewindow.E001"
    assert error.is_serious()
    assert "WORKDAYS_FALLBACK" in error.msg and "“bogus”" in error.msg
    assert "weekends 或 error" in error.msg


def test_onewindow_check_fails_on_a_wrong_fallback() -> None:
    with (
        override_settings(WORKDAYS_FALLBACK="bogus"),
        pytest.raises(SystemCheckError, match="WORKDAYS_FALLBACK"),
    ):
        call_command("check")

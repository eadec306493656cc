"""The e-licence library adapter: what intake and licence issue ask of the provincial library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class LibraryUnavailable(Exception):
    """The library did not answer; the caller keeps its work and tries again later."""


@dataclass(frozen=True)
class LicenceRecord:
    identifier: str
    licence_type: str
    licence_number: str
    holder_name: str
    holder_code: str
    issuer: str
    issued_on: date
    valid_until: date | None
    status: str


class ElicenceLibrary(Protocol):
    def lookup(self, *, holder_code: str, licence_type: str | None = None) -> list[LicenceRecord]: ...

    def push(self, *, key: str, operation: str, licence: dict[str, Any]) -> None: ...


def get_library() -> ElicenceLibrary:
    """The configured library (settings.ELICENSE_LIBRARY, a dotted path to a class)."""
    cls = import_string(settings.ELICENSE_LIBRARY)
    return cls()

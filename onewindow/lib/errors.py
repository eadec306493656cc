"""The error type the library raises: a stable machine code plus a Chinese message for the person."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation


class CodedError(ValueError):
    """Input the library cannot accept; `code` is for programs, `message` is shown to people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sentences_joined(sentences: Iterable[str]) -> str:
    """Whole sentences run together as the active language writes them: Chinese without spaces."""
    language = translation.get_language() or "zh-hans"
    return ("" if language.startswith("zh") else " ").join(sentences)

"""The error type the library raises: a stable machine code plus a Chinese message for the person."""

from __future__ import annotations


class CodedError(ValueError):
    """Input the library cannot accept; `code` is for programs, `message` is shown to people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

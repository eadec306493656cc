"""Domain errors of cases and branches: a stable code and a Chinese message for the person."""

from __future__ import annotations


class CaseError(Exception):
    """A request that cannot be carried out as asked; nothing was changed."""

    status = 400

    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class CaseNotFound(CaseError):
    status = 404


class CaseForbidden(CaseError):
    status = 403


class CaseConflict(CaseError):
    """The object changed under the request (another reviewer decided first, a status moved on)."""

    status = 409


class CaseInvalid(CaseError):
    status = 422


class CaseUnavailable(CaseError):
    """An outside system did not answer; nothing was changed and the request may be repeated."""

    status = 503

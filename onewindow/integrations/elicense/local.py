"""The local e-licence library: the embedded default, storing licences in this database."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from onewindow.integrations.elicense.adapter import LibraryUnavailable, LicenceRecord
from onewindow.integrations.elicense.models import LibraryLicence, LibraryRequest, LibraryState


class LocalLibrary:
    """Answers lookups by holder code and accepts pushes, idempotent by key.

    A push carries the licence's metadata and its GB/T 36903 status: 01 有效 for an issue or a change,
    03 吊销, 04 注销, and 05 失效 for the version a change replaced (operation "supersede").
    """

    def _check_online(self) -> None:
        if not LibraryState.is_online():
            raise LibraryUnavailable("电子证照库暂时无法访问")

    def lookup(self, *, holder_code: str, licence_type: str | None = None) -> list[LicenceRecord]:
        self._check_online()
        rows = LibraryLicence.objects.filter(holder_code=holder_code.strip().upper())
        if licence_type:
            rows = rows.filter(licence_type=licence_type)
        return [
            LicenceRecord(
                identifier=row.identifier,
                licence_type=row.licence_type,
                licence_number=row.licence_number,
                holder_name=row.holder_name,
                holder_code=row.holder_code,
                issuer=row.issuer,
                issued_on=row.issued_on,
                valid_until=row.valid_until,
                status=row.status,
            )
            for row in rows.order_by("licence_type", "-issued_on")
        ]

    def push(self, *, key: str, operation: str, licence: dict[str, Any]) -> None:
        self._check_online()
        try:
            with transaction.atomic():
                LibraryRequest.objects.create(key=key, operation=operation, identifier=licence["identifier"])
                status = licence.get("status", LibraryLicence.Status.VALID)
                held = (
                    LibraryLicence.objects.select_for_update()
                    .filter(identifier=licence["identifier"])
                    .values_list("status", flat=True)
                    .first()
                )
                if held not in (None, LibraryLicence.Status.VALID) and status == LibraryLicence.Status.VALID:
                    # Pushes may arrive out of order (an issue retried after an outage, once the
                    # version was already marked 失效 or 吊销): a licence that ended stays ended.
                    return
                defaults = {
                    "licence_type": licence["licence_type"],
                    "licence_number": licence["licence_number"],
                    "holder_name": licence["holder_name"],
                    "holder_code": licence["holder_code"],
                    "holder_code_type": licence.get("holder_code_type", "001"),
                    "issuer": licence["issuer"],
                    "issued_on": date.fromisoformat(licence["issued_on"]),
                    "valid_from": _date(licence.get("valid_from")),
                    "valid_until": _date(licence.get("valid_until")),
                    "status": status,
                    "data": licence,
                }
                LibraryLicence.objects.update_or_create(identifier=licence["identifier"], defaults=defaults)
        except IntegrityError:
            # Same key seen before: the push already took effect.
            return


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None

"""Reads of licences: public verification, the issuer's queue, renewals due and time saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.lib.idcheck import is_valid_uscc, mask_id_number
from onewindow.licenses.models import ComprehensiveLicense, LicenceStatus, Permit

STATE_LABELS = {
    "valid": "有效",
    "changed": "已变更，请以最新版本为准",
    "revoked": "已吊销",
    "cancelled": "已注销",
    "expired": "已过期",
}


@dataclass(frozen=True)
class Verification:
    state: str
    label: str
    licence: ComprehensiveLicense
    current: ComprehensiveLicense
    holder_name: str
    holder_code: str
    legal_representative: str
    permits: list[dict[str, Any]]


def mask_name(name: str) -> str:
    """A person's name shown with only the surname: 张** (enterprise names are public and not masked)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _find(query: str) -> ComprehensiveLicense | None:
    query = query.strip()
    if not query:
        return None
    # Verification is public and hot: no join to the case (its plan JSON is large), no ordering.
    licences = ComprehensiveLicense.objects.all()
    found = licences.filter(Q(identifier=query) | Q(verify_token=query)).order_by().first()
    if found is None:
        found = licences.filter(number=query).order_by("-version").first()
    if found is None:
        permit = Permit.objects.filter(number=query).first()
        if permit is not None:
            found = permit.licences.order_by("-version").first()
    return found


def licence_verify(query: str, *, today: date | None = None) -> Verification | None:
    """Look a licence up by identifier, licence number, permit number or QR token."""
    licence = _find(query)
    if licence is None:
        return None
    today = today or timezone.localdate()
    current = licence
    if licence.status == LicenceStatus.SUPERSEDED:
        current = (
            ComprehensiveLicense.objects.filter(number=licence.number).order_by("-version").first() or licence
        )
    if licence.status == LicenceStatus.REVOKED:
        state = "revoked"
    elif licence.status == LicenceStatus.CANCELLED:
        state = "cancelled"
    elif licence.status == LicenceStatus.SUPERSEDED:
        state = "changed"
    elif licence.valid_until is not None and licence.valid_until < today:
        state = "expired"
    else:
        state = "valid"
    # Only the columns shown: the item and department rows are wide and this page is public and hot.
    permits = [
        {
            "item": row["item__name"],
            "department": row["department__name"],
            "number": row["number"],
            "valid_from": row["valid_from"],
            "valid_until": row["valid_until"],
        }
        for row in licence.permits.order_by("id").values(
            "item__name", "department__name", "number", "valid_from", "valid_until"
        )
    ]
    return Verification(
        state=state,
        label=STATE_LABELS[state],
        licence=licence,
        current=current,
        holder_name=licence.holder_name,
        # An enterprise's credit code is public; a person's ID number is not.
        holder_code=licence.holder_code
        if is_valid_uscc(licence.holder_code)
        else mask_id_number(licence.holder_code),
        legal_representative=mask_name(licence.legal_representative),
        permits=permits,
    )


def issue_queue(issuer: User) -> QuerySet[Case]:
    """Cases of the issuer's centre with every branch approved, waiting for the licence."""
    return (
        Case.objects.filter(service_center_id=issuer.service_center_id, status=CaseStatus.APPROVED)
        .select_related("bundle")
        .order_by("completed_at", "id")
    )


def renewals_due(within_days: int, *, today: date | None = None) -> QuerySet[ComprehensiveLicense]:
    today = today or timezone.localdate()
    return ComprehensiveLicense.objects.filter(
        status=LicenceStatus.VALID,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=within_days),
    ).order_by("valid_until")


def time_saved_by_bundle() -> list[dict[str, Any]]:
    """Per bundle: closed cases, total elapsed working days, total serial statutory days, days saved."""
    rows = (
        Case.objects.filter(status=CaseStatus.CLOSED, elapsed_workdays__isnull=False)
        .values("bundle__code", "bundle__name")
        .annotate(cases=Count("id"), elapsed=Sum("elapsed_workdays"), serial=Sum("statutory_serial_days"))
        .order_by("bundle__code")
    )
    return [{**row, "saved": (row["serial"] or 0) - (row["elapsed"] or 0)} for row in rows]

"""Reads of cases: an applicant's cases, the window's queue, progress and the audit check."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.services import event_payload
from onewindow.lib.hashchain import ChainBreak, verify_chain


def cases_for_applicant(user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("bundle").order_by("-created_at")


def cases_assisted_by(user: User) -> QuerySet[Case]:
    """Cases a clerk or guidance agent filed on someone's behalf, newest first."""
    return Case.objects.filter(assisted_by=user).select_related("bundle").order_by("-created_at")


def window_queue(clerk: User, status: str = CaseStatus.SUBMITTED) -> QuerySet[Case]:
    """The clerk's centre's cases in one status, oldest submission first."""
    return (
        Case.objects.filter(service_center_id=clerk.service_center_id, status=status)
        .select_related("bundle", "applicant", "assisted_by")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class AuditFinding:
    case_number: str
    case_id: int
    breaks: list[ChainBreak[int]]


def audit_verify(case_ids: list[int] | None = None) -> tuple[int, list[AuditFinding]]:
    """Check every case's event chain; returns (cases checked, findings for broken chains)."""
    cases = Case.objects.order_by("pk")
    if case_ids:
        cases = cases.filter(pk__in=case_ids)
    findings = []
    checked = 0
    for case in cases.only("pk", "number", "last_event_seq").iterator(chunk_size=500):
        checked += 1
        events = CaseEvent.objects.filter(case_id=case.pk).order_by("seq")
        breaks = verify_chain(
            ((e.pk, event_payload(e), e.hash) for e in events), expected_last_seq=case.last_event_seq or None
        )
        if breaks:
            findings.append(AuditFinding(case.number or f"#{case.pk}", case.pk, breaks))
    return checked, findings

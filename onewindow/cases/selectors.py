"""Reads of cases: an applicant's cases, the window's queue, progress and the audit check."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

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
    """Check every case's event chain; returns (cases checked, findings for broken chains).

    Each row must match its own hash and the one before it; the chain must end at the seq and
    hash kept on the case, so an edited last row whose hash was recomputed, or a deleted last row,
    is found too.
    """
    cases = Case.objects.order_by("pk")
    if case_ids:
        cases = cases.filter(pk__in=case_ids)
    findings = []
    checked = 0
    for case in cases.only("pk", "number", "last_event_seq", "last_event_hash").iterator(chunk_size=500):
        checked += 1
        events = list(CaseEvent.objects.filter(case_id=case.pk).order_by("seq"))
        breaks = verify_chain(
            ((e.pk, event_payload(e), e.hash) for e in events), expected_last_seq=case.last_event_seq or None
        )
        if not any(b.code == "tail_missing" for b in breaks):
            end = _chain_end_break(case, events)
            if end is not None:
                breaks.append(end)
        if breaks:
            findings.append(AuditFinding(case.number or f"#{case.pk}", case.pk, breaks))
    return checked, findings


def _chain_end_break(case: Case, events: list[CaseEvent]) -> ChainBreak[int] | None:
    """A break if the chain's last row is not the end recorded on the case, else None."""
    last = events[-1] if events else None
    if last is not None and last.hash == case.last_event_hash and last.seq == case.last_event_seq:
        return None
    if last is None and not case.last_event_hash and not case.last_event_seq:
        return None
    return ChainBreak(
        last.pk if last else None,
        len(events),
        "tail_hash_mismatch",
        _(
            "最后一条记录与办件上保存的记录链末尾不符：最后一条记录可能被修改后重新计算了哈希值，"
            "或末尾的记录被删除。请与数据库备份核对，并报告系统管理员。"
        ),
    )

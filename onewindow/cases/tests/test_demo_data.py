"""The demo shows a living system: a case in every state a newcomer should see."""

from __future__ import annotations

import pytest

from onewindow.cases.demo import demo_cases_create, demo_enterprises_create
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import audit_verify


@pytest.mark.django_db
def test_demo_cases_cover_every_state() -> None:
    demo_enterprises_create()
    created = demo_cases_create()
    states = set(Case.objects.values_list("status", flat=True))
    expected = {
        CaseStatus.DRAFT,
        CaseStatus.SUBMITTED,
        CaseStatus.SUPPLEMENT,
        CaseStatus.REFUSED,
        CaseStatus.IN_APPROVAL,
        CaseStatus.APPROVED,
        CaseStatus.DENIED,
        CaseStatus.ISSUED,
        CaseStatus.CLOSED,
    }
    assert expected <= states
    checked, findings = audit_verify()
    assert checked == len(created) and findings == []
    assert demo_cases_create() == [], "running the demo seed twice adds nothing"

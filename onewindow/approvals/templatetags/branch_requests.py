"""What the applicant's progress page shows of a paused branch: the department's request in force."""

from __future__ import annotations

from django import template

from onewindow.approvals.models import Branch
from onewindow.approvals.selectors import PauseRequest, pause_request

register = template.Library()


@register.simple_tag
def pause_request_of(branch: Branch) -> PauseRequest | None:
    """Read only for paused branches (the page asks for no other), a few of a case's at most."""
    return pause_request(branch)

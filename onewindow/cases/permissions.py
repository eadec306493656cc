"""Who may do what with a case: named actions, and one helper that returns the case or a 404."""

from __future__ import annotations

from collections.abc import Sequence

from onewindow.accounts.models import Role, User
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.models import Case, CaseStatus, Channel

VIEW = "view"
EDIT = "edit"  # fill the form, hand in materials, sign, submit
WINDOW = "window"  # accept, request a supplement, refuse
DOWNLOAD_MATERIAL = "download_material"

EDITABLE = (CaseStatus.DRAFT, CaseStatus.SUPPLEMENT)


def can(user: User, action: str, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    role = user.role
    if action in (VIEW, DOWNLOAD_MATERIAL):
        if role == Role.APPLICANT:
            return case.applicant_id == user.pk
        if role in (Role.CLERK, Role.ISSUER, Role.CENTRE_ADMIN):
            return case.service_center_id == user.service_center_id
        if role in (Role.REVIEWER, Role.INSPECTOR):
            return (
                user.department_id is not None
                and case.branches.filter(department_id=user.department_id).exists()
            )
        if role == Role.AGENT:
            return case.assisted_by_id == user.pk
        return role in (Role.SUPERVISOR, Role.ADMIN)
    if action == EDIT:
        if role == Role.APPLICANT:
            return case.applicant_id == user.pk
        if role == Role.CLERK:
            return case.channel == Channel.WINDOW and case.assisted_by_id == user.pk
        if role == Role.AGENT:
            return case.channel == Channel.GUIDANCE and case.assisted_by_id == user.pk
        return False
    if action == WINDOW:
        return role == Role.CLERK and case.service_center_id == user.service_center_id
    return False


SHOWN_WITH_CASE = ("bundle", "applicant", "service_center", "assisted_by", "enterprise")


def get_case_for(
    user: User, case_id: int, action: str = VIEW, *, related: Sequence[str] = SHOWN_WITH_CASE
) -> Case:
    """The case if this user may do `action` on it; otherwise 404, so no one learns it exists.

    `related`: the rows read with it (what a page about the case shows); a write that reads the
    case again under its lock needs none of them.
    """
    case = Case.objects.select_related(*related).filter(pk=case_id).first()
    if case is None or not can(user, action, case):
        raise CaseNotFound("case_not_found", "没有找到这个办件，请确认办件编号。")
    return case

"""Who may do what with a joint inspection or a check of a commitment: named actions, and helpers
that return the object or a 404."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.accounts.models import Role, User
from onewindow.cases.errors import CaseNotFound
from onewindow.inspections.models import CommitmentCheck, InspectionAssignment, JointInspection

VIEW = "view"  # the shared checklist page, photos, notices and reports
ORGANISE = "organise"  # finish, schedule a re-inspection, close
RECTIFY = "rectify"  # the applicant: read the notice, report the rectification

# Staff of the bundle's lead department who may organise a joint inspection.
ORGANISER_ROLES = (Role.INSPECTOR, Role.REVIEWER)
# Staff who take part through their department (inspectors record; reviewers read the results).
DEPARTMENT_ROLES = (Role.INSPECTOR, Role.REVIEWER)

NOT_FOUND = "没有找到这次联合核查，或者您所在部门没有参加这次核查。"
CHECK_NOT_FOUND = gettext_noop("没有找到这项告知承诺事后核查，或者它不由您所在的部门核查。")


def is_organiser_for(user: User, department_id: int) -> bool:
    return user.is_authenticated and user.role in ORGANISER_ROLES and user.department_id == department_id


def can(user: User, action: str, inspection: JointInspection) -> bool:
    if not user.is_authenticated:
        return False
    if action == VIEW:
        if user.role not in DEPARTMENT_ROLES or user.department_id is None:
            return False
        if is_organiser_for(user, inspection.organiser_department_id):
            return True
        return InspectionAssignment.objects.filter(
            inspection=inspection, department_id=user.department_id
        ).exists()
    if action == ORGANISE:
        return is_organiser_for(user, inspection.organiser_department_id)
    if action == RECTIFY:
        return user.role == Role.APPLICANT and inspection.case.applicant_id == user.pk
    return False


def get_inspection_for(user: User, inspection_id: int, action: str = VIEW) -> JointInspection:
    """The inspection if this user may do `action` on it; otherwise 404, so no one learns it exists."""
    inspection = (
        JointInspection.objects.select_related(
            "case__bundle", "case__applicant", "organiser_department", "organiser"
        )
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None or not can(user, action, inspection):
        raise CaseNotFound("inspection_not_found", NOT_FOUND)
    return inspection


def get_commitment_check_for(user: User, check_id: int) -> CommitmentCheck:
    """A check of a commitment, for the inspectors and reviewers of the department that decided and
    checks it; 404 for everyone else."""
    check = None
    if user.is_authenticated and user.role in DEPARTMENT_ROLES and user.department_id is not None:
        check = (
            CommitmentCheck.objects.select_related(
                "case__bundle",
                "case__applicant",
                "case__enterprise",
                "branch__item",
                "department",
                "checked_by",
            )
            .filter(pk=check_id, department_id=user.department_id)
            .first()
        )
    if check is None:
        raise CaseNotFound("check_not_found", _(CHECK_NOT_FOUND))
    return check

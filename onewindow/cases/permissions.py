"""Who may do what with a case: named actions, and helpers that return the case or a material, or a 404."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, Channel

VIEW = "view"
EDIT = "edit"  # fill the form, hand in materials, sign, submit
WINDOW = "window"  # accept, request a supplement, refuse
# Open every material of the case. A department's reviewer or inspector opens only the materials
# his department's items use, one at a time through get_material_for.
DOWNLOAD_MATERIAL = "download_material"

EDITABLE = (CaseStatus.DRAFT, CaseStatus.SUPPLEMENT)
DEPARTMENT_ROLES = (Role.REVIEWER, Role.INSPECTOR)


def can(user: User, action: str, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    role = user.role
    if action in (VIEW, DOWNLOAD_MATERIAL):
        if role == Role.APPLICANT:
            return case.applicant_id == user.pk
        if role in (Role.CLERK, Role.ISSUER, Role.CENTRE_ADMIN):
            return case.service_center_id == user.service_center_id and _handed_to_centre(case)
        if role in DEPARTMENT_ROLES:
            return (
                action == VIEW
                and user.department_id is not None
                and case.branches.filter(department_id=user.department_id).exists()
            )
        if role == Role.AGENT:
            return case.assisted_by_id == user.pk
        return role in (Role.SUPERVISOR, Role.ADMIN) and case.submitted_at is not None
    if action == EDIT:
        if role == Role.APPLICANT:
            return case.applicant_id == user.pk
        if role == Role.CLERK:
            return case.channel == Channel.WINDOW and case.assisted_by_id == user.pk
        if role == Role.AGENT:
            return case.channel == Channel.GUIDANCE and case.assisted_by_id == user.pk
        return False
    if action == WINDOW:
        return (
            role == Role.CLERK
            and case.service_center_id == user.service_center_id
            and _handed_to_centre(case)
        )
    return False


def _handed_to_centre(case: Case) -> bool:
    """Whether the case is the centre's to see: submitted once, or started at its window on the
    applicant's behalf (帮办代办). An applicant's own draft is his alone until he submits it."""
    return case.submitted_at is not None or case.channel == Channel.WINDOW


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
        raise CaseNotFound("case_not_found", _("没有找到这个办件，请确认办件编号。"))
    return case


def materials_used_by(case: Case, item_codes: Collection[str]) -> list[str]:
    """The codes of the case's materials that any of these items uses, as the case's plan links them."""
    wanted = set(item_codes)
    return [m["code"] for m in case.plan["materials"] if wanted.intersection(m["items"])]


def fields_used_by(case: Case, item_codes: Collection[str]) -> list[str]:
    """The codes of the case's form fields that any of these items uses, as its branch pages list them."""
    wanted = set(item_codes)
    return [spec["code"] for spec in case.plan["form"] if wanted.intersection(spec["items"])]


def department_items(user: User, case: Case) -> list[str] | None:
    """The items of the case a reviewer or inspector works on: his department's branches, first by id.

    None for everyone else: they see the whole case. A department sees its own side of a shared
    case, as on its branch page, never what another department asked or the applicant answered it.
    """
    if user.role not in DEPARTMENT_ROLES:
        return None
    if user.department_id is None:
        return []
    return list(
        case.branches.filter(department_id=user.department_id)
        .order_by("id")
        .values_list("item__code", flat=True)
    )


def event_shown_to_department(
    data: dict[str, Any] | None, items: Collection[str], department: str, inspections: Collection[int] = ()
) -> bool:
    """Whether a case event is for a department seeing `items` (its department code `department`):
    case-wide steps are; a step about another department's item or branch is not; a joint
    inspection's step about no one item (scheduled, combined findings, passed, closed) is for the
    departments taking part in that inspection (`inspections`, their ids)."""
    data = data or {}
    item = data.get("item")
    if item is not None and item not in items:
        return False
    if item is None and data.get("inspection") is not None:
        return data["inspection"] in inspections
    owner = data.get("department")
    return owner is None or owner == department


def department_material_codes(user: User, case: Case) -> list[str]:
    """The materials a reviewer or inspector may open: those the items of his department's branches
    in this case use, the ones his branch page lists. Nothing for anyone else."""
    return materials_used_by(case, department_items(user, case) or [])


def get_material_for(user: User, case_id: int, code: str) -> CaseMaterial:
    """Material `code` of a case if this user may open its file; otherwise 404.

    The case's own 404 when he may not see the case; when he sees it but may not open this material,
    the same answer as for a material the case does not have, so nothing about it shows.
    """
    case = get_case_for(user, case_id, VIEW, related=())
    if can(user, DOWNLOAD_MATERIAL, case) or code in department_material_codes(user, case):
        row = case.materials.select_related("material").filter(material__code=code).first()
        if row is not None:
            return row
    raise CaseNotFound("material_not_found", _("没有找到这份材料。"))

"""Joint inspection pages: the organiser's schedule page, "my inspections", the shared checklist
(phone first), finishing and re-inspection, the applicant's rectification page, and the notice PDF;
and the department's checks of commitments after approval (事后核查).

Views parse input, call one service and render; who may do what and every rule about the
clocks live in inspections.permissions and inspections.services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.decorators import role_required, signed_in_required
from onewindow.accounts.models import Role, User
from onewindow.cases.errors import CaseConflict, CaseError, CaseForbidden, CaseNotFound
from onewindow.cases.models import Case
from onewindow.cases.notices import holder_code_display
from onewindow.inspections import services
from onewindow.inspections.forms import (
    CloseForm,
    CommitmentCheckForm,
    EntryForm,
    FinishForm,
    RectificationForm,
    ReinspectionForm,
    ScheduleForm,
)
from onewindow.inspections.models import (
    ACTIVE_INSPECTION_STATUSES,
    ChecklistEntry,
    ChecklistPhoto,
    ChecklistResult,
    CommitmentCheck,
    InspectionStatus,
    JointInspection,
    RectificationEvidence,
)
from onewindow.inspections.notices import notice_filename, rectification_notice_pdf
from onewindow.inspections.permissions import (
    DEPARTMENT_ROLES,
    ORGANISE,
    RECTIFY,
    VIEW,
    can,
    get_commitment_check_for,
    get_inspection_for,
)
from onewindow.inspections.selectors import (
    cases_awaiting_inspection,
    checklist_view,
    commitment_check_timeline,
    commitment_checks_for,
    commitment_clauses,
    current_notice,
    findings_by_department,
    inspection_timeline,
    inspections_for,
    latest_inspection,
    may_schedule,
    notice_for,
    schedule_plan,
)
from onewindow.lib.pdf import FontUnavailable, pdf_response
from onewindow.licenses.models import LicenceStatus

FINISHED_SHOWN = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# Department staff only (inspectors, and reviewers who organise or read results); others get 403.
_staff = role_required(*DEPARTMENT_ROLES)


def _inspection(request: HttpRequest, inspection_id: int, action: str = VIEW) -> JointInspection:
    try:
        return get_inspection_for(_user(request), inspection_id, action)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None


# ---------------------------------------------------------------- my inspections


@require_GET
@_staff
def mine(request: HttpRequest) -> HttpResponse:
    """我的核查: what the inspector's department takes part in; for organisers, cases to schedule."""
    user = _user(request)
    inspections = inspections_for(user)
    return render(
        request,
        "inspections/mine.html",
        {
            "active": list(inspections.filter(status__in=ACTIVE_INSPECTION_STATUSES)),
            "finished": list(
                inspections.exclude(status__in=ACTIVE_INSPECTION_STATUSES).order_by("-ended_at", "-id")[
                    :FINISHED_SHOWN
                ]
            ),
            "awaiting": list(cases_awaiting_inspection(user)),
            "department": user.department,
        },
    )


# ---------------------------------------------------------------- schedule


def _schedulable_case(user: User, case_id: int) -> Case:
    case = Case.objects.select_related("bundle__lead_department", "enterprise").filter(pk=case_id).first()
    if case is None or not may_schedule(user, case):
        raise Http404(_("没有找到这个办件，或者您所在部门不是该主题联合核查的牵头部门。"))
    return case


@require_http_methods(["GET", "POST"])
@_staff
def schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    """安排联合核查: time, address and one inspector per department, for every site-check item."""
    user = _user(request)
    case = _schedulable_case(user, case_id)
    running = JointInspection.objects.filter(case=case, status__in=ACTIVE_INSPECTION_STATUSES).first()
    if running is not None:
        messages.info(request, _("该办件已有一次正在进行的联合核查。"))
        return redirect("inspections:checklist", inspection_id=running.pk)
    plan = schedule_plan(case)
    address = case.form_data.get("business_address") or (case.enterprise.address if case.enterprise else "")
    form = ScheduleForm(request.POST or None, plan=plan, initial={"address": address})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_schedule(
                case=case,
                organiser=user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                address=form.cleaned_data["address"],
                inspectors=form.inspectors(),
            )
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        else:
            messages.success(request, _("已安排联合核查，并已通知申请人和各部门核查人员；各事项暂停计时。"))
            return redirect("inspections:checklist", inspection_id=inspection.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "inspections/schedule.html",
        {"case": case, "form": form, "plan": plan, "holder_code": holder_code_display(case.holder_code)},
        status=status,
    )


# ---------------------------------------------------------------- the shared checklist


def _checklist_page(
    request: HttpRequest,
    inspection: JointInspection,
    *,
    error: str = "",
    bound_entry: int | None = None,
    entry_form: EntryForm | None = None,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    view = checklist_view(inspection, user)
    organiser_forms: dict[str, Any] = {}
    if view.organiser:
        organiser_forms = {
            "finish": FinishForm(),
            "reinspection": ReinspectionForm(initial={"address": inspection.address}),
            "close": CloseForm(),
            **(forms or {}),
        }
    return render(
        request,
        "inspections/checklist.html",
        {
            "inspection": inspection,
            "case": inspection.case,
            "view": view,
            "error": error,
            "bound_entry": bound_entry,
            "entry_form": entry_form,
            "organiser_forms": organiser_forms,
            "results": ChecklistResult.choices,
            "timeline": inspection_timeline(inspection),
            "recording": inspection.status in (InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS),
            "holder_code": holder_code_display(inspection.case.holder_code),
        },
        status=status,
    )


@require_GET
@_staff
def checklist(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """共享核查清单: every department's section on one page; each inspector edits only his own."""
    return _checklist_page(request, _inspection(request, inspection_id))


@require_POST
@_staff
def record(request: HttpRequest, inspection_id: int, entry_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    entry = ChecklistEntry.objects.filter(pk=entry_id, assignment__inspection=inspection).first()
    if entry is None:
        raise Http404(_("没有找到这个核查项。"))
    form = EntryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _checklist_page(request, inspection, bound_entry=entry.pk, entry_form=form, status=422)
    try:
        services.checklist_record(
            entry=entry,
            inspector=_user(request),
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            photos=form.cleaned_data["photos"],
        )
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except (CaseForbidden, CaseConflict) as exc:
        return _checklist_page(
            request, _inspection(request, inspection_id), error=exc.message, status=exc.status
        )
    except CaseError as exc:
        form.add_service_errors(exc)
        return _checklist_page(request, inspection, bound_entry=entry.pk, entry_form=form, status=exc.status)
    messages.success(request, _("已保存。"))
    return redirect(reverse("inspections:checklist", args=[inspection.pk]) + f"#entry-{entry.pk}")


def _organiser_action(
    request: HttpRequest,
    inspection_id: int,
    name: str,
    form: Any,
    perform: Callable[[JointInspection, User, dict[str, Any]], str],
) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    if not can(_user(request), ORGANISE, inspection):
        return _checklist_page(
            request,
            inspection,
            error=_("只有牵头部门（%(department)s）的人员可以办理此项。")
            % {"department": inspection.organiser_department.name},
            status=403,
        )
    status = 422
    if form.is_valid():
        try:
            message = perform(inspection, _user(request), form.cleaned_data)
        except CaseNotFound as exc:
            raise Http404(exc.message) from None
        except CaseConflict as exc:
            return _checklist_page(
                request, _inspection(request, inspection_id), error=exc.message, status=409
            )
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        else:
            messages.success(request, message)
            return redirect("inspections:checklist", inspection_id=inspection.pk)
    return _checklist_page(request, inspection, forms={name: form}, status=status)


def _finish(inspection: JointInspection, user: User, data: dict[str, Any]) -> str:
    finished = services.inspection_finish(
        inspection=inspection, organiser=user, rectification_workdays=data["rectification_workdays"]
    )
    if finished.status == InspectionStatus.PASSED:
        return _("联合核查通过，已通知申请人，各事项恢复计时。")
    return _("已出具整改通知书（一次告知）并通知申请人；整改期间各事项继续暂停计时。")


def _reinspect(inspection: JointInspection, user: User, data: dict[str, Any]) -> str:
    services.reinspection_schedule(
        inspection=inspection, organiser=user, scheduled_at=data["scheduled_at"], address=data["address"]
    )
    return _("已安排复查，并已通知申请人和有关部门的核查人员。")


def _close(inspection: JointInspection, user: User, data: dict[str, Any]) -> str:
    services.inspection_close(inspection=inspection, organiser=user, reason=data["reason"])
    return _("联合核查已关闭，各事项恢复计时。")


@require_POST
@_staff
def finish(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return _organiser_action(request, inspection_id, "finish", FinishForm(request.POST), _finish)


@require_POST
@_staff
def reinspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return _organiser_action(
        request, inspection_id, "reinspection", ReinspectionForm(request.POST), _reinspect
    )


@require_POST
@_staff
def close(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return _organiser_action(request, inspection_id, "close", CloseForm(request.POST), _close)


# ---------------------------------------------------------------- the applicant


def _applicant_inspection(user: User, case_id: int) -> JointInspection:
    case = Case.objects.filter(pk=case_id).first()
    inspection = latest_inspection(case) if case is not None else None
    if inspection is None or not can(user, RECTIFY, inspection):
        raise Http404(_("没有找到这个办件的现场核查整改通知。"))
    return inspection


@require_http_methods(["GET", "POST"])
@signed_in_required
def rectification(request: HttpRequest, case_id: int) -> HttpResponse:
    """整改: the consolidated notice with every department's findings, and the report form."""
    user = _user(request)
    inspection = _applicant_inspection(user, case_id)
    form = RectificationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.rectification_report(
                    inspection=inspection,
                    applicant=user,
                    text=form.cleaned_data["text"],
                    evidence=form.cleaned_data["evidence"],
                )
            except CaseNotFound as exc:
                raise Http404(exc.message) from None
            except CaseError as exc:
                form.add_service_errors(exc)
                status = exc.status
                inspection = _applicant_inspection(user, case_id)
            else:
                messages.success(request, _("整改情况已报告，牵头部门将安排复查，届时会短信通知您。"))
                return redirect("inspections:rectification", case_id=case_id)
    notice = current_notice(inspection)
    return render(
        request,
        "inspections/rectification.html",
        {
            "inspection": inspection,
            "case": inspection.case,
            "notice": notice,
            "groups": findings_by_department(notice) if notice else [],
            "report": inspection.reports.filter(round=inspection.round).prefetch_related("evidence").first(),
            "form": form,
            "can_report": inspection.status == InspectionStatus.FINDINGS_ISSUED,
            "notices": list(inspection.notices.order_by("round")),
            "holder_code": holder_code_display(inspection.case.holder_code),
        },
        status=status,
    )


# ---------------------------------------------------------------- documents and files


def _readable_inspection(user: User, inspection_id: int) -> JointInspection:
    """Staff of a department that takes part, or the case's applicant."""
    action = RECTIFY if user.role == Role.APPLICANT else VIEW
    try:
        return get_inspection_for(user, inspection_id, action)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None


@require_GET
@signed_in_required
def notice_pdf(request: HttpRequest, inspection_id: int, round_number: int) -> HttpResponse:
    inspection = _readable_inspection(_user(request), inspection_id)
    notice = notice_for(inspection, round_number)
    if notice is None:
        raise Http404(_("这一轮核查没有出具整改通知书。"))
    try:
        content = rectification_notice_pdf(notice, inspection)
    except FontUnavailable as exc:
        context = {"error": exc, "document": _("整改通知书")}
        return render(request, "public/pdf_unavailable.html", context, status=503)
    return pdf_response(
        content,
        notice_filename(notice, inspection.case),
        ascii_filename=f"rectification-{inspection.pk}-{notice.round}.pdf",
    )


def _file_response(stored: ChecklistPhoto | RectificationEvidence) -> FileResponse:
    name = stored.original_name or stored.file.name.rsplit("/", 1)[-1]
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type, filename=name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@_staff
def photo(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    # One answer whether the photo is missing or another's: a stranger learns nothing of what exists.
    missing = _("没有找到这张照片。")
    stored = ChecklistPhoto.objects.select_related("entry__assignment").filter(pk=photo_id).first()
    if stored is None:
        raise Http404(missing)
    try:
        _inspection(request, stored.entry.assignment.inspection_id)
    except Http404:
        raise Http404(missing) from None
    return _file_response(stored)


@require_GET
@signed_in_required
def evidence(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    missing = _("没有找到这份材料。")
    stored = RectificationEvidence.objects.select_related("report").filter(pk=evidence_id).first()
    if stored is None:
        raise Http404(missing)
    try:
        _readable_inspection(_user(request), stored.report.inspection_id)
    except Http404:
        raise Http404(missing) from None
    return _file_response(stored)


# ---------------------------------------------------------------- 事后核查 (checks of commitments)


@require_GET
@_staff
def commitment_checks(request: HttpRequest) -> HttpResponse:
    """告知承诺事后核查: the department's permits granted on commitment, to be checked on site."""
    user = _user(request)
    rows, closed = commitment_checks_for(user, timezone.localdate(), settings.DUE_SOON_WORKDAYS)
    return render(
        request,
        "inspections/commitment_checks.html",
        {"rows": rows, "closed": closed, "department": user.department},
    )


def _check_page(
    request: HttpRequest,
    check: CommitmentCheck,
    form: CommitmentCheckForm | None = None,
    status: int = 200,
    *,
    error: str = "",
    unsaved: str = "",
) -> HttpResponse:
    if form is None and check.is_open:
        form = CommitmentCheckForm(initial={"round": check.round})
    licence = check.case.licences.filter(status=LicenceStatus.VALID).first()
    return render(
        request,
        "inspections/commitment_check.html",
        {
            "check": check,
            "form": form if check.is_open else None,
            "clauses": commitment_clauses(check),
            "timeline": commitment_check_timeline(check),
            "holder_code": holder_code_display(check.case.holder_code),
            "licence": licence,
            "address": check.case.form_data.get("business_address", ""),
            "error": error,
            "unsaved": unsaved,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@_staff
def commitment_check(request: HttpRequest, check_id: int) -> HttpResponse:
    user = _user(request)
    try:
        check = get_commitment_check_for(user, check_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    if request.method == "GET":
        return _check_page(request, check)
    form = CommitmentCheckForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.commitment_check_record(
                check_id=check.pk,
                inspector=user,
                result=data["result"],
                findings=data["findings"],
                rectify_by=data["rectify_by"],
                expected_round=data["round"],
            )
        except CaseNotFound as exc:
            raise Http404(exc.message) from None
        except CaseConflict as exc:
            fresh = get_commitment_check_for(user, check_id)
            if fresh.is_open:
                form.add_error(None, exc.message)
                return _check_page(request, fresh, form, status=409)
            # The check has its result: no form is offered any more, but what was typed is shown back.
            return _check_page(request, fresh, status=409, error=exc.message, unsaved=data["findings"])
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        else:
            messages.success(request, CHECK_RECORDED[data["result"]])
            return redirect("inspections:commitment_check", check_id=recorded.pk)
    return _check_page(request, check, form, status=status)


CHECK_RECORDED = {
    services.CheckResult.CONFIRMED: gettext_lazy("已记录核查相符，并已通知申请人。"),
    services.CheckResult.RECTIFY: gettext_lazy("已责令限期整改并通知申请人；整改期限届满后请再次核查。"),
    services.CheckResult.REVOKE: gettext_lazy(
        "已记录撤销许可的决定，并已通知申请人和综合审批机构（由其变更或吊销综合许可证）。"
    ),
}

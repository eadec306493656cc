"""Case pages: applicants fill, hand in, sign, submit and follow; the window accepts, asks once, or refuses.

Every page asks permissions.get_case_for for the case, so a case the user may not see is a
404. Every CaseError from a service comes back as its Chinese message on the page the user
was on, with its status (409 when someone else changed the case first), never as a 500.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.accounts.kiosk import kiosk_center, kiosk_mode_off, kiosk_mode_on
from onewindow.accounts.models import Role, User
from onewindow.accounts.registration import (
    AccountConfirmationRequired,
    RegistrationError,
)
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.selectors import PauseRequest, pause_request
from onewindow.bundles.models import Bundle
from onewindow.bundles.planner import Condition, material_reason
from onewindow.cases import notices
from onewindow.cases.errors import CaseConflict, CaseError, CaseInvalid, CaseNotFound
from onewindow.cases.formcheck import case_form_problems
from onewindow.cases.forms import (
    AssistForm,
    RefuseForm,
    SupplementInput,
    answers_from_post,
    field_rows,
    form_values,
    item_names,
    question_rows,
    supplement_errors,
    supplement_input,
    supplement_rows,
)
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Channel,
    Submission,
    SupplementRequest,
)
from onewindow.cases.permissions import (
    DEPARTMENT_ROLES,
    DOWNLOAD_MATERIAL,
    EDIT,
    EDITABLE,
    VIEW,
    WINDOW,
    can,
    get_case_for,
    get_material_for,
)
from onewindow.cases.selectors import (
    WINDOW_QUEUE_STATUSES,
    case_due_summary,
    cases_assisted_by,
    cases_listed_for,
    window_queue,
)
from onewindow.cases.services import (
    SupplementTold,
    case_accept,
    case_commitment_sign,
    case_form_save,
    case_material_fetch_shared,
    case_material_upload,
    case_materials_fetch_shared,
    case_refuse,
    case_request_supplement,
    case_start,
    case_submit,
    commitment_sha256,
    commitment_text,
    submission_problems,
    supplement_told,
)
from onewindow.cases.timeline import action_label
from onewindow.inspections.models import (
    CommitmentCheck,
    CommitmentCheckStatus,
    InspectionStatus,
    JointInspection,
    RectificationNotice,
)
from onewindow.inspections.selectors import current_notice, latest_inspection
from onewindow.lib.flash import success_once
from onewindow.lib.idcheck import mask_id_number, mask_mobile
from onewindow.lib.pdf import FontUnavailable, pdf_response
from onewindow.licenses.models import ComprehensiveLicense, Delivery, LicenceStatus
from onewindow.licenses.views import VIEW as LICENCE_VIEW
from onewindow.licenses.views import can as can_see_licence
from onewindow.notifications.models import Notification
from onewindow.notifications.services import notification_mark_read

logger = logging.getLogger(__name__)

NEXT_STEPS: dict[str, Promise] = {
    CaseStatus.DRAFT: gettext_lazy("请填写申请表、提交材料、签署告知承诺书，然后提交申请。草稿会自动保存。"),
    CaseStatus.SUBMITTED: gettext_lazy(
        "等待综合窗口受理。窗口将在5个工作日内受理，或一次告知需要补正的全部内容。"
    ),
    CaseStatus.SUPPLEMENT: gettext_lazy("请按补正材料通知书一次补齐所列内容，然后重新提交。"),
    CaseStatus.REFUSED: gettext_lazy("本申请不予受理，理由见下方和不予受理通知书。"),
    CaseStatus.IN_APPROVAL: gettext_lazy(
        "各部门正在并联审批，请留意各事项的到期日。审批结果会以站内消息和短信通知您。"
    ),
    CaseStatus.APPROVED: gettext_lazy("所有事项均已准予许可，综合审批机构将在10个工作日内发放综合许可证。"),
    CaseStatus.DENIED: gettext_lazy("审批已完成，部分事项不予许可，理由见下方。"),
    CaseStatus.ISSUED: gettext_lazy("综合许可证已发放。"),
    CaseStatus.CLOSED: gettext_lazy("办件已办结。"),
    CaseStatus.WITHDRAWN: gettext_lazy("办件已撤回。"),
}

STATUS_BADGES: dict[str, str] = {
    CaseStatus.DRAFT: "",
    CaseStatus.SUBMITTED: "",
    CaseStatus.SUPPLEMENT: "amber",
    CaseStatus.REFUSED: "red",
    CaseStatus.IN_APPROVAL: "",
    CaseStatus.APPROVED: "green",
    CaseStatus.DENIED: "red",
    CaseStatus.ISSUED: "green",
    CaseStatus.CLOSED: "green",
    CaseStatus.WITHDRAWN: "",
}

QUEUE_TABS = [(status, CaseStatus(status).label) for status in WINDOW_QUEUE_STATUSES]


# ---------------------------------------------------------------- helpers


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, case_id: int, action: str) -> Case:
    try:
        return get_case_for(_user(request), case_id, action)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None


def _now_text() -> str:
    return timezone.localtime().strftime("%H:%M")


def holder_code_display(code: str) -> str:
    return notices.holder_code_display(code)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str
    done: bool


def _steps(case: Case, problems: dict[str, str]) -> list[Step]:
    form_done = not any(key for key in problems if not key.startswith("material:") and key != "commitment")
    materials_done = not any(key.startswith("material:") for key in problems)
    return [
        Step("form", _("填写申请表"), reverse("cases:form", args=[case.pk]), form_done),
        Step("materials", _("提交材料"), reverse("cases:materials", args=[case.pk]), materials_done),
        Step(
            "commitment",
            _("签署承诺书"),
            reverse("cases:commitment", args=[case.pk]),
            "commitment" not in problems,
        ),
        # Never ticked while the case can still be edited: submitting is the step itself, not a check.
        Step("submit", _("检查并提交"), reverse("cases:submit", args=[case.pk]), False),
    ]


def _case_context(request: HttpRequest, case: Case, step: str = "") -> dict[str, Any]:
    user = _user(request)
    editable = case.status in EDITABLE and can(user, EDIT, case)
    problems = submission_problems(case) if editable else {}
    return {
        "case": case,
        "step": step,
        "steps": _steps(case, problems) if editable else [],
        "problems": problems,
        "editable": editable,
        "holder_code": holder_code_display(case.holder_code),
        "is_window": can(user, WINDOW, case),
        "open_supplement": _open_supplement(case),
    }


def _continue_url(case: Case, supplement: SupplementRequest | None) -> str:
    """Where 继续填写 / 去补正 leads: to the first document the window asked for, if it asked for one."""
    materials = [
        entry["material"] for entry in (supplement.entries if supplement else []) if entry.get("material")
    ]
    if materials:
        return reverse("cases:materials", args=[case.pk]) + f"#material-{materials[0]}"
    return reverse("cases:form", args=[case.pk])


def _open_supplement(case: Case) -> SupplementRequest | None:
    if case.status != CaseStatus.SUPPLEMENT:
        return None
    return case.supplement_requests.filter(resolved_at__isnull=True).order_by("-requested_at").first()


def _not_editable(request: HttpRequest, case: Case) -> HttpResponseRedirect:
    messages.info(
        request, _("办件当前状态为“%(status)s”，不能再修改。") % {"status": case.get_status_display()}
    )
    return HttpResponseRedirect(reverse("cases:progress", args=[case.pk]))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _published_bundle(code: str) -> Bundle | None:
    """The published bundle with this code; a code with a NUL character names none, and PostgreSQL
    refuses one even in a query."""
    if "\x00" in code:
        return None
    return Bundle.objects.filter(code=code, is_published=True).first()


# ---------------------------------------------------------------- starting a case


def _start_url(bundle_code: str, answers: dict[str, str]) -> str:
    query = urlencode({"bundle": bundle_code, "answers": urlencode(answers)})
    return f"{reverse('cases:start')}?{query}"


def case_start_page(request: HttpRequest) -> HttpResponse:
    """开始申请: the bundle page's button posts here with the bundle code and the answers."""
    data = request.POST if request.method == "POST" else request.GET
    bundle_code = data.get("bundle", "")
    answers = answers_from_post(data)
    if not request.user.is_authenticated:
        return redirect_to_login(_start_url(bundle_code, answers))
    bundle = _published_bundle(bundle_code)
    if bundle is None:
        raise Http404(_("没有找到这个一业一证主题，它可能尚未发布或网址有误。"))
    user = _user(request)
    terminal = kiosk_center(request)
    context: dict[str, Any] = {
        "bundle": bundle,
        "answers_query": urlencode(answers),
        "questions": question_rows(bundle, answers, {}),
        "kiosk": terminal is not None,
    }
    if user.role != Role.APPLICANT:
        context["error"] = _("只有申请人账号可以网上申请。工作人员为申请人办理请使用“代办申请”。")
        context["staff"] = user.role in (Role.CLERK, Role.AGENT)
        return render(request, "cases/start.html", context, status=403)
    if request.method != "POST":
        return render(request, "cases/start.html", context)
    channel = Channel.KIOSK if terminal else Channel.ONLINE
    try:
        # A terminal's case waits in the window queue of the centre that set the terminal up.
        case = case_start(
            bundle_code=bundle.code, applicant=user, answers=answers, channel=channel, service_center=terminal
        )
    except CaseError as exc:
        context["error"] = exc.message
        context["questions"] = question_rows(bundle, answers, exc.fields)
        return render(request, "cases/start.html", context, status=exc.status)
    messages.success(request, _("申请已创建。填写的内容会自动保存，可以随时回来继续。"))
    return HttpResponseRedirect(reverse("cases:form", args=[case.pk]))


# ---------------------------------------------------------------- the form


def _form_page(request: HttpRequest, case: Case, **extra: Any) -> HttpResponse:
    status = extra.pop("status", 200)
    context = _case_context(request, case, "form")
    problems = extra.pop("form_problems", None)
    context["rows"] = field_rows(
        case, problems=problems, show_all=extra.pop("show_all", False), unsaved=extra.pop("unsaved", None)
    )
    context["row_errors"] = [row for row in context["rows"] if row.error]
    context.update(extra)
    return render(request, "cases/form.html", context, status=status)


@login_required
def case_form(request: HttpRequest, case_id: int) -> HttpResponse:
    """一表申请: the merged form. Works without JavaScript; with htmx each change saves at once."""
    case = _case(request, case_id, EDIT)
    if case.status not in EDITABLE:
        return _not_editable(request, case)
    if request.method != "POST":
        return _form_page(request, case)
    data = form_values(case, request.POST)
    try:
        problems = case_form_save(case=case, user=_user(request), data=data)
    except CaseInvalid as exc:
        # Nothing was saved: what was typed stays in its inputs, each refusal beside its field.
        return _form_page(
            request,
            case,
            error=exc.message,
            status=exc.status,
            form_problems={**case_form_problems(case), **exc.fields},
            unsaved=data,
            show_all=True,
        )
    except CaseError as exc:
        return _form_page(request, case, error=exc.message, status=exc.status)
    if "continue" in request.POST and not problems:
        messages.success(request, _("申请表已保存（%(time)s）。") % {"time": _now_text()})
        return HttpResponseRedirect(reverse("cases:materials", args=[case.pk]))
    return _form_page(
        request,
        case,
        form_problems=problems,
        show_all=True,
        saved_at=_now_text(),
        focus_errors=bool(problems),
    )


def _autosave_failed(request: HttpRequest, message: str) -> HttpResponse:
    """Only the status line changes, so the value the person typed stays in its input."""
    response = render(request, "cases/_autosave_status.html", {"error": message})
    response["HX-Retarget"] = "#autosave-status"
    response["HX-Reswap"] = "innerHTML"
    return response


@require_POST
def case_form_save_field(request: HttpRequest, case_id: int) -> HttpResponse:
    """Autosave of one field (htmx): the field comes back with its error or its ok state."""
    if not request.user.is_authenticated:
        if _is_htmx(request):
            # A redirect would be followed by htmx and the sign-in page swapped into the form.
            return _autosave_failed(
                request, _("登录已超时，这一项没有保存。请先记下尚未保存的内容，重新登录后再填写。")
            )
        return redirect_to_login(reverse("cases:form", args=[case_id]))
    case = _case(request, case_id, EDIT)
    data = form_values(case, request.POST)
    try:
        problems = case_form_save(case=case, user=_user(request), data=data)
    except CaseError as exc:
        if not _is_htmx(request):
            return _form_page(request, case, error=exc.message, status=exc.status)
        # One field is autosaved at a time: its own reason says more than the general one.
        return _autosave_failed(request, " ".join(exc.fields.values()) or exc.message)
    if not _is_htmx(request):
        return HttpResponseRedirect(reverse("cases:form", args=[case.pk]))
    rows = [row for row in field_rows(case, problems=problems) if row.code in data]
    return render(
        request, "cases/_form_save_response.html", {"case": case, "rows": rows, "saved_at": _now_text()}
    )


# ---------------------------------------------------------------- materials


@dataclass(frozen=True)
class MaterialRow:
    row: CaseMaterial
    reason: str
    items: tuple[str, ...]
    error: str

    @property
    def code(self) -> str:
        return self.row.material.code

    @property
    def sha_short(self) -> str:
        return self.row.sha256[:12]


def _material_reason(spec: dict[str, Any], item_names: tuple[str, ...]) -> str:
    """Why the case's checklist asks for a material, in the reader's language; a snapshot taken
    before its conditions were kept as data has only the sentence of the day it was taken."""
    if "conditions" not in spec:
        return str(spec.get("reason", ""))
    return material_reason(item_names, [Condition.from_data(c) for c in spec["conditions"]])


def _material_rows(case: Case, errors: dict[str, str] | None = None) -> list[MaterialRow]:
    planned = {m["code"]: m for m in case.plan.get("materials", [])}
    names = item_names(case)
    rows = []
    for row in case.materials.select_related("material").order_by("id"):
        spec = planned.get(row.material.code, {})
        items = tuple(names.get(code, code) for code in spec.get("items", []))
        rows.append(
            MaterialRow(
                row=row,
                reason=_material_reason(spec, items),
                items=items,
                error=(errors or {}).get(row.material.code, ""),
            )
        )
    return rows


def _materials_page(
    request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    context = _case_context(request, case, "materials")
    context["rows"] = _material_rows(case, errors)
    context["shared_pending"] = sum(
        1
        for m in context["rows"]
        if m.row.disposition == CaseMaterial.Disposition.SHARED and not m.row.is_provided
    )
    context["error_code"] = next(iter(errors), "") if errors else ""
    context["upload_limit_mb"] = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return render(request, "cases/materials.html", context, status=status)


@login_required
def case_materials(request: HttpRequest, case_id: int) -> HttpResponse:
    """每份材料只交一次: upload, take from the e-licence library, or covered by the commitment."""
    case = _case(request, case_id, EDIT)
    if case.status not in EDITABLE:
        return _not_editable(request, case)
    return _materials_page(request, case)


@login_required
@require_POST
def case_material_upload_view(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    case = _case(request, case_id, EDIT)
    upload = request.FILES.get("file")
    if upload is None:
        return _materials_page(
            request, case, errors={code: _("请先选择要上传的文件（PDF、JPG 或 PNG）。")}, status=422
        )
    try:
        row = case_material_upload(case=case, user=_user(request), material_code=code, upload=upload)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        return _materials_page(request, case, errors={code: exc.message}, status=exc.status)
    messages.success(
        request,
        _("“%(material)s”已上传（%(file)s）。") % {"material": row.material.name, "file": row.original_name},
    )
    return HttpResponseRedirect(reverse("cases:materials", args=[case.pk]) + f"#material-{code}")


@login_required
@require_POST
def case_material_shared_view(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    case = _case(request, case_id, EDIT)
    try:
        row = case_material_fetch_shared(case=case, user=_user(request), material_code=code)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        return _materials_page(request, case, errors={code: exc.message}, status=exc.status)
    messages.success(
        request,
        _("“%(material)s”已从电子证照库调取（证照标识 %(reference)s）。")
        % {"material": row.material.name, "reference": row.shared_reference},
    )
    return HttpResponseRedirect(reverse("cases:materials", args=[case.pk]) + f"#material-{code}")


@login_required
@require_POST
def case_materials_shared_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """一键调取: every shared material not yet handed in, from one look in the e-licence library."""
    case = _case(request, case_id, EDIT)
    try:
        fetched = case_materials_fetch_shared(case=case, user=_user(request))
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        messages.error(request, exc.message)
        return _materials_page(request, case, status=exc.status)
    if fetched.taken:
        messages.success(
            request,
            ngettext(
                "已从电子证照库调取 %(count)s 份材料。",
                "已从电子证照库调取 %(count)s 份材料。",
                len(fetched.taken),
            )
            % {"count": len(fetched.taken)},
        )
    if fetched.missing:
        # Each material the library lacks shows why next to its own upload field.
        return _materials_page(request, case, errors=fetched.missing, status=200 if fetched.taken else 422)
    return HttpResponseRedirect(reverse("cases:materials", args=[case.pk]))


@login_required
def case_material_download(request: HttpRequest, case_id: int, code: str) -> FileResponse:
    """The uploaded file, only for users who may open this material; never a public URL."""
    try:
        row = get_material_for(_user(request), case_id, code)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    if not row.file:
        raise Http404(_("这份材料没有上传文件。"))
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        logger.error("material file missing: case %s material %s", case_id, code)
        raise Http404(_("材料文件暂时无法读取，请联系系统管理员。")) from None
    extension = row.file.name.rsplit(".", 1)[-1] if "." in row.file.name else "bin"
    filename = row.original_name or f"{row.material.name}.{extension}"
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("open") != "1",
        filename=filename,
        content_type=row.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- commitment


@login_required
def case_commitment(request: HttpRequest, case_id: int) -> HttpResponse:
    """一书承诺: the exact letter, a tick box and a sign button; afterwards who signed, when, and the hash."""
    case = _case(request, case_id, EDIT)
    if case.status not in EDITABLE:
        return _not_editable(request, case)
    error = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("agree") != "yes":
            error = _("请先勾选“我已阅读并承诺”，再签署。")
            status = 422
        else:
            try:
                # A page from before this field sends no digest: it signs as it always did.
                shown = request.POST.get("sha256")
                case_commitment_sign(case=case, user=_user(request), shown_sha256=shown)
            except CaseError as exc:
                error = exc.message
                status = exc.status
            else:
                messages.success(request, _("告知承诺书已签署。"))
                return HttpResponseRedirect(reverse("cases:commitment", args=[case.pk]))
    context = _case_context(request, case, "commitment")
    text = commitment_text(case)
    signature = getattr(case, "commitment_signature", None)
    context.update(
        {
            "text": text,
            "text_sha256": commitment_sha256(text),
            "signature": signature,
            "signature_stale": bool(signature and signature.text != text),
            "required": bool(case.plan.get("commitment")),
            "error": error,
        }
    )
    return render(request, "cases/commitment.html", context, status=status)


# ---------------------------------------------------------------- submit


@dataclass(frozen=True)
class ProblemLink:
    message: str
    url: str


def _problem_links(case: Case, problems: dict[str, str]) -> list[ProblemLink]:
    links = []
    for key, message in problems.items():
        if key.startswith("material:"):
            code = key.split(":", 1)[1]
            url = reverse("cases:materials", args=[case.pk]) + f"#material-{code}"
        elif key == "commitment":
            url = reverse("cases:commitment", args=[case.pk])
        else:
            url = reverse("cases:form", args=[case.pk]) + f"#field-{key}"
        links.append(ProblemLink(message, url))
    return links


@login_required
def case_submit_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """提交: every remaining problem with a link to fix it; a one-time key makes a double click harmless."""
    case = _case(request, case_id, EDIT)
    key = request.POST.get("key", "") if request.method == "POST" else ""
    if "\x00" in key:  # not a key the page gave (they are hex), and PostgreSQL refuses it even in a query
        key = ""
    if request.method == "POST":
        try:
            case = case_submit(case=case, user=_user(request), key=key)
        except CaseConflict as exc:
            if exc.code == "submission_key_stale":
                # A page from before a supplement request: nothing was submitted. The page comes
                # back with a fresh key and what is still missing, to submit from now.
                case.refresh_from_db()
                context = _case_context(request, case, "submit")
                context.update(
                    {
                        "error": exc.message,
                        "links": _problem_links(case, context["problems"]),
                        "key": uuid.uuid4().hex,
                    }
                )
                return render(request, "cases/submit.html", context, status=exc.status)
            if Submission.objects.filter(key=key, case=case).exists():
                # A concurrent duplicate of the request that just succeeded.
                return HttpResponseRedirect(reverse("cases:progress", args=[case.pk]))
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("cases:progress", args=[case.pk]))
        except CaseError as exc:
            case.refresh_from_db()
            context = _case_context(request, case, "submit")
            context.update(
                {
                    "error": exc.message,
                    "links": _problem_links(case, exc.fields or context["problems"]),
                    "key": key,
                }
            )
            return render(request, "cases/submit.html", context, status=exc.status)
        # A second tap of the same submit (same key) lands here too: one message, not two.
        success_once(
            request, _("申请已提交，办件编号 %(number)s。请留意受理结果通知。") % {"number": case.number}
        )
        return HttpResponseRedirect(reverse("cases:progress", args=[case.pk]))
    if case.status not in EDITABLE:
        return _not_editable(request, case)
    context = _case_context(request, case, "submit")
    context.update({"links": _problem_links(case, context["problems"]), "key": uuid.uuid4().hex})
    return render(request, "cases/submit.html", context)


# ---------------------------------------------------------------- follow a case


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str
    detail: str


def _field_label(name: str) -> str:
    """A case field's name in the reader's language; a field removed since keeps its code."""
    try:
        field = Case._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _timeline(case: Case) -> list[TimelineRow]:
    materials = {m["code"]: m["name"] for m in case.plan.get("materials", [])}
    items = item_names(case)
    rows = []
    for event in case.events.order_by("seq"):
        details = []
        data = event.data or {}
        if data.get("material"):
            details.append(_("“%(name)s”") % {"name": materials.get(data["material"], data["material"])})
        if data.get("item"):
            details.append(_("《%(name)s》") % {"name": items.get(data["item"], data["item"])})
        if event.action == "supplement_requested":
            count = len(data.get("entries", []))
            details.append(ngettext("共 %(count)s 项", "共 %(count)s 项", count) % {"count": count})
        if event.action == "corrected":
            details.append(_("、").join(_field_label(name) for name in data.get("fields", [])))
        if event.comment:
            details.append(event.comment)
        rows.append(TimelineRow(event, action_label(event.action), _("；").join(details)))
    return rows


@dataclass(frozen=True)
class BranchRow:
    branch: Branch
    estimated_due: date | None  # a waiting branch's estimate; None for the others
    asked: PauseRequest | None  # what the department asked when it paused the clock, if it asked anything
    check: CommitmentCheck | None = None  # the on-site check of a permit granted on commitment


def _when(moment: datetime) -> str:
    """A date and time as the progress page writes them, in the reader's language."""
    local = timezone.localtime(moment)
    return f"{date_format(local, _('Y年n月j日'))} {local:%H:%M}"


def _rectification_step(asked: list[PauseRequest], *, for_applicant: bool = True) -> str:
    """What the applicant must do for departments that stopped their clocks to ask him something;
    to anyone else reading his case, where it stands."""
    waiting = [r for r in asked if r.answerable]
    unanswered = [r for r in waiting if not r.replies]
    if unanswered and not for_applicant:
        return _("%(departments)s要求申请人整改或补正，相关事项暂停计时，等待申请人答复。") % {
            "departments": _("、").join(r.branch.department.short_name for r in unanswered)
        }
    if unanswered:
        return _(
            "%(departments)s要求整改，相关事项暂停计时。请在下方该部门事项中点“答复整改要求”，"
            "说明整改情况并附上照片或材料；部门审核您的答复后恢复计时。"
        ) % {"departments": _("、").join(r.branch.department.short_name for r in unanswered)}
    if waiting:
        return _("您已答复%(departments)s的整改要求，等待部门审核；审核通过后恢复计时。") % {
            "departments": _("、").join(r.branch.department.short_name for r in waiting)
        }
    return ""


def _inspection_step(inspection: JointInspection | None, notice: RectificationNotice | None) -> str:
    """What the applicant must do for a running joint inspection."""
    if inspection is None:
        return ""
    if inspection.status == InspectionStatus.SCHEDULED:
        return _(
            "各部门将于%(when)s到%(address)s联合现场核查，请届时在场并备齐相关证照；核查期间相关事项暂停计时。"
        ) % {"when": _when(inspection.scheduled_at), "address": inspection.address}
    if inspection.status == InspectionStatus.IN_PROGRESS:
        return _("联合现场核查正在进行；如需整改，核查结束后将一次告知全部问题。")
    if inspection.status == InspectionStatus.FINDINGS_ISSUED and notice is not None:
        return _(
            "联合现场核查发现需要整改的问题，请在%(due)s前整改完毕，并在“联合核查与整改”中报告整改情况；"
            "整改期间相关事项暂停计时。"
        ) % {"due": date_format(notice.due_on, _("Y年n月j日"))}
    if inspection.status == InspectionStatus.RECTIFIED:
        return _("您已报告整改情况，等待牵头部门安排复查。")
    return ""


def _licence_step(case: Case, licence: ComprehensiveLicense | None) -> str:
    """What is left to do with an issued licence: choose how to receive it, then receive it."""
    if licence is None:
        return str(NEXT_STEPS[CaseStatus.ISSUED])
    delivery = getattr(licence, "delivery", None)
    if delivery is None:
        return _("综合许可证已签发。请打开下方证照页面，选择窗口领取或邮寄送达。")
    if delivery.status == Delivery.Status.SHIPPED:
        return _("综合许可证已由%(carrier)s寄出，运单号 %(tracking)s，请注意查收。") % {
            "carrier": delivery.carrier,
            "tracking": delivery.tracking_number,
        }
    if delivery.method == Delivery.Method.POST:
        return _("您选择了邮寄送达，综合许可证待寄出；寄出后会以短信告知运单号。")
    if delivery.pickup_code_void:
        return _("取件码已作废。请打开下方证照页面重新选择窗口领取，获得新的取件码后再到窗口领取。")
    return _(
        "您选择了窗口领取：请携带本人身份证件到%(centre)s发证窗口，出示证照页面上的取件码领取综合许可证。"
    ) % {"centre": case.service_center.name}


@login_required
def case_progress(request: HttpRequest, case_id: int) -> HttpResponse:
    """办件进度: status, departments' results, what comes next, notices and the timeline in plain words.

    A department's reviewer goes to his own branch page, and an inspector to his inspections: the whole
    form and timeline would show what other departments asked and what the applicant answered them.
    """
    case = _case(request, case_id, VIEW)
    user = _user(request)
    if user.role in DEPARTMENT_ROLES:
        if user.role == Role.INSPECTOR:
            return HttpResponseRedirect(reverse("inspections:mine"))
        own = (
            case.branches.filter(department_id=user.department_id).order_by("id").first()
            if user.department_id is not None
            else None
        )
        if own is None:
            raise Http404(_("没有找到这个办件，请确认办件编号。"))
        return HttpResponseRedirect(reverse("approvals:branch", args=[own.pk]))
    context = _case_context(request, case)
    branches = list(
        case.branches.select_related("item", "department", "commitment_check")
        .prefetch_related("prerequisites")
        .order_by("id")
    )
    due = case_due_summary(branches)
    asked = {b.pk: pause_request(b) for b in branches if b.status == BranchStatus.PAUSED}
    inspection = latest_inspection(case)
    notice = current_notice(inspection) if inspection is not None else None
    # The licence page is the licence's to allow (the assisting guide and the admin may read the case,
    # not the licence): a button it would answer with 404 is not offered.
    valid = list(case.licences.filter(status=LicenceStatus.VALID).select_related("case", "delivery"))
    licences = [licence for licence in valid if can_see_licence(user, LICENCE_VIEW, licence)]
    next_step = str(NEXT_STEPS.get(case.status, ""))
    if case.status == CaseStatus.IN_APPROVAL:
        steps = [
            _rectification_step(
                [r for r in asked.values() if r is not None], for_applicant=user.pk == case.applicant_id
            ),
            _inspection_step(inspection if inspection and inspection.is_active else None, notice),
        ]
        next_step = " ".join(step for step in steps if step) or next_step
    elif case.status == CaseStatus.ISSUED:
        next_step = _licence_step(case, valid[0] if valid else None)
    revoked = [
        b
        for b in branches
        if getattr(b, "commitment_check", None) and b.commitment_check.status == CommitmentCheckStatus.REVOKED
    ]
    if revoked:
        next_step = _(
            "%(departments)s经事后核查决定撤销%(items)s：不能再据此经营相关项目，综合审批机构将据此变更或吊销综合许可证。"
        ) % {
            "departments": _("、").join(b.department.short_name for b in revoked),
            "items": _("、").join(f"《{b.item.name}》" for b in revoked),
        }
    context.update(
        {
            "branches": [
                BranchRow(b, due.estimates.get(b.pk), asked.get(b.pk), getattr(b, "commitment_check", None))
                for b in branches
            ],
            "latest_due": due.latest,
            "latest_due_estimated": due.estimated,
            "waiting_left_out": due.waiting_left_out,
            "due_warnings": due.warnings,
            "any_paused": any(b.status == BranchStatus.PAUSED for b in branches),
            "next_step": next_step,
            "continue_url": _continue_url(case, context["open_supplement"]),
            # After a supplement, submitted_at is the resubmission; the first submission is on the record.
            "first_submitted_at": CaseEvent.objects.filter(case=case, action="submitted")
            .order_by("seq")
            .values_list("at", flat=True)
            .first(),
            "badge": STATUS_BADGES.get(case.status, ""),
            "supplements": list(case.supplement_requests.order_by("-requested_at")),
            "inspection": inspection,
            "inspection_notice": notice,
            "licences": licences,
            "timeline": _timeline(case),
            "rows": field_rows(case),
            "materials": _material_rows(case),
            "can_download": can(user, DOWNLOAD_MATERIAL, case),
        }
    )
    return render(request, "cases/progress.html", context)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件: an applicant's own cases; for window and guidance staff, the cases they file for others."""
    user = _user(request)
    cases = list(cases_listed_for(user))
    title = _("我代办的办件") if user.role in (Role.CLERK, Role.AGENT) else _("我的办件")
    return render(request, "cases/my_cases.html", {"cases": cases, "title": title, "badges": STATUS_BADGES})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """我的账号: who this account is; the ID number and mobile are shown masked."""
    user = _user(request)
    context = {
        "account": user,
        "id_number": mask_id_number(user.id_number) if user.id_number else "",
        "phone": mask_mobile(user.phone) if user.phone else "",
        "enterprise": user.enterprise,
    }
    return render(request, "cases/profile.html", context)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """站内消息, newest first."""
    items = list(Notification.objects.filter(user=_user(request)).order_by("-created_at")[:200])
    return render(request, "cases/notifications.html", {"notifications": items})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=_user(request), notification_id=notification_id)
    return HttpResponseRedirect(reverse("cases:notifications") + f"#notification-{notification_id}")


# ---------------------------------------------------------------- official notices (PDF)


def _pdf(
    request: HttpRequest,
    case: Case,
    render_notice: Callable[[], bytes],
    name: str,
    ascii_name: str,
    *,
    document: str,
) -> HttpResponse:
    """`name`: the file's name; `document`: what the page calls the notice if it cannot be made."""
    try:
        content = render_notice()
    except FontUnavailable as exc:
        logger.error("notice PDF not rendered: %s", exc)
        context = {"error": exc, "document": document}
        return render(request, "public/pdf_unavailable.html", context, status=503)
    return pdf_response(
        content, f"{name}-{case.number}.pdf", ascii_filename=f"{ascii_name}-{case.number}.pdf"
    )


@login_required
def case_notice(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """受理通知书 or 不予受理通知书, for the applicant and the staff who may see the case."""
    case = _case(request, case_id, VIEW)
    if kind == "acceptance" and case.accepted_at:
        return _pdf(
            request,
            case,
            lambda: notices.acceptance_pdf(case),
            "受理通知书",
            "acceptance",
            document=_("受理通知书"),
        )
    if kind == "refusal" and case.status == CaseStatus.REFUSED:
        return _pdf(
            request,
            case,
            lambda: notices.refusal_pdf(case),
            "不予受理通知书",
            "refusal",
            document=_("不予受理通知书"),
        )
    raise Http404(_("这个办件没有这份通知书。"))


@login_required
def case_supplement_notice(request: HttpRequest, case_id: int, request_id: int) -> HttpResponse:
    """补正材料通知书 of one supplement round."""
    case = _case(request, case_id, VIEW)
    supplement = case.supplement_requests.filter(pk=request_id).first()
    if supplement is None:
        raise Http404(_("这个办件没有这份补正材料通知书。"))
    return _pdf(
        request,
        case,
        lambda: notices.supplement_pdf(case, supplement),
        "补正材料通知书",
        "supplement",
        document=_("补正材料通知书"),
    )


# ---------------------------------------------------------------- kiosk


# Who sets a browser up as a self-service terminal: the staff who run a centre's windows and terminals.
KIOSK_SET_UP_ROLES = (Role.CLERK, Role.CENTRE_ADMIN, Role.ADMIN)
# A terminal files its cases with the centre of whoever set it up, so someone of no centre cannot.
KIOSK_NO_CENTER = gettext_lazy(
    "您的账号没有所属服务中心，不能设置自助终端（自助终端上开始的申请由设置它的工作人员所属的服务中心受理）。"
    "请用终端所在服务中心工作人员的账号登录后设置，或请系统管理员为您的账号设置所属服务中心。"
)
# Leaving kiosk mode is the same staff's: an applicant's press would record that terminal's cases as 网上申请.
KIOSK_EXIT_REFUSED = gettext_lazy(
    "只有政务服务中心的工作人员可以退出自助模式。如需关闭本机的自助终端，请联系窗口工作人员。"
)


def _kiosk_staff(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and getattr(user, "role", "") in KIOSK_SET_UP_ROLES


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """自助终端: a start page with big buttons.

    A browser becomes a terminal only when centre staff set it up here (a POST with the form's
    token); from then on it starts cases on channel kiosk, whoever signs in, until "exit" is pressed.
    The terminal belongs to the centre of whoever set it up: its cases wait in that centre's window
    queue. A plain visit marks nothing, so a link cannot make an applicant's own browser record his
    cases as 自助终端; a terminal's visits renew its mark.

    Asked for JSON, it says whether someone is signed in: the terminal's idle script asks while a
    person reads or types without sending anything, which keeps the sign-in alive (the middleware).
    """
    if (
        request.method == "GET"
        and request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    ):
        answer = JsonResponse({"signed_in": request.user.is_authenticated})
        patch_vary_headers(answer, ["Accept"])
        return answer
    staff = _kiosk_staff(request)
    home = _user(request).service_center if staff else None
    if request.method == "POST":
        if not staff:
            raise PermissionDenied(_("只有政务服务中心的工作人员可以将本机设为自助终端。"))
        if home is None:
            raise PermissionDenied(KIOSK_NO_CENTER)
        response: HttpResponse = HttpResponseRedirect(reverse("cases:kiosk"))
        kiosk_mode_on(response, home)
        return response
    terminal = kiosk_center(request)
    bundles = Bundle.objects.filter(is_published=True).order_by("order", "code")
    response = render(
        request,
        "cases/kiosk.html",
        {
            "bundles": bundles,
            "terminal": terminal,
            "home": home,
            "set_up_refused": KIOSK_NO_CENTER if staff and home is None else "",
            "can_exit": staff,
        },
    )
    patch_vary_headers(response, ["Accept"])
    if terminal is not None:
        kiosk_mode_on(response, terminal)
    return response


@require_POST
def kiosk_exit(request: HttpRequest) -> HttpResponse:
    """退出自助模式: the staff who may set a terminal up may take it out of kiosk mode, nobody else."""
    if not _kiosk_staff(request):
        raise PermissionDenied(KIOSK_EXIT_REFUSED)
    response = HttpResponseRedirect(reverse("public:home"))
    kiosk_mode_off(response)
    return response


# ---------------------------------------------------------------- the window


def _require_role(request: HttpRequest, *roles: str) -> User:
    user = _user(request)
    if user.role not in roles:
        raise PermissionDenied(_("只有综合窗口人员可以使用此页面。"))
    return user


def _queue_since(case: Case, status: str) -> datetime | None:
    """The queue's last column: since when a submitted case has waited for the window; since when a
    case has waited for the applicant's supplement; when a case was refused."""
    if status == CaseStatus.SUBMITTED:
        return case.submitted_at
    if status == CaseStatus.SUPPLEMENT:
        return getattr(case, "since", None)
    return case.completed_at


@login_required
def window_queue_page(request: HttpRequest) -> HttpResponse:
    """受理队列: this centre's cases, oldest first, with waiting time and channel."""
    clerk = _require_role(request, Role.CLERK)
    status = request.GET.get("status", CaseStatus.SUBMITTED)
    if status not in {tab for tab, _label in QUEUE_TABS}:
        status = CaseStatus.SUBMITTED
    queue = window_queue(clerk, status)
    if status == CaseStatus.SUPPLEMENT:
        # Since when the applicant has had the one notice: the clock is his, not the window's.
        queue = queue.annotate(
            since=Subquery(
                SupplementRequest.objects.filter(case=OuterRef("pk"))
                .order_by("-requested_at")
                .values("requested_at")[:1]
            )
        )
    rows = [(case, _queue_since(case, status)) for case in queue]
    tabs = [(value, label, reverse("cases:window_queue") + f"?status={value}") for value, label in QUEUE_TABS]
    return render(
        request,
        "cases/window_queue.html",
        {"rows": rows, "status": status, "tabs": tabs, "centre": clerk.service_center},
    )


def _window_page(
    request: HttpRequest,
    case: Case,
    *,
    error: str = "",
    status: int = 200,
    supplement: SupplementInput | None = None,
    refuse_form: RefuseForm | None = None,
) -> HttpResponse:
    context = _case_context(request, case)
    told = supplement_told(case)
    context.update(
        {
            "rows": field_rows(case, show_all=True),
            "materials": _material_rows(case),
            "supplement_rows": supplement_rows(_supplement_offered(case, told), supplement),
            "supplement": supplement,
            "told": told,
            "told_lines": [
                (str(index), line, bool(supplement and str(index) in supplement.lines_checked))
                for index, line in enumerate(told.lines if told else ())
            ],
            "refuse_form": refuse_form or RefuseForm(),
            "signature": getattr(case, "commitment_signature", None),
            "supplements": list(case.supplement_requests.order_by("-requested_at")),
            "error": error,
            "actionable": case.status == CaseStatus.SUBMITTED,
            "badge": STATUS_BADGES.get(case.status, ""),
        }
    )
    return render(request, "cases/window_case.html", context, status=status)


def _supplement_offered(case: Case, told: SupplementTold | None) -> list[CaseMaterial]:
    """The materials the supplement form offers: all of the case's, or after an answered notice only
    those it listed (补正一次告知)."""
    rows = case.materials.select_related("material").order_by("id")
    if told is not None:
        rows = rows.filter(material__code__in=told.materials)
    return list(rows)


def _fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


@login_required
def window_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """审查: the form, each material, the signature, and the window's three answers."""
    case = _case(request, case_id, WINDOW)
    return _window_page(request, case)


def _accepted_by(case: Case, clerk: User) -> CaseEvent | None:
    """The case's acceptance, if this clerk made it (it is accepted once: a case is never resubmitted)."""
    if case.accepted_at is None:
        return None
    return case.events.filter(action="accepted", actor=clerk).order_by("-seq").first()


@login_required
@require_POST
def window_accept(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, WINDOW)
    clerk = _user(request)
    try:
        case = case_accept(case=case, clerk=clerk)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseConflict as exc:
        accepted = _accepted_by(_fresh(case), clerk)
        if accepted is None:
            return _window_page(request, case, error=exc.message, status=exc.status)
        # A second click on 受理 that arrived after the first had done it: the clerk's accept stands.
        messages.success(
            request,
            _("办件 %(number)s 已于 %(time)s 由您受理，无需重复操作。")
            % {"number": case.number, "time": timezone.localtime(accepted.at).strftime("%H:%M")},
        )
        return HttpResponseRedirect(reverse("cases:window_case", args=[case.pk]))
    except CaseError as exc:
        return _window_page(request, _fresh(case), error=exc.message, status=exc.status)
    messages.success(
        request,
        _("办件 %(number)s 已受理，已分送各部门并联审批；受理通知书已生成。") % {"number": case.number},
    )
    return HttpResponseRedirect(reverse("cases:window_case", args=[case.pk]))


@login_required
@require_POST
def window_supplement(request: HttpRequest, case_id: int) -> HttpResponse:
    """补正一次告知: every material to fix with its reason, and other problems, in one notice."""
    case = _case(request, case_id, WINDOW)
    told = supplement_told(case)
    given = supplement_input(request.POST, _supplement_offered(case, told), told.lines if told else ())
    if given.errors:
        return _window_page(
            request, case, error=_("补正清单有误，请按提示修改。"), status=422, supplement=given
        )
    try:
        case_request_supplement(case=case, clerk=_user(request), entries=given.entries, note=given.note)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseInvalid as exc:
        given.errors = supplement_errors(given, exc.fields)
        return _window_page(request, _fresh(case), error=exc.message, status=exc.status, supplement=given)
    except CaseError as exc:
        return _window_page(request, _fresh(case), error=exc.message, status=exc.status, supplement=given)
    count = len(given.entries)
    messages.success(
        request,
        ngettext(
            "已一次告知 %(count)s 项补正内容，补正材料通知书已生成。",
            "已一次告知 %(count)s 项补正内容，补正材料通知书已生成。",
            count,
        )
        % {"count": count},
    )
    return HttpResponseRedirect(reverse("cases:window_case", args=[case.pk]))


@login_required
@require_POST
def window_refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, WINDOW)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _window_page(
            request, case, error=_("请写明不予受理的理由和依据。"), status=422, refuse_form=form
        )
    try:
        case_refuse(case=case, clerk=_user(request), reason=form.cleaned_data["reason"])
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        if exc.fields or exc.code == "reason_required":
            form.add_error("reason", exc.message)
        return _window_page(request, _fresh(case), error=exc.message, status=exc.status, refuse_form=form)
    messages.success(request, _("已作出不予受理决定，不予受理通知书已生成。"))
    return HttpResponseRedirect(reverse("cases:window_case", args=[case.pk]))


def _confirmed_account_id(request: HttpRequest) -> int | None:
    """The applicant account the clerk saw on the confirmation step and filed for."""
    value = request.POST.get("account", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _account_label(account: User) -> str:
    """How staff recognise an account without its full ID number or mobile: username, name, masked numbers."""
    parts = [account.username, account.name]
    if account.id_number:
        parts.append(mask_id_number(account.id_number))
    if account.phone:
        parts.append(mask_mobile(account.phone))
    return _("，").join(parts)


def _account_rows(account: User) -> list[tuple[str, str]]:
    """The account a case filed by staff will belong to, as the confirmation step shows it."""
    rows = [(_("用户名"), account.username), (_("姓名"), account.name)]
    if account.enterprise is not None:
        rows.append((_("所属企业"), f"{account.enterprise.name}（{account.enterprise.uscc}）"))
    if account.id_number:
        rows.append((_("身份证号码"), mask_id_number(account.id_number)))
    rows.append((_("手机号码"), mask_mobile(account.phone) if account.phone else _("未登记")))
    rows.append(
        (
            _("密码"),
            _("已设置，申请人可自行登录")
            if account.has_usable_password()
            else _("尚未设置（窗口登记的账号）"),
        )
    )
    rows.append((_("注册时间"), timezone.localtime(account.date_joined).strftime("%Y-%m-%d %H:%M")))
    return rows


@login_required
def assist(request: HttpRequest) -> HttpResponse:
    """代办申请 (帮办代办 at the window, 云端导办 online): find or register the applicant, then start."""
    staff = _require_role(request, Role.CLERK, Role.AGENT)
    channel = Channel.WINDOW if staff.role == Role.CLERK else Channel.GUIDANCE
    data = request.POST if request.method == "POST" else None
    initial = {"bundle": request.GET.get("bundle", "")} if request.GET.get("bundle") else None
    form = AssistForm(data, initial=initial)
    bundle_code = (request.POST.get("bundle") if data else request.GET.get("bundle")) or ""
    bundle = _published_bundle(bundle_code)
    answers = answers_from_post(request.POST, prefix="q_") if data else {}
    question_errors: dict[str, str] = {}
    error = error_code = ""
    status = 200
    account_to_confirm: User | None = None
    if data is not None:
        status = 422
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                # One transaction, as in the API: an account registered for a case that cannot start
                # is not kept, so a mistyped name can be corrected on the next try.
                with transaction.atomic():
                    applicant = form.applicant(_confirmed_account_id(request))
                    case = case_start(
                        bundle_code=cleaned["bundle"].code,
                        applicant=applicant,
                        answers=answers,
                        channel=channel,
                        assisted_by=staff,
                    )
            except AccountConfirmationRequired as exc:
                account_to_confirm = exc.account
                status = 200
            except RegistrationError as exc:
                for name, message in exc.fields.items():
                    form.add_error(name if name in form.fields else None, message)
                if not exc.fields:
                    error, error_code = exc.message, exc.code
            except CaseError as exc:
                error = exc.message
                question_errors = exc.fields
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已为“%(name)s”创建申请（%(channel)s），请继续填写申请表。")
                    % {"name": case.holder_name, "channel": case.get_channel_display()},
                )
                messages.info(
                    request,
                    _("办件归属申请人账号：%(account)s。") % {"account": _account_label(applicant)},
                )
                if applicant.phone and not applicant.has_usable_password():
                    messages.info(
                        request,
                        _(
                            "申请人账号尚未设置密码：请告知申请人在 %(url)s 用登记的手机号码 %(phone)s "
                            "获取验证码，自行设置密码。"
                        )
                        % {"url": reverse("accounts:password"), "phone": mask_mobile(applicant.phone)},
                    )
                return HttpResponseRedirect(reverse("cases:form", args=[case.pk]))
    assisted = list(cases_assisted_by(staff)[:20])
    context = {
        "form": form,
        "bundle": bundle,
        "questions": question_rows(bundle, answers, question_errors) if bundle else [],
        "channel_label": Channel(channel).label,
        "error": error,
        "error_code": error_code,
        "account": _account_rows(account_to_confirm) if account_to_confirm else None,
        "account_id": account_to_confirm.pk if account_to_confirm else "",
        "assisted": assisted,
        "badges": STATUS_BADGES,
    }
    return render(request, "cases/assist.html", context, status=status)

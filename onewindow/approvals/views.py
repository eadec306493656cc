"""The department reviewer's pages (his queue, one branch with its decisions, decision PDFs, the calendar),
the approver's extension requests, and the applicant's page answering a rectification request.

Views parse input, call one service and render; every rule (who may decide, what a decision
needs, the clock) lives in approvals.services. Each decision form carries the branch version
the page showed, so a decision made from a stale page becomes a conflict message instead of
overwriting a newer one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.decorators import role_required, signed_in_required
from onewindow.accounts.models import Role, User
from onewindow.approvals import services
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.forms import (
    STATUS_FILTERS,
    ApproveForm,
    DecisionForm,
    DenyForm,
    ExtendForm,
    ExtensionDecisionForm,
    PauseForm,
    QueueFilterForm,
    ReplyForm,
    ResumeForm,
)
from onewindow.approvals.models import (
    DECIDED_BRANCH_STATUSES,
    OPEN_BRANCH_STATUSES,
    Branch,
    BranchStatus,
    CalendarDay,
    ClockPause,
    Extension,
    ExtensionStatus,
)
from onewindow.approvals.notices import decision_filename
from onewindow.approvals.notices import decision_pdf as render_decision_pdf
from onewindow.approvals.selectors import (
    DECIDED_COUNT_CAP,
    EXTENSION_APPROVER_ROLES,
    approver_on_duty,
    branch_extensions,
    branch_replies,
    branch_view,
    capped_count,
    decided_page,
    extension_inbox,
    get_branch_for,
    get_extension_for,
    get_reply_file_for,
    get_requested_extension_for,
    pause_request,
    queue_counts,
    reviewer_queue,
)
from onewindow.bundles.models import Bundle
from onewindow.cases.errors import CaseConflict, CaseError, CaseNotFound
from onewindow.cases.models import CaseEvent, CaseMaterial
from onewindow.cases.notices import holder_code_display
from onewindow.cases.permissions import DEPARTMENT_ROLES, VIEW, get_case_for
from onewindow.cases.timeline import action_label
from onewindow.inspections.selectors import inspections_joined
from onewindow.lib.errors import CodedError
from onewindow.lib.flash import success_once
from onewindow.lib.pdf import FontUnavailable, pdf_response
from onewindow.lib.workdays import WorkdayCalendar, unpublished_warning

QUEUE_PAGE_SIZE = 50
CALENDAR_DAYS = 60
STALE_MESSAGE = "该子件刚刚已被他人处理，请刷新页面查看最新结果。"

# What a branch's timeline rows say where the branch page words it more closely than the shared
# labels (cases.timeline.action_label), which name every other step.
EVENT_LABELS: dict[str, Promise] = {
    "accepted": pgettext_lazy("case history", "综合窗口受理，分送各部门并联审批"),
    "branch_released": pgettext_lazy("case history", "前置审批已完成，开始计时"),
    "branch_approved": pgettext_lazy("case history", "准予许可"),
    "branch_denied": pgettext_lazy("case history", "不予许可"),
    "branch_extension_withdrawn": pgettext_lazy("case history", "撤回延期申请"),
    "branch_extension_voided": pgettext_lazy("case history", "延期申请作废（审批人已不在岗）"),
    "branch_due_recomputed": pgettext_lazy("case history", "节假日安排调整，重新计算到期日"),
}
WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


reviewer_required = role_required(Role.REVIEWER)
# Whoever may be named to approve an extension reads his requests on one page.
approver_required = role_required(*EXTENSION_APPROVER_ROLES)
# The calendar is useful to every member of staff, not only reviewers.
staff_required = role_required(*(role for role in Role.values if role != Role.APPLICANT))


def _own_branch(reviewer: User, branch_id: int) -> Branch:
    try:
        return get_branch_for(reviewer, branch_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None


# ---------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueueRow:
    branch: Branch
    due_state: str
    days_left: int | None

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _queue_row(branch: Branch, today: date, calendar: WorkdayCalendar) -> QueueRow:
    try:
        state = services.due_state(branch, today, settings.DUE_SOON_WORKDAYS, calendar)
        days_left = None
        if branch.status == BranchStatus.PENDING and branch.due_on is not None:
            days_left = calendar.between(today, branch.due_on).days
    except (CaseError, CodedError):
        # A due date in a year without a schedule while WORKDAYS_FALLBACK is "error": shown unflagged.
        state, days_left = "", None
    return QueueRow(branch, state, days_left)


def _cursor(value: str | None) -> int | None:
    """A decided-tab cursor from the address: a branch id; a hand-edited value is ignored."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _decided_count(n: int) -> str:
    """A capped count (selectors.capped_count) as shown: past the cap, "1000+"."""
    return f"{DECIDED_COUNT_CAP}+" if n > DECIDED_COUNT_CAP else str(n)


@require_GET
@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    reviewer = _user(request)
    bundles = list(Bundle.objects.order_by("order", "code").values_list("code", "name"))
    form = QueueFilterForm(request.GET, bundles=bundles)
    filters = form.values()
    filtered = bool(filters["bundle"] or filters["q"])
    branches = reviewer_queue(
        reviewer, status=filters["status"], bundle=filters["bundle"], query=filters["q"]
    )
    counts = queue_counts(reviewer)
    page = decided = None
    if filters["status"] == "decided":
        decided = decided_page(
            branches,
            size=QUEUE_PAGE_SIZE,
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
        shown = decided.rows
        total = _decided_count(capped_count(branches) if filtered else counts.get("decided", 0))
    else:
        page = Paginator(branches, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
        total = str(page.paginator.count)
    today = timezone.localdate()
    calendar = current_calendar()
    rows = [_queue_row(branch, today, calendar) for branch in shown]

    tab_counts: dict[str, str] = {
        "": str(sum(counts.get(s, 0) for s in OPEN_BRANCH_STATUSES)),
        **{s: str(counts.get(s, 0)) for s in OPEN_BRANCH_STATUSES},
        "decided": _decided_count(counts.get("decided", 0)),
    }
    tabs = []
    for value, label in STATUS_FILTERS:
        query = {k: v for k, v in {**filters, "status": value}.items() if v}
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": tab_counts[value],
                "query": urlencode(query),
                "current": value == filters["status"],
            }
        )
    return render(
        request,
        "approvals/queue.html",
        {
            "form": form,
            "filters": filters,
            "filtered": filtered,
            "page": page,
            "decided": decided,
            "rows": rows,
            "total": total,
            "count_cap": DECIDED_COUNT_CAP,
            "tabs": tabs,
            "page_query": urlencode({k: v for k, v in filters.items() if v}),
            "today": today,
            "department": reviewer.department,
        },
    )


# ---------------------------------------------------------------- one branch


@dataclass(frozen=True)
class Action:
    """One decision form on the branch page and the service call it makes."""

    title: Promise
    make_form: Callable[..., DecisionForm]
    perform: Callable[[Branch, User, dict[str, Any]], str]
    available: Callable[[Branch], bool]


def _approve(branch: Branch, reviewer: User, data: dict[str, Any]) -> str:
    decided = services.branch_approve(
        branch_id=branch.pk,
        reviewer=reviewer,
        permit_number=data["permit_number"],
        valid_until=data["valid_until"],
        comment=data["comment"],
        expected_version=data["version"],
    )
    return _("已准予许可，许可证号 %(number)s。可下载准予行政许可决定书。") % {
        "number": decided.permit_number
    }


def _deny(branch: Branch, reviewer: User, data: dict[str, Any]) -> str:
    services.branch_deny(
        branch_id=branch.pk,
        reviewer=reviewer,
        reason=data["reason"],
        legal_basis=data["legal_basis"],
        expected_version=data["version"],
    )
    return _("已作出不予许可决定。可下载不予行政许可决定书送达申请人。")


def _pause(branch: Branch, reviewer: User, data: dict[str, Any]) -> str:
    services.branch_pause(
        branch_id=branch.pk,
        reviewer=reviewer,
        reason=data["reason"],
        note=data["note"],
        expected_version=data["version"],
    )
    if data["reason"] == ClockPause.Reason.RECTIFICATION:
        return _("已暂停计时，并已通知申请人整改。申请人完成后请恢复计时。")
    if data["reason"] == ClockPause.Reason.SUPPLEMENT:
        return _("已暂停计时，并已通知申请人补正材料。申请人完成后请恢复计时。")
    # A site check or an expert review: the applicant is only told why the clock stands still.
    return _("已暂停计时，并已告知申请人暂停的原因。核查、检测或评审结束后请恢复计时。")


def _resume(branch: Branch, reviewer: User, data: dict[str, Any]) -> str:
    resumed = services.branch_resume(
        branch_id=branch.pk, reviewer=reviewer, comment=data["comment"], expected_version=data["version"]
    )
    assert resumed.due_on is not None
    return _("已恢复计时，到期日顺延至 %(due)s。") % {"due": f"{resumed.due_on:%Y-%m-%d}"}


def _extend(branch: Branch, reviewer: User, data: dict[str, Any]) -> str:
    requested = services.extension_request(
        branch_id=branch.pk,
        reviewer=reviewer,
        approver=data["approver"],
        days=data["days"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return _("延期申请已提交，等待%(name)s审批；批准前到期日不变。") % {"name": requested.approver.name}


def _extendable(branch: Branch) -> bool:
    """Open, extendable by law, not extended yet, and no request waiting for an approver who can
    still decide it (a new request voids one whose approver is no longer on duty)."""
    if branch.status not in (BranchStatus.PENDING, BranchStatus.PAUSED):
        return False
    if branch.item.statutory_extension_days == 0 or branch.extension_days:
        return False
    waiting = branch.extensions.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()
    return waiting is None or not approver_on_duty(waiting, branch)


ACTIONS: dict[str, Action] = {
    "approve": Action(
        pgettext_lazy("branch decision", "准予许可"),
        lambda data, branch, reviewer, today: ApproveForm(data, prefix="approve", branch=branch, today=today),
        _approve,
        lambda b: b.status == BranchStatus.PENDING,
    ),
    "deny": Action(
        pgettext_lazy("branch decision", "不予许可"),
        lambda data, branch, reviewer, today: DenyForm(data, prefix="deny", branch=branch),
        _deny,
        lambda b: b.status == BranchStatus.PENDING,
    ),
    "pause": Action(
        gettext_lazy("要求整改（暂停计时）"),
        lambda data, branch, reviewer, today: PauseForm(data, prefix="pause"),
        _pause,
        lambda b: b.status == BranchStatus.PENDING,
    ),
    "resume": Action(
        pgettext_lazy("branch decision", "恢复计时"),
        lambda data, branch, reviewer, today: ResumeForm(data, prefix="resume"),
        _resume,
        lambda b: b.status == BranchStatus.PAUSED,
    ),
    "extend": Action(
        pgettext_lazy("branch decision", "申请延长审批期限"),
        lambda data, branch, reviewer, today: ExtendForm(
            data, prefix="extend", branch=branch, reviewer=reviewer
        ),
        _extend,
        _extendable,
    ),
}


@dataclass(frozen=True)
class ActionForm:
    name: str
    title: str
    form: DecisionForm
    url: str
    open: bool


@dataclass(frozen=True)
class MaterialRow:
    row: CaseMaterial
    url: str


def _material_url(case_id: int, code: str) -> str:
    """The cases app's permission-checked download, when it offers one."""
    try:
        return reverse("cases:material_download", args=[case_id, code])
    except NoReverseMatch:
        return ""


# Steps the system takes, whose comment is not someone's words.
SYSTEM_ACTIONS = frozenset({"branch_due_recomputed"})


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str
    details: list[str]
    # A person's words are shown as written; a step the system took says all in its label and
    # details, in the reader's language (its stored comment, if any, is the Chinese of the label).
    comment: str = ""


def _timeline(branch: Branch) -> list[TimelineRow]:
    """This branch's events (and the acceptance that opened it), oldest first, with the steps of
    the joint inspections it takes part in that concern every department there (the combined
    findings, the re-inspection, the result)."""
    joined = inspections_joined(case_id=branch.case_id, branch_id=branch.pk)
    inspection_wide = (
        Q(data__inspection__in=sorted(joined)) & ~Q(data__has_key="item") if joined else Q(pk__in=[])
    )
    events = CaseEvent.objects.filter(
        Q(data__item=branch.item.code) | Q(action="accepted") | inspection_wide, case_id=branch.case_id
    ).order_by("seq")
    names = {item["code"]: item["name"] for item in branch.case.plan.get("items", [])}
    reasons = dict(ClockPause.Reason.choices)
    rows = []
    for event in events:
        data = event.data
        details = []
        if event.action == "branch_approved" and data.get("permit_number"):
            details.append(_("许可证号 %(number)s") % {"number": data["permit_number"]})
            if data.get("commitment_check_due_on"):
                details.append(
                    _("告知承诺办理：%(date)s前到现场核查承诺内容")
                    % {"date": data["commitment_check_due_on"]}
                )
        elif event.action == "commitment_check_rectify" and data.get("rectify_by"):
            details.append(_("整改期限 %(date)s") % {"date": data["rectify_by"]})
        elif event.action == "branch_denied" and data.get("legal_basis"):
            details.append(_("法律依据：%(basis)s") % {"basis": data["legal_basis"]})
        elif event.action == "branch_paused":
            details.append(
                _("原因：%(reason)s")
                % {"reason": reasons.get(data.get("reason", ""), data.get("reason", ""))}
            )
        elif event.action == "branch_resumed":
            details.append(
                _("暂停 %(days)s 个工作日，到期日顺延至 %(due)s")
                % {"days": data.get("paused_workdays", 0), "due": data.get("due_on", "")}
            )
        elif event.action == "branch_extended":
            details.append(
                _("延长 %(days)s 个工作日，批准人 %(approver)s")
                % {"days": data.get("days", ""), "approver": data.get("approver", "")}
            )
            if data.get("approver_comment"):
                details.append(_("审批意见：%(comment)s") % {"comment": data["approver_comment"]})
        elif event.action == "branch_extension_requested":
            details.append(
                _("申请延长 %(days)s 个工作日，审批人 %(approver)s")
                % {"days": data.get("days", ""), "approver": data.get("approver", "")}
            )
        elif event.action == "branch_extension_declined":
            details.append(
                _("申请延长 %(days)s 个工作日，%(approver)s 未批准")
                % {"days": data.get("days", ""), "approver": data.get("approver", "")}
            )
        elif event.action in ("branch_extension_withdrawn", "branch_extension_voided"):
            details.append(
                _("申请延长 %(days)s 个工作日，审批人 %(approver)s")
                % {"days": data.get("days", ""), "approver": data.get("approver", "")}
            )
        elif event.action == "branch_due_recomputed":
            details.append(
                _("到期日由 %(before)s 改为 %(due)s")
                % {"before": data.get("due_on_before", ""), "due": data.get("due_on", "")}
            )
        elif event.action == "rectification_replied" and data.get("files"):
            count = data["files"]
            details.append(ngettext("附 %(count)s 个文件", "附 %(count)s 个文件", count) % {"count": count})
        elif event.action == "branch_released" and data.get("prerequisite"):
            details.append(
                _("前置事项：%(name)s") % {"name": names.get(data["prerequisite"], data["prerequisite"])}
            )
        label = EVENT_LABELS.get(event.action)
        rows.append(
            TimelineRow(
                event,
                str(label) if label is not None else action_label(event.action),
                details,
                "" if event.action in SYSTEM_ACTIONS else event.comment,
            )
        )
    return rows


def _branch_page(
    request: HttpRequest,
    branch: Branch,
    *,
    bound: dict[str, DecisionForm] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    reviewer = _user(request)
    today = timezone.localdate()
    calendar = current_calendar()
    view = branch_view(branch)
    bound = bound or {}
    forms: list[ActionForm] = []
    for name, action in ACTIONS.items():
        if not action.available(branch):
            continue
        form = bound.get(name) or action.make_form(None, branch, reviewer, today)
        if not form.is_bound:
            form.initial["version"] = branch.version
        # The form being corrected is open; otherwise the first one, so the usual decision is one tap away.
        is_open = form.is_bound or (not bound and not conflict and not forms)
        forms.append(
            ActionForm(name, str(action.title), form, reverse(f"approvals:{name}", args=[branch.pk]), is_open)
        )
    row = _queue_row(branch, today, calendar)
    open_pause = None
    if branch.status == BranchStatus.PAUSED:
        open_pause = branch.pauses.filter(ended_on__isnull=True).first()
    replies = branch_replies(branch)
    extensions = branch_extensions(branch)
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    return render(
        request,
        "approvals/branch.html",
        {
            "branch": branch,
            "case": branch.case,
            "holder_code": holder_code_display(branch.case.holder_code),
            "view": view,
            "materials": [
                MaterialRow(m, _material_url(branch.case_id, m.material.code)) for m in view.materials
            ],
            "others": view.others,
            "prerequisites": view.prerequisites,
            "due_state": row.due_state,
            "days_left": row.days_left,
            "open_pause": open_pause,
            "replies": replies,
            # The applicant answered the request in force: the reviewer's next step is to resume.
            "answered": open_pause is not None and any(r.pause_id == open_pause.pk for r in replies),
            "pauses": list(branch.pauses.order_by("started_on", "id")),
            "extensions": [e for e in extensions if e.status == ExtensionStatus.APPROVED],
            "extension_pending": pending,
            # Nobody can decide it any more: a new request voids it.
            "extension_pending_stale": pending is not None and not approver_on_duty(pending, branch),
            "extension_withdrawable": pending is not None and pending.requested_by_id == reviewer.pk,
            "extensions_declined": [e for e in extensions if e.status == ExtensionStatus.DECLINED],
            "timeline": _timeline(branch),
            "forms": forms,
            "conflict": conflict,
            "decided": branch.status in DECIDED_BRANCH_STATUSES,
        },
        status=status,
    )


@require_GET
@reviewer_required
def branch_detail(request: HttpRequest, branch_id: int) -> HttpResponse:
    return _branch_page(request, _own_branch(_user(request), branch_id))


@require_POST
@reviewer_required
def branch_action(request: HttpRequest, branch_id: int, action: str) -> HttpResponse:
    reviewer = _user(request)
    branch = _own_branch(reviewer, branch_id)
    spec = ACTIONS[action]
    form = spec.make_form(request.POST, branch, reviewer, timezone.localdate())
    status = 422
    if form.is_valid():
        try:
            message = spec.perform(branch, reviewer, form.cleaned_data)
        except CaseNotFound as exc:
            raise Http404(exc.message) from None
        except CaseConflict as exc:
            # Show what the branch is now, with forms built from its current version.
            return _branch_page(request, _own_branch(reviewer, branch_id), conflict=exc.message, status=409)
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        else:
            messages.success(request, message)
            return redirect("approvals:branch", branch_id=branch.pk)
    return _branch_page(request, branch, bound={action: form}, status=status)


# ---------------------------------------------------------------- extension requests (延期审批)


@dataclass(frozen=True)
class ExtensionRow:
    """One request waiting for the approver, with its decision form."""

    extension: Extension
    form: ExtensionDecisionForm


def _extensions_page(
    request: HttpRequest,
    *,
    bound: tuple[int, ExtensionDecisionForm] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = []
    for extension in extension_inbox(_user(request)):
        if bound is not None and bound[0] == extension.pk:
            form = bound[1]
        else:
            form = ExtensionDecisionForm(prefix=f"x{extension.pk}")
        rows.append(ExtensionRow(extension, form))
    if bound is not None and not conflict and not any(row.form is bound[1] for row in rows):
        # The request being corrected was decided meanwhile (or its branch was): say so.
        conflict, status = _("这份延期申请已办理，或其子件已作出审批决定，无需再审批。"), 409
    return render(request, "approvals/extensions.html", {"rows": rows, "conflict": conflict}, status=status)


@require_GET
@approver_required
def extensions(request: HttpRequest) -> HttpResponse:
    """延期审批: the extension requests waiting for this approver, each to approve or decline."""
    return _extensions_page(request)


def _extension_decided(extension_id: int, approver: User, data: dict[str, Any]) -> str:
    """Carry out the approver's decision; the message that says what it did."""
    if data["decision"] == "approve":
        extension = services.extension_approve(
            extension_id=extension_id, approver=approver, comment=data["comment"]
        )
        branch = extension.branch
        return _("已批准延期，《%(item)s》的到期日顺延至 %(due)s。") % {
            "item": branch.item.name,
            "due": f"{branch.due_on:%Y-%m-%d}" if branch.due_on else "—",
        }
    extension = services.extension_decline(
        extension_id=extension_id, approver=approver, reason=data["comment"]
    )
    return _("已不批准这份延期申请，并已通知%(name)s。") % {"name": extension.requested_by.name}


@require_POST
@approver_required
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    approver = _user(request)
    try:
        get_extension_for(approver, extension_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    form = ExtensionDecisionForm(request.POST, prefix=f"x{extension_id}")
    status = 422
    if form.is_valid():
        try:
            message = _extension_decided(extension_id, approver, form.cleaned_data)
        except CaseNotFound as exc:
            raise Http404(exc.message) from None
        except CaseConflict as exc:
            return _extensions_page(request, conflict=exc.message, status=exc.status)
        except CaseError as exc:
            form.add_service_errors(exc)
            status = exc.status
        else:
            messages.success(request, message)
            return redirect("approvals:extensions")
    return _extensions_page(request, bound=(extension_id, form), status=status)


@require_POST
@reviewer_required
def extension_withdraw(request: HttpRequest, extension_id: int) -> HttpResponse:
    """撤回延期申请: the reviewer who asked withdraws a request still waiting for its approver."""
    reviewer = _user(request)
    try:
        extension = get_requested_extension_for(reviewer, extension_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    try:
        services.extension_withdraw(extension_id=extension_id, reviewer=reviewer)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        branch = _own_branch(reviewer, extension.branch_id)
        return _branch_page(request, branch, conflict=exc.message, status=exc.status)
    messages.success(request, _("已撤回延期申请，到期日不变。如仍需延期，可重新申请。"))
    return redirect("approvals:branch", branch_id=extension.branch_id)


# ---------------------------------------------------------------- the applicant answers a request


def _applicant_branch(user: User, branch_id: int) -> Branch:
    """A branch of one of the applicant's own cases; anyone else gets the 404 page."""
    branch = (
        Branch.objects.select_related("case__bundle", "item", "department")
        .filter(pk=branch_id, case__applicant_id=user.pk)
        .first()
    )
    if branch is None:
        raise Http404(_("没有找到这个事项。"))
    return branch


@require_http_methods(["GET", "POST"])
@signed_in_required
def branch_reply(request: HttpRequest, branch_id: int) -> HttpResponse:
    """整改答复: what the department asked when it paused the clock, and the applicant's answer."""
    user = _user(request)
    branch = _applicant_branch(user, branch_id)
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
    else:
        # A new key per page load: a second tap sends this one again, a second answer gets its own.
        form = ReplyForm(initial={"key": uuid.uuid4().hex})
    status = 200
    conflict = ""
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.branch_reply(
                    branch_id=branch.pk,
                    applicant=user,
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                    key=form.cleaned_data["key"],
                )
            except CaseNotFound as exc:
                raise Http404(exc.message) from None
            except CaseConflict as exc:
                conflict, status = exc.message, exc.status
                branch = _applicant_branch(user, branch_id)
            except CaseError as exc:
                form.add_service_errors(exc)
                status = exc.status
            else:
                success_once(request, _("答复已提交，审批部门审核后将恢复计时，请留意短信和站内消息。"))
                return redirect("cases:progress", case_id=branch.case_id)
    asked = pause_request(branch)
    return render(
        request,
        "approvals/reply.html",
        {
            "branch": branch,
            "case": branch.case,
            "asked": asked,
            "can_reply": asked is not None and asked.answerable,
            "replies": branch_replies(branch),
            "form": form,
            "conflict": conflict,
        },
        status=status,
    )


@require_GET
@signed_in_required
def reply_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A file of a reply, for the reviewers of the branch's department and the case's applicant."""
    try:
        stored = get_reply_file_for(_user(request), file_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    name = stored.original_name or stored.file.name.rsplit("/", 1)[-1]
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- decision documents


def _decided_branch_for(user: User, branch_id: int) -> Branch:
    """Department staff reach their own department's branches; the applicant and others reach it via the case.

    A department role may view the whole case, yet another department's decision is not his to read.
    """
    if user.role in DEPARTMENT_ROLES:
        return get_branch_for(user, branch_id)
    # One answer whether the branch is missing or on a case one may not see: a stranger learns nothing.
    missing = CaseNotFound("branch_not_found", _("没有找到这个子件。"))
    branch = Branch.objects.select_related("case__bundle", "item", "department").filter(pk=branch_id).first()
    if branch is None:
        raise missing
    try:
        get_case_for(user, branch.case_id, VIEW)
    except CaseNotFound:
        raise missing from None
    return branch


@require_GET
@signed_in_required
def decision_pdf(request: HttpRequest, branch_id: int) -> HttpResponse:
    try:
        branch = _decided_branch_for(_user(request), branch_id)
    except CaseNotFound as exc:
        raise Http404(exc.message) from None
    if branch.status not in DECIDED_BRANCH_STATUSES:
        raise Http404(_("该事项尚未作出审批决定，还没有决定书。"))
    try:
        content = render_decision_pdf(branch)
    except FontUnavailable as exc:
        approved = branch.status == BranchStatus.APPROVED
        document = _("准予行政许可决定书") if approved else _("不予行政许可决定书")
        context = {"error": exc, "document": document}
        return render(request, "public/pdf_unavailable.html", context, status=503)
    return pdf_response(content, decision_filename(branch), ascii_filename=f"decision-{branch.pk}.pdf")


# ---------------------------------------------------------------- working-day calendar


@dataclass(frozen=True)
class CalendarRow:
    day: date
    weekday: str
    kind: str  # workday, weekend, holiday, makeup, unknown
    label: str
    note: str


def _holiday_name(day: date) -> str:
    try:
        _is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return Holiday(name).chinese if name else ""


def _calendar_row(day: date, calendar: WorkdayCalendar, notes: dict[date, str]) -> CalendarRow:
    weekend = day.weekday() >= 5
    weekday = str(WEEKDAYS[day.weekday()])
    if not calendar.year_is_published(day.year) and calendar.fallback == "error":
        return CalendarRow(day, weekday, "unknown", _("未录入"), notes.get(day, ""))
    note = notes.get(day) or _holiday_name(day)
    if calendar.is_workday(day):
        if weekend:
            return CalendarRow(day, weekday, "makeup", _("调休上班"), note)
        return CalendarRow(day, weekday, "workday", _("工作日"), "")
    if note or not weekend:
        return CalendarRow(day, weekday, "holiday", _("法定节假日"), note)
    return CalendarRow(day, weekday, "weekend", _("周末"), "")


@require_GET
@staff_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    last = today + timedelta(days=CALENDAR_DAYS - 1)
    calendar = current_calendar()
    notes = {
        row.date: row.note or row.get_kind_display()
        for row in CalendarDay.objects.filter(date__range=(today, last)).only("date", "kind", "note")
    }
    rows = [_calendar_row(today + timedelta(days=n), calendar, notes) for n in range(CALENDAR_DAYS)]
    years = sorted({today.year, last.year})
    warnings = [unpublished_warning(year) for year in years if not calendar.year_is_published(year)]
    admin_url = ""
    if _user(request).is_staff:
        admin_url = reverse("admin:approvals_calendarday_changelist")
    return render(
        request,
        "approvals/calendar.html",
        {
            "rows": rows,
            "today": today,
            "last": last,
            "warnings": warnings,
            "refuses": settings.WORKDAYS_FALLBACK == "error",
            "admin_url": admin_url,
            "workdays": sum(1 for r in rows if r.kind in ("workday", "makeup")),
        },
    )

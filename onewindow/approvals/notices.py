"""A department's written decision on its branch as a PDF: 准予 / 不予行政许可决定书.

Rendered from what the branch records (permit number, validity, reason, legal basis, decision
time), so the same document comes out however often it is downloaded.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from reportlab.platypus import Flowable, Spacer

from onewindow.approvals.models import Branch, BranchStatus
from onewindow.cases.notices import holder_code_display
from onewindow.lib.pdf import para, render_pdf, styles, table

APPROVE_TITLE = "准予行政许可决定书"
DENY_TITLE = "不予行政许可决定书"
APPROVE_BASIS = "《中华人民共和国行政许可法》第三十八条第一款"
DENY_BASIS = "《中华人民共和国行政许可法》第三十八条第二款"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def decision_title(branch: Branch) -> str:
    return APPROVE_TITLE if branch.status == BranchStatus.APPROVED else DENY_TITLE


def decision_filename(branch: Branch) -> str:
    return f"{decision_title(branch)}-{branch.case.number or branch.case_id}-{branch.item.name}.pdf"


def remedy_text() -> str:
    """The applicant's remedies against a decision (行政复议法 Art. 20, 行政诉讼法 Art. 46)."""
    return (
        f"如不服本决定，可以自收到本决定书之日起六十日内依法向{settings.CITY_NAME}人民政府申请行政复议，"
        "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
    )


def decision_pdf(branch: Branch) -> bytes:
    """The decision document of a decided branch; raises ValueError for an undecided one."""
    if branch.status not in (BranchStatus.APPROVED, BranchStatus.DENIED):
        raise ValueError(f"branch {branch.pk} is not decided")
    st = styles()
    case = branch.case
    item = branch.item
    department = branch.department
    approved = branch.status == BranchStatus.APPROVED
    title = decision_title(branch)
    decided = _day(branch.decided_at)
    story: list[Flowable] = [
        para(department.name, st.subtitle),
        para(title, st.title),
        para(f"办件编号：{case.number or '—'}    决定日期：{decided}", st.subtitle),
        para(f"{case.holder_name}：", st.body),
    ]
    submitted = _day(case.submitted_at)
    if approved:
        story.append(
            para(
                f"你（单位）于{submitted}提出的{item.name}申请，经审查，符合法定条件、标准。"
                f"根据{item.legal_basis}和{APPROVE_BASIS}的规定，本机关决定准予行政许可。",
                st.body,
            )
        )
        validity = (
            f"{_day(branch.valid_from)} 至 {_day(branch.valid_until)}" if branch.valid_until else "长期有效"
        )
        rows: list[list[object]] = [
            ["许可事项", item.name],
            ["许可证号", branch.permit_number],
            ["有效期", validity],
            ["被许可人", case.holder_name],
            ["被许可人代码", holder_code_display(case.holder_code) or "—"],
            ["许可机关", department.name],
            ["设定依据", item.legal_basis],
            ["决定日期", decided],
        ]
        story.append(table(rows, [0.22, 0.78], header_rows=0))
        story.append(Spacer(1, 8))
        story.append(
            para(
                f"本许可证件将并入《{case.bundle.licence_name}》，由综合审批机构自本决定之日起十个工作日内"
                "一并颁发（《中华人民共和国行政许可法》第四十四条）。请凭办件编号查询办理进度。",
                st.body,
            )
        )
    else:
        story.append(
            para(
                f"你（单位）于{submitted}提出的{item.name}申请，经审查，不符合法定条件、标准。"
                f"根据{DENY_BASIS}的规定，本机关决定不予行政许可。",
                st.body,
            )
        )
        rows = [
            ["申请事项", item.name],
            ["申请人", case.holder_name],
            ["申请人代码", holder_code_display(case.holder_code) or "—"],
            ["决定机关", department.name],
            ["决定日期", decided],
        ]
        story.append(table(rows, [0.22, 0.78], header_rows=0))
        story.append(para("不予许可的理由", st.heading))
        story.append(para(branch.decision_reason or "—", st.body))
        story.append(para("法律依据", st.heading))
        story.append(para(branch.decision_legal_basis or "—", st.body))
        story.append(para("权利告知", st.heading))
        story.append(para(remedy_text(), st.body))
    story.extend(
        [
            Spacer(1, 18),
            para(f"{department.name}（行政许可专用章）", st.body),
            para(decided, st.body),
        ]
    )
    return render_pdf(story, title=title, issuer=department.name, subject=case.number or "")

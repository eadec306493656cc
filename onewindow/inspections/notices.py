"""The consolidated rectification notice (现场核查整改通知书，一口告知) as a PDF.

Rendered from the notice row's snapshot of findings, so the same document comes out however
often it is downloaded, even after a re-inspection has changed the checklist.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from reportlab.platypus import Flowable, Spacer

from onewindow.cases.models import Case
from onewindow.cases.notices import holder_code_display
from onewindow.inspections.models import JointInspection, RectificationNotice
from onewindow.inspections.selectors import findings_by_department
from onewindow.lib.pdf import para, render_pdf, styles, table

TITLE = "现场核查整改通知书"
PAUSE_BASIS = "《中华人民共和国行政许可法》第四十五条"


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def notice_filename(notice: RectificationNotice, case: Case) -> str:
    return f"{TITLE}-{case.number or case.pk}-第{notice.round}轮.pdf"


def rectification_notice_pdf(notice: RectificationNotice, inspection: JointInspection) -> bytes:
    """Every department's findings of one round in one notice, with the case number and the deadline."""
    st = styles()
    case = inspection.case
    lead = inspection.organiser_department
    issued = _day(notice.issued_at)
    visit = "首次核查" if notice.round == 1 else f"第{notice.round - 1}次复查"
    groups = findings_by_department(notice)
    story: list[Flowable] = [
        para(f"{lead.name}（联合核查牵头部门）", st.subtitle),
        para(TITLE, st.title),
        para(f"（一次告知）  办件编号：{case.number or '—'}    告知日期：{issued}", st.subtitle),
        para(f"{case.holder_name}：", st.body),
        para(
            f"你（单位）申请的{case.bundle.name}，经{lead.name}组织有关部门联合现场核查（{visit}），"
            f"{'、'.join(name for name, _ in groups)}共发现下列 {len(notice.findings)} 项不符合要求。"
            f"现将各部门的核查意见一次告知，请于 {_day(notice.due_on)} 前全部整改完毕，"
            "并通过“一窗通办”在线报告整改情况、上传整改后的照片或证明材料。"
            "收到报告后，牵头部门将组织原核查人员对以下各项一次复查。",
            st.body,
        ),
    ]
    facts: list[list[object]] = [
        ["办件编号", case.number or "—"],
        ["申请人", case.holder_name],
        ["申请人代码", holder_code_display(case.holder_code) or "—"],
        ["核查地点", inspection.address],
        ["整改期限", f"{_day(notice.due_on)}前（按工作日计算）"],
    ]
    story.append(table(facts, [0.22, 0.78], header_rows=0))
    number = 0
    for department_name, findings in groups:
        story.append(para(department_name, st.heading))
        rows: list[list[object]] = [["序号", "事项", "核查项", "问题及整改要求"]]
        for finding in findings:
            number += 1
            rows.append([str(number), finding["item"], finding["condition"], finding["note"]])
        story.append(table(rows, [0.08, 0.24, 0.30, 0.38]))
        inspectors = "、".join(dict.fromkeys(f["inspector"] for f in findings))
        story.append(para(f"核查人员：{inspectors}", st.small))
    story.extend(
        [
            para("说明", st.heading),
            para(
                f"一、根据{PAUSE_BASIS}，现场核查和整改所需时间不计入审批时限，各事项自核查之日起暂停计时，"
                "联合核查通过后恢复计时。",
                st.body,
            ),
            para("二、逾期未整改或整改后仍不符合要求的，有关部门将依法作出不予许可的决定。", st.body),
            para(
                f"三、如对核查意见有异议，请在整改期限内向{lead.name}提出"
                f"{f'（电话 {lead.phone}）' if lead.phone else ''}。",
                st.body,
            ),
            Spacer(1, 18),
            para(f"{lead.name}（联合核查专用章）", st.body),
            para(issued, st.body),
        ]
    )
    return render_pdf(story, title=TITLE, issuer=lead.name, subject=case.number or "")

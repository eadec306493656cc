"""The window's written notices as PDFs: 受理通知书, 补正材料通知书, 不予受理通知书.

Each is rendered from what was recorded when it was issued (dates, entries, reason), so the same
notice comes out however often it is downloaded. A resubmission moves the case's submission time:
a supplement notice states the submission it answered, kept on its request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer

from onewindow.cases.models import Case, SupplementRequest
from onewindow.lib.idcheck import is_valid_id_number, mask_id_number
from onewindow.lib.pdf import para, render_pdf, styles, table

SUPPLEMENT_BASIS = "《中华人民共和国行政许可法》第三十二条"
REFUSAL_BASIS = "《中华人民共和国行政许可法》第三十二条第一款"


def holder_code_display(code: str) -> str:
    """A person's ID number is shown masked on every page and document; a credit code in full."""
    if code and is_valid_id_number(code):
        return mask_id_number(code)
    return code


def _date(moment: datetime | None) -> str:
    local = timezone.localtime(moment or timezone.now())
    return f"{local.year}年{local.month}月{local.day}日"


def _centre(case: Case) -> str:
    return case.service_center.name if case.service_center_id else settings.CENTRE_NAME


def _head(case: Case, title: str, moment: datetime | None) -> list[Flowable]:
    st = styles()
    return [
        para(_centre(case), st.subtitle),
        para(title, st.title),
        para(f"办件编号：{case.number or '（未编号）'}    日期：{_date(moment)}", st.subtitle),
        para(f"{case.holder_name}：", st.body),
    ]


def _facts(case: Case, submitted_at: datetime | None) -> Flowable:
    """The applicant and the submission the notice answers (`submitted_at`, not the case's latest)."""
    rows: list[list[object]] = [
        ["申请人", case.holder_name],
        ["申请人代码", holder_code_display(case.holder_code) or "—"],
        ["申请主题", case.bundle.name],
        ["申请渠道", case.get_channel_display()],
        [
            "提交时间",
            timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M") if submitted_at else "—",
        ],
    ]
    return table(rows, [0.25, 0.75], header_rows=0)


def _gap() -> Flowable:
    return Spacer(1, 8)


def _seal(case: Case, moment: datetime | None) -> list[Flowable]:
    right = ParagraphStyle("ow-seal", parent=styles().body, alignment=TA_RIGHT)
    return [
        Spacer(1, 24),
        para(f"{_centre(case)}（受理专用章）", right),
        para(_date(moment), right),
    ]


def _limit_shown(item: dict[str, Any]) -> str:
    """The working days the branch runs on: the commitment route's own limit where the applicant
    chose it (plans from before it was kept run on the promised limit)."""
    promised = item.get("promised_limit_days", "")
    limit = item.get("limit_days", promised)
    if limit == promised:
        return str(promised)
    return "当场办结（告知承诺）" if limit == 0 else f"{limit}（告知承诺）"


def _clock_start(item: dict[str, Any], names: dict[str, str]) -> str:
    """When an item's time limit starts: at acceptance, or once its prerequisites are decided."""
    prerequisites = [f"“{names.get(code, code)}”" for code in item.get("prerequisites", [])]
    if not prerequisites:
        return "受理之日"
    return f"{'、'.join(prerequisites)}作出审批决定之日（受理时等待前置审批）"


def acceptance_pdf(case: Case) -> bytes:
    """受理通知书: the case is accepted; its items go to their departments in parallel.

    An accepted case is never submitted again: its submission time is the one accepted.
    """
    st = styles()
    moment = case.accepted_at
    story = _head(case, "受理通知书", moment)
    story.append(
        para(
            f"你（单位）于{_date(case.submitted_at)}提交的{case.bundle.name}申请，申请材料齐全、符合法定形式，"
            f"根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，本中心决定予以受理。"
            "各事项由下列部门并联审批，请凭办件编号查询办理进度。",
            st.body,
        )
    )
    story.extend([_facts(case, case.submitted_at), _gap()])
    story.append(para("受理事项", st.heading))
    items = case.plan.get("items", [])
    names = {item["code"]: item["name"] for item in items}
    rows: list[list[object]] = [["序号", "事项名称", "审批部门", "承诺时限（工作日）", "开始计时"]]
    for number, item in enumerate(items, start=1):
        rows.append(
            [
                str(number),
                item["name"],
                item.get("department_name", ""),
                _limit_shown(item),
                _clock_start(item, names),
            ]
        )
    story.extend([table(rows, [0.07, 0.35, 0.2, 0.13, 0.25]), _gap()])
    waits = any(item.get("prerequisites") for item in items)
    story.append(
        para(
            "办理时限按工作日计算，不含法定节假日；"
            + ("有前置事项的，自前置事项作出审批决定之日起计算，不自受理之日起计算；" if waits else "")
            + "依法需要听证、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在期限内。",
            st.small,
        )
    )
    story.extend(_seal(case, moment))
    return render_pdf(story, title="受理通知书", issuer=_centre(case), subject=case.number or "")


def supplement_pdf(case: Case, request: SupplementRequest) -> bytes:
    """补正材料通知书: everything to add or correct, in one notice (补正一次告知)."""
    st = styles()
    moment = request.requested_at
    story = _head(case, "补正材料通知书", moment)
    story.append(
        para(
            f"你（单位）于{_date(request.submitted_at)}提交的{case.bundle.name}申请，经审查，申请材料不齐全或者"
            f"不符合法定形式。根据{SUPPLEMENT_BASIS}第一款第（四）项的规定，现一次告知你（单位）需要补正的"
            f"全部内容（共 {len(request.entries)} 项）：",
            st.body,
        )
    )
    story.extend([_facts(case, request.submitted_at), _gap()])
    story.append(para("需要补正的全部内容", st.heading))
    rows: list[list[object]] = [["序号", "材料或内容", "补正原因和要求"]]
    for number, entry in enumerate(request.entries, start=1):
        rows.append([str(number), entry.get("name") or "其他内容", entry.get("reason", "")])
    story.extend([table(rows, [0.08, 0.32, 0.6]), _gap()])
    if request.note:
        story.append(para(f"说明：{request.note}", st.body))
    story.append(
        para(
            "请按上述清单一次补齐后重新提交（登录一窗通办，在办件页面修改表单、更换材料后提交，或到窗口办理）。"
            "本中心收到全部补正材料后重新审查，决定是否受理。",
            st.body,
        )
    )
    story.append(para(f"法律依据：{SUPPLEMENT_BASIS}。", st.small))
    story.extend(_seal(case, moment))
    return render_pdf(story, title="补正材料通知书", issuer=_centre(case), subject=case.number or "")


def refusal_pdf(case: Case) -> bytes:
    """不予受理通知书: the reason, and how to challenge the decision.

    A refused case is never submitted again: its submission time is the one refused.
    """
    st = styles()
    moment = case.completed_at
    city = settings.CITY_NAME
    story = _head(case, "不予受理通知书", moment)
    story.append(
        para(
            f"你（单位）于{_date(case.submitted_at)}提交的{case.bundle.name}申请，经审查，"
            f"根据{REFUSAL_BASIS}的规定，本中心决定不予受理。理由如下：",
            st.body,
        )
    )
    story.extend([_facts(case, case.submitted_at), _gap()])
    story.append(para("不予受理的理由", st.heading))
    story.append(para(case.outcome_note or "—", st.body))
    story.append(para("权利告知", st.heading))
    story.append(
        para(
            f"如不服本决定，可以自收到本通知书之日起六十日内依法向{city}人民政府申请行政复议，"
            "也可以自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。",
            st.body,
        )
    )
    story.extend(_seal(case, moment))
    return render_pdf(story, title="不予受理通知书", issuer=_centre(case), subject=case.number or "")

"""The 一单告知 (one notice of conditions and materials) as a PDF, laid out with the shared helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, KeepTogether, Spacer

from onewindow.bundles.planner import Disposition, Plan, PlanMaterial
from onewindow.centers.models import ServiceCenter
from onewindow.lib.pdf import para, render_pdf, styles, table


class AnswerLine(Protocol):
    @property
    def answer(self) -> str: ...

    @property
    def question(self) -> object: ...


def _copies(material: PlanMaterial) -> str:
    """What to hand in; nothing for a material taken from shared records or replaced by the commitment."""
    if material.disposition != Disposition.UPLOAD:
        return _("无需提交")
    parts = []
    if material.originals:
        parts.append(_("原件 %(n)d 份") % {"n": material.originals})
    if material.copies:
        parts.append(_("复印件 %(n)d 份") % {"n": material.copies})
    return _("，").join(parts) or _("电子材料")


def notice_pdf(
    plan: Plan,
    *,
    answers: Sequence[AnswerLine],
    centre: ServiceCenter | None,
    centre_name: str,
    generated: datetime,
) -> bytes:
    """Everything the notice page shows, as A4 pages; raises FontUnavailable without the CJK font."""
    st = styles()
    bundle = plan.bundle
    summary = plan.summary
    title = _("%(name)s 一单告知") % {"name": bundle.name}
    date_text = _("%(y)d年%(m)d月%(d)d日") % {"y": generated.year, "m": generated.month, "d": generated.day}
    story: list[Flowable] = [
        para(title, st.title),
        para(_("%(centre)s · 生成于 %(date)s") % {"centre": centre_name, "date": date_text}, st.subtitle),
        para(
            _(
                "根据您回答的情形，开办%(industry)s需办理 %(items)d 个事项，涉及 %(departments)d 个部门，"
                "并联审批，合并为一张《%(licence)s》。申请表由 %(fb)d 张合并为 %(fa)d 张，"
                "表单字段由 %(fdb)d 项精简为 %(fda)d 项；申请材料由 %(mb)d 份减为 %(ma)d 份"
                "（%(ms)d 份由部门共享调取，%(mc)d 份以告知承诺替代）。"
                "按承诺时限，逐项串联办理需 %(serial)d 个工作日，并联办理约 %(parallel)d 个工作日。"
            )
            % {
                "industry": bundle.industry,
                "items": summary.items,
                "departments": summary.departments,
                "licence": bundle.licence_name,
                "fb": summary.forms_before,
                "fa": summary.forms_after,
                "fdb": summary.fields_before,
                "fda": summary.fields_after,
                "mb": summary.materials_before,
                "ma": summary.materials_after,
                "ms": summary.materials_shared,
                "mc": summary.materials_committed,
                "serial": summary.serial_days,
                "parallel": summary.parallel_days,
            },
            st.body,
        ),
        para(_("一、您的情形"), st.heading),
        table(
            [[_("问题"), _("您的回答")], *[[str(row.question), row.answer] for row in answers]],
            [0.7, 0.3],
            st=st,
        ),
        para(_("二、需要办理的事项"), st.heading),
    ]
    item_rows: list[list[object]] = [
        [_("序号"), _("事项名称"), _("实施部门"), _("承诺/法定时限"), _("为何办理")]
    ]
    for number, plan_item in enumerate(plan.items, start=1):
        item = plan_item.item
        limits = _("承诺 %(p)d 个工作日 / 法定 %(s)d 个工作日") % {
            "p": item.promised_limit_days,
            "s": item.statutory_limit_days,
        }
        if plan_item.on_commitment_limit:
            limits = plan_item.commitment_limit_label + _("（一般程序%(limits)s）") % {"limits": limits}
        why = plan_item.reason
        if plan_item.commitment:
            why += _("；按告知承诺办理")
        item_rows.append([str(number), item.name, item.department.name, limits, why])
    story.append(table(item_rows, [0.07, 0.28, 0.2, 0.2, 0.25], st=st))

    story.append(para(_("三、各事项受理条件"), st.heading))
    for number, plan_item in enumerate(plan.items, start=1):
        item = plan_item.item
        block: list[Flowable] = [
            para(f"{number}. {item.name}（{item.department.name}）", st.subheading),
            para(_("受理条件：") + item.conditions, st.body),
            para(_("设定依据：") + item.legal_basis, st.small),
        ]
        if plan_item.prerequisites:
            names = "、".join(f"《{p.name}》" for p in plan_item.prerequisites)
            note = _("前置事项：须先取得%(names)s的结果。") % {"names": names}
            if plan_item.dependency_notes:
                note += "".join(plan_item.dependency_notes)
            block.append(para(note, st.small))
        story.append(KeepTogether(block))

    story.append(para(_("四、申请材料清单"), st.heading))
    headings = {
        Disposition.UPLOAD: _("（一）需提交的材料（%(n)d 份，各部门共用，只交一次）"),
        Disposition.SHARED: _("（二）部门共享调取的材料（%(n)d 份，无需提交）"),
        Disposition.COMMITMENT: _("（三）以告知承诺替代的材料（%(n)d 份，签署承诺书后免交）"),
    }
    for disposition, heading in headings.items():
        materials = [m for m in plan.materials if m.disposition == disposition]
        story.append(para(heading % {"n": len(materials)}, st.subheading))
        if not materials:
            story.append(para(_("无"), st.small))
            continue
        rows: list[list[object]] = [[_("序号"), _("材料名称"), _("份数"), _("为何需要"), _("办理方式")]]
        for number, material in enumerate(materials, start=1):
            rows.append(
                [
                    str(number),
                    material.material.name,
                    _copies(material),
                    material.reason,
                    material.disposition_reason,
                ]
            )
        story.append(table(rows, [0.07, 0.23, 0.15, 0.3, 0.25], st=st))

    story.append(para(_("五、办理时限"), st.heading))
    story.append(
        para(
            _(
                "各事项同时受理、并联审批。按承诺时限，逐项办理合计 %(serial)d 个工作日（法定时限合计 "
                "%(statutory)d 个工作日）；并联办理约 %(parallel)d 个工作日。时限不含受理当日，"
                "听证、检验检测、专家评审和现场核查整改时间不计入。"
            )
            % {
                "serial": summary.serial_days,
                "statutory": summary.statutory_serial_days,
                "parallel": summary.parallel_days,
            },
            st.body,
        )
    )
    if plan.on_commitment_limits:
        story.append(para(_("选择告知承诺办理的事项，按其告知承诺办理时限计算。"), st.body))

    story.append(para(_("六、办理地点与咨询"), st.heading))
    place = centre.name if centre else centre_name
    if centre and centre.address:
        place += f"（{centre.address}）"
    story.append(para(_("办理地点：%(place)s 综合受理窗口，也可网上申请。") % {"place": place}, st.body))
    if centre and centre.office_hours:
        story.append(para(_("办理时间：%(hours)s") % {"hours": centre.office_hours}, st.body))
    if centre and centre.phone:
        story.append(para(_("中心咨询电话：%(phone)s") % {"phone": centre.phone}, st.body))
    phone_rows: list[list[object]] = [[_("事项"), _("咨询电话"), _("监督投诉电话")]]
    for plan_item in plan.items:
        item = plan_item.item
        phone_rows.append(
            [item.name, item.consult_phone or item.department.phone or "—", item.complaint_phone or "12345"]
        )
    story.append(table(phone_rows, [0.5, 0.25, 0.25], st=st))
    story.append(Spacer(1, 8))
    story.append(
        para(
            _("本告知单根据您回答的情形自动生成，以窗口受理时的审查为准。政务服务便民热线：12345。"),
            st.small,
        )
    )
    return render_pdf(
        story,
        title=title,
        issuer=centre_name,
        subject=_("一业一证 一单告知"),
        footer_note=_("生成日期：%(date)s") % {"date": date_text},
        language=get_language(),
    )

"""What each step on a case's timeline is called, for the progress page, the API and the staff pages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ACTION_LABELS: dict[str, Promise] = {
    "created": pgettext_lazy("case history", "创建申请"),
    "material_uploaded": pgettext_lazy("case history", "上传材料"),
    "materials_uploaded": pgettext_lazy("case history", "批量上传材料"),
    "material_shared": pgettext_lazy("case history", "从电子证照库调取材料"),
    "materials_shared": pgettext_lazy("case history", "从电子证照库一次调取多份材料"),
    "commitment_signed": pgettext_lazy("case history", "签署告知承诺书"),
    "submitted": pgettext_lazy("case history", "提交申请"),
    "resubmitted": pgettext_lazy("case history", "补正后重新提交"),
    "accepted": pgettext_lazy("case history", "综合窗口受理"),
    "supplement_requested": pgettext_lazy("case history", "一次告知需要补正的材料"),
    "refused": pgettext_lazy("case history", "不予受理"),
    "branches_opened": pgettext_lazy("case history", "分送各部门并联审批"),
    "branch_released": pgettext_lazy("case history", "前置审批已完成，后续事项开始审批"),
    "branch_approved": pgettext_lazy("case history", "部门准予许可"),
    "branch_denied": pgettext_lazy("case history", "部门不予许可"),
    "branch_paused": pgettext_lazy("case history", "暂停计时"),
    "branch_resumed": pgettext_lazy("case history", "恢复计时"),
    "commitment_check_confirmed": pgettext_lazy("case history", "告知承诺事后核查：核查相符"),
    "commitment_check_rectify": pgettext_lazy("case history", "告知承诺事后核查：责令限期整改"),
    "commitment_check_revoke": pgettext_lazy("case history", "告知承诺事后核查：承诺不实，决定撤销许可"),
    "rectification_replied": pgettext_lazy("case history", "申请人答复整改要求"),
    "branch_extension_requested": pgettext_lazy("case history", "申请延长审批期限"),
    "branch_extension_declined": pgettext_lazy("case history", "延期申请未获批准"),
    "branch_extension_withdrawn": pgettext_lazy("case history", "撤回延期申请"),
    "branch_extension_voided": pgettext_lazy("case history", "延期申请作废（审批人已不在岗）"),
    "branch_due_recomputed": pgettext_lazy("case history", "节假日安排调整，重新计算到期日"),
    "branch_extended": pgettext_lazy("case history", "延长审批期限"),
    "approval_completed": pgettext_lazy("case history", "全部事项审批完成"),
    "inspection_scheduled": pgettext_lazy("case history", "安排联合现场核查"),
    "checklist_recorded": pgettext_lazy("case history", "填写现场核查项"),
    "inspection_findings_issued": pgettext_lazy("case history", "出具现场核查整改通知（一次告知）"),
    "inspection_rectification_reported": pgettext_lazy("case history", "申请人报告整改情况"),
    "reinspection_scheduled": pgettext_lazy("case history", "安排复查"),
    "inspection_passed": pgettext_lazy("case history", "联合现场核查通过"),
    "inspection_closed": pgettext_lazy("case history", "联合现场核查关闭"),
    "licence_issued": pgettext_lazy("case history", "签发综合许可证"),
    "licence_changed": pgettext_lazy("case history", "综合许可证变更"),
    "licence_revoked": pgettext_lazy("case history", "综合许可证被吊销"),
    "licence_cancelled": pgettext_lazy("case history", "综合许可证注销"),
    "renewal_reminded": pgettext_lazy("case history", "提醒办理延续"),
    "delivery_chosen": pgettext_lazy("case history", "选择领证方式"),
    "handed_over": pgettext_lazy("case history", "窗口领取证照"),
    "pickup_code_voided": pgettext_lazy("case history", "取件码连续输错，已作废"),
    "shipped": pgettext_lazy("case history", "证照已寄出"),
    "delivered": pgettext_lazy("case history", "证照已送达"),
    "closed": pgettext_lazy("case history", "办结"),
    "corrected": pgettext_lazy("case history", "系统管理员更正办件信息"),
}


def action_label(action: str) -> str:
    """The step's name in the current language; an action added later shows as its code, never an error."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action

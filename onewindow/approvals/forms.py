"""What the reviewer's pages read: queue filters and the decision forms.

The forms only parse input (dates, numbers, the hidden version); whether a decision is
complete and allowed is the services' business, so their Chinese messages land next to
the fields through `add_service_errors`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import EXTENSION_TEXT_MAX, REPLY_KEY_MAX, REPLY_TEXT_MAX, Branch, ClockPause
from onewindow.approvals.selectors import extension_approvers
from onewindow.approvals.services import validity_end
from onewindow.cases.errors import CaseError
from onewindow.inspections.forms import MultipleFileField, ServiceErrorsMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请按“年-月-日”填写日期，例如 2030-12-31。")}

# The queue's status filter: the three open states one by one, and the decided ones together.
STATUS_FILTERS = [
    ("", _("全部在办")),
    ("pending", _("审批中")),
    ("waiting", _("等待前置")),
    ("paused", _("暂停计时")),
    ("decided", _("已决定")),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTERS, required=False)
    bundle = forms.ChoiceField(label=_("一业一证主题"), required=False)
    q = forms.CharField(
        label=_("办件编号或申请人"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("如 429006… 或企业名称")}),
    )

    def __init__(self, *args: Any, bundles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bundle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("全部主题")), *bundles]

    def values(self) -> dict[str, str]:
        """The valid filters; an unknown value (a hand-edited address) is dropped, not fatal."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: (cleaned.get(name) or "").strip() for name in ("status", "bundle", "q")}


class DecisionForm(forms.Form):
    """A form that acts on one branch; `version` is the branch version the page was built from."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("页面已过期，请刷新页面后重新办理。"),
            "invalid": _("页面已过期，请刷新页面后重新办理。"),
            "min_value": _("页面已过期，请刷新页面后重新办理。"),
        },
    )

    def add_service_errors(self, error: CaseError) -> None:
        """Put a service's field messages beside the fields, the rest at the top of the form."""
        placed = False
        for name, message in error.fields.items():
            if name in self.fields and name != "version":
                self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class ApproveForm(DecisionForm):
    permit_number = forms.CharField(
        label=_("许可证号"),
        required=False,
        max_length=60,
        help_text=_("留空则按本部门的编号规则自动生成；号码将写入准予行政许可决定书。"),
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DATE_INPUT,
        error_messages=DATE_ERRORS,
    )
    comment = forms.CharField(
        label=_("审批意见（可不填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, branch: Branch, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = branch.item.result_validity_years
        field = self.fields["valid_until"]
        if years:
            field.help_text = gettext(
                "本事项许可有效期依法为 %(years)s 年，已按今天起算预填；可改早，不能晚于预填的日期。留空即按 %(years)s 年计。"
            ) % {"years": years}
            self.initial.setdefault("valid_until", validity_end(today, years))
        else:
            field.help_text = gettext("本事项许可长期有效，可留空。")


class DenyForm(DecisionForm):
    reason = forms.CharField(
        label=_("不予许可的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明不符合哪项条件、依据什么事实，将写入不予行政许可决定书。"),
    )
    legal_basis = forms.CharField(
        label=_("法律依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("已预填本事项的设定依据，请改为具体的法律条款。"),
    )

    def __init__(self, *args: Any, branch: Branch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("legal_basis", branch.item.legal_basis)


class PauseForm(DecisionForm):
    reason = forms.ChoiceField(
        label=_("暂停原因"),
        choices=ClockPause.Reason.choices,
        initial=ClockPause.Reason.RECTIFICATION,
        error_messages={
            "invalid_choice": _("请选择暂停计时的原因。"),
            "required": _("请选择暂停计时的原因。"),
        },
    )
    note = forms.CharField(
        label=_("暂停说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "整改、补正：写明需要申请人整改或补充的全部内容；现场核查、检验检测、专家评审：写明安排。"
            "将以短信和站内消息一次告知申请人；暂停期间不计入审批时限（行政许可法第四十五条）。"
        ),
    )


class ResumeForm(DecisionForm):
    comment = forms.CharField(
        label=_("恢复说明（可不填）"),
        required=False,
        max_length=500,
        help_text=_("如“申请人已完成整改”。暂停的工作日会顺延到期日。"),
    )


KEY_INVALID = _("提交令牌无效，请刷新页面后重新提交。")


class ReplyForm(ServiceErrorsMixin, forms.Form):
    """The applicant's answer to a rectification request; the files are checked in the service.

    `key` is the page's one-time key: the same answer sent twice is saved once (services.branch_reply).
    """

    key = forms.CharField(
        required=False,
        max_length=REPLY_KEY_MAX,
        widget=forms.HiddenInput,
        error_messages={"max_length": KEY_INVALID, "null_characters_not_allowed": KEY_INVALID},
    )
    text = forms.CharField(
        label=_("答复内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REPLY_TEXT_MAX}),
    )
    attachments = MultipleFileField(
        label=_("附件（可不传）"),
        help_text=_("整改后的照片、补充的证明材料等；PDF、JPEG 或 PNG，可一次选择多个文件。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext("逐项说明已如何整改或补充，%(count)s 字以内。") % {
            "count": REPLY_TEXT_MAX
        }


class ApproverField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        role = gettext("督查/管理") if obj.role == Role.SUPERVISOR else gettext("本部门审批人员")
        return gettext("%(name)s · %(role)s") % {"name": obj.name, "role": role}


class ExtendForm(DecisionForm):
    """A request to extend the deadline; the chosen approver decides it (services.extension_request)."""

    days = forms.IntegerField(
        label=_("延长工作日"),
        error_messages={"required": _("请填写延长的工作日数。"), "invalid": _("请填写整数天数。")},
    )
    reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        max_length=EXTENSION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approver = ApproverField(
        label=_("审批人"),
        queryset=User.objects.none(),
        empty_label=_("请选择"),
        help_text=_("申请提交后由所选负责人审批；批准前到期日不变。"),
        error_messages={"required": _("请选择审批人。"), "invalid_choice": _("请从列表中选择审批人。")},
    )

    def __init__(self, *args: Any, branch: Branch, reviewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = branch.item.statutory_extension_days
        days = self.fields["days"]
        assert isinstance(days, forms.IntegerField)
        days.widget.attrs.update({"min": 1, "max": allowed, "inputmode": "numeric"})
        days.help_text = gettext("依法最多可延长 %(days)s 个工作日，只能延期一次。") % {"days": allowed}
        # Checked here as well as in the service, so that every mistake of the form is shown at once,
        # not one per submit: the range and the reason, beside a missing approver.
        out_of_range = gettext("延长天数应在 1 至 %(days)s 个工作日之间。") % {"days": max(allowed, 1)}
        days.validators.extend(
            [MinValueValidator(1, out_of_range), MaxValueValidator(max(allowed, 1), out_of_range)]
        )
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = gettext("请写明延期理由。")
        self.initial.setdefault("days", allowed)
        approver = self.fields["approver"]
        assert isinstance(approver, ApproverField)
        approver.queryset = extension_approvers(branch, reviewer)


EXTENSION_DECISIONS = [("approve", _("批准延期")), ("decline", _("不批准"))]


class ExtensionDecisionForm(ServiceErrorsMixin, forms.Form):
    """The approver's answer to an extension request: which button, and his comment."""

    decision = forms.ChoiceField(
        choices=EXTENSION_DECISIONS,
        error_messages={
            "required": _("请点击“批准延期”或“不批准”。"),
            "invalid_choice": _("请点击“批准延期”或“不批准”。"),
        },
    )
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=EXTENSION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("批准时可不填；不批准时须写明理由，理由将通知提出申请的审批人员。"),
    )

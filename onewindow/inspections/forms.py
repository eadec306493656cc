"""What the inspection pages read. Forms only parse input; the rules are in inspections.services,
whose Chinese messages land next to the fields through `add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseError
from onewindow.inspections.models import CHECK_TEXT_MAX, ChecklistResult
from onewindow.inspections.selectors import DepartmentToInspect
from onewindow.inspections.services import MAX_RECTIFICATION_WORKDAYS, RECTIFICATION_WORKDAYS, CheckResult

RECTIFICATION_RANGE_ERROR = format_lazy(
    gettext_lazy("整改期限应在 1 至 {max} 个工作日之间。"), max=MAX_RECTIFICATION_WORKDAYS
)
WHEN_ERRORS = {
    "required": gettext_lazy("请填写核查时间。"),
    "invalid": gettext_lazy("请按“年-月-日 时:分”填写核查时间。"),
}


class WhenInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by content in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ServiceErrorsMixin:
    """Put a service's field messages beside the fields, the rest at the top of the form."""

    def add_service_errors(self, error: CaseError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        placed = False
        for name, message in error.fields.items():
            if name in form.fields:
                form.add_error(name, message)
                placed = True
        if not placed:
            form.add_error(None, error.message)


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ScheduleForm(ServiceErrorsMixin, forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("核查时间"), widget=WhenInput(), error_messages=WHEN_ERRORS
    )
    address = forms.CharField(
        label=gettext_lazy("核查地点"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("经营场所地址，已按申请表预填。"),
    )

    def __init__(self, *args: Any, plan: list[DepartmentToInspect], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        for group in plan:
            items = _("、").join(b.item.name for b in group.branches)
            field = InspectorChoiceField(
                label=_("%(department)s派出的核查人员") % {"department": group.department.name},
                queryset=User.objects.filter(pk__in=[u.pk for u in group.inspectors]),
                empty_label=_("请选择"),
                required=False,
                help_text=_("负责核查：%(items)s") % {"items": items},
            )
            if len(group.inspectors) == 1:
                field.initial = group.inspectors[0].pk
            self.fields[self.inspector_field(group.department.code)] = field

    @staticmethod
    def inspector_field(code: str) -> str:
        return f"inspector_{code}"

    def inspectors(self) -> dict[str, User]:
        chosen = {}
        for group in self.plan:
            user = self.cleaned_data.get(self.inspector_field(group.department.code))
            if user is not None:
                chosen[group.department.code] = user
        return chosen

    def inspector_fields(self) -> list[forms.BoundField]:
        return [self[self.inspector_field(group.department.code)] for group in self.plan]

    def add_service_errors(self, error: CaseError) -> None:
        # The service names inspector problems by department code.
        renamed = {
            (self.inspector_field(name) if self.inspector_field(name) in self.fields else name): message
            for name, message in error.fields.items()
        }
        super().add_service_errors(CaseError(error.code, error.message, fields=renamed))


class EntryForm(ServiceErrorsMixin, forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("核查结果"),
        choices=ChecklistResult.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("情况说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("不合格时写明问题和整改要求，将写入整改通知书。"),
    )
    photos = MultipleFileField(label=gettext_lazy("现场照片"))


class FinishForm(ServiceErrorsMixin, forms.Form):
    rectification_workdays = forms.IntegerField(
        label=gettext_lazy("整改期限（工作日）"),
        initial=RECTIFICATION_WORKDAYS,
        min_value=1,
        max_value=MAX_RECTIFICATION_WORKDAYS,
        help_text=gettext_lazy("有不合格项时，整改通知书写明的整改期限，从今天起按工作日计算。"),
        error_messages={
            "required": gettext_lazy("请填写整改期限。"),
            "invalid": gettext_lazy("请填写整数天数。"),
            "min_value": RECTIFICATION_RANGE_ERROR,
            "max_value": RECTIFICATION_RANGE_ERROR,
        },
    )


class ReinspectionForm(ServiceErrorsMixin, forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("复查时间"), widget=WhenInput(), error_messages=WHEN_ERRORS
    )
    address = forms.CharField(
        label=gettext_lazy("复查地点"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("留空表示与上次相同。"),
    )


class CloseForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("关闭原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如“申请人撤回申请”。关闭后各事项恢复计时。"),
    )


class RectificationForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("整改情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("请逐项说明每个问题是如何整改的。"),
    )
    evidence = MultipleFileField(label=gettext_lazy("整改照片或证明材料"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CommitmentCheckForm(ServiceErrorsMixin, forms.Form):
    """What the check on site found; the rules (findings required, the rectification date) are the service's."""

    result = forms.ChoiceField(
        label=gettext_lazy("核查结论"),
        widget=forms.RadioSelect,
        choices=[
            (CheckResult.CONFIRMED, gettext_lazy("承诺属实，核查相符")),
            (CheckResult.RECTIFY, gettext_lazy("与承诺不符，责令限期整改")),
            (CheckResult.REVOKE, gettext_lazy("承诺不实，决定撤销许可")),
        ],
        error_messages={
            "required": gettext_lazy("请选择核查结论。"),
            "invalid_choice": gettext_lazy("请选择核查结论。"),
        },
    )
    findings = forms.CharField(
        label=gettext_lazy("核查发现"),
        required=False,
        max_length=CHECK_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "责令整改的，逐项写明问题和整改要求；撤销许可的，写明承诺不实的事实、理由和依据。核查相符的可不填。"
        ),
        error_messages={"max_length": gettext_lazy("请不超过 %(limit_value)d 字。")},
    )
    rectify_by = forms.DateField(
        label=gettext_lazy("整改期限"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("仅责令限期整改时填写：申请人应在此日期前完成整改，届时再次核查。"),
        error_messages={"invalid": gettext_lazy("请按“年-月-日”填写整改期限。")},
    )
    round = forms.IntegerField(widget=forms.HiddenInput, required=False)

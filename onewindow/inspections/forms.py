"""What the inspection pages read. Forms only parse input; the rules are in inspections.services,
whose Chinese messages land next to the fields through `add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseError
from onewindow.inspections.models import ChecklistResult
from onewindow.inspections.selectors import DepartmentToInspect
from onewindow.inspections.services import MAX_RECTIFICATION_WORKDAYS, RECTIFICATION_WORKDAYS

WHEN_ERRORS = {"required": "请填写核查时间。", "invalid": "请按“年-月-日 时:分”填写核查时间。"}


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
    scheduled_at = forms.DateTimeField(label="核查时间", widget=WhenInput(), error_messages=WHEN_ERRORS)
    address = forms.CharField(
        label="核查地点",
        max_length=200,
        required=False,
        help_text="经营场所地址，已按申请表预填。",
    )

    def __init__(self, *args: Any, plan: list[DepartmentToInspect], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        for group in plan:
            items = "、".join(b.item.name for b in group.branches)
            field = InspectorChoiceField(
                label=f"{group.department.name}派出的核查人员",
                queryset=User.objects.filter(pk__in=[u.pk for u in group.inspectors]),
                empty_label="请选择",
                required=False,
                help_text=f"负责核查：{items}",
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
        label="核查结果",
        choices=ChecklistResult.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="情况说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不合格时写明问题和整改要求，将写入整改通知书。",
    )
    photos = MultipleFileField(label="现场照片")


class FinishForm(ServiceErrorsMixin, forms.Form):
    rectification_workdays = forms.IntegerField(
        label="整改期限（工作日）",
        initial=RECTIFICATION_WORKDAYS,
        min_value=1,
        max_value=MAX_RECTIFICATION_WORKDAYS,
        help_text="有不合格项时，整改通知书写明的整改期限，从今天起按工作日计算。",
        error_messages={
            "required": "请填写整改期限。",
            "invalid": "请填写整数天数。",
            "min_value": f"整改期限应在 1 至 {MAX_RECTIFICATION_WORKDAYS} 个工作日之间。",
            "max_value": f"整改期限应在 1 至 {MAX_RECTIFICATION_WORKDAYS} 个工作日之间。",
        },
    )


class ReinspectionForm(ServiceErrorsMixin, forms.Form):
    scheduled_at = forms.DateTimeField(label="复查时间", widget=WhenInput(), error_messages=WHEN_ERRORS)
    address = forms.CharField(
        label="复查地点", max_length=200, required=False, help_text="留空表示与上次相同。"
    )


class CloseForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="关闭原因",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如“申请人撤回申请”。关闭后各事项恢复计时。",
    )


class RectificationForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="整改情况",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="请逐项说明每个问题是如何整改的。",
    )
    evidence = MultipleFileField(label="整改照片或证明材料")

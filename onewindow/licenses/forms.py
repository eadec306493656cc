"""What the licence pages read: lifecycle forms for the issuer and the delivery forms.

The forms only parse input; whether a change, a revocation or a hand-over is allowed is the
services' business, so their Chinese messages land next to the fields through
`add_service_errors`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import CaseError
from onewindow.licenses.models import Delivery


class ServiceForm(forms.Form):
    def add_service_errors(self, error: CaseError) -> None:
        """Put a service's field messages beside the fields, the rest at the top of the form."""
        placed = False
        for name, message in error.fields.items():
            if name in self.fields:
                self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class ChangeForm(ServiceForm):
    legal_representative = forms.CharField(
        label=_("新的法定代表人"), required=False, max_length=50, help_text=_("不变更的项目请留空。")
    )
    address = forms.CharField(label=_("新的经营场所"), required=False, max_length=200)
    holder_name = forms.CharField(label=_("新的持证主体名称"), required=False, max_length=100)
    note = forms.CharField(
        label=_("变更说明"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明变更事项和依据，例如“法定代表人变更，依据股东会决议”。"),
    )


class EndForm(ServiceForm):
    reason = forms.CharField(
        label=_("原因和依据"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将在公开核验页面上显示。"),
    )


class DeliveryForm(ServiceForm):
    method = forms.ChoiceField(
        label=_("领取方式"),
        choices=Delivery.Method.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择窗口领取或邮寄送达。"),
            "invalid_choice": _("请选择窗口领取或邮寄送达。"),
        },
    )
    recipient = forms.CharField(
        label=_("收件人"), required=False, max_length=50, help_text=_("邮寄送达时填写。")
    )
    phone = forms.CharField(
        label=_("收件电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("收件地址"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )


class HandOverForm(ServiceForm):
    pickup_code = forms.CharField(
        label=_("取件码"),
        max_length=8,
        help_text=_("请申请人出示短信或证照页面上的 6 位取件码。"),
        error_messages={"required": _("请输入申请人出示的 6 位取件码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )


class ShipForm(ServiceForm):
    carrier = forms.CharField(label=_("快递公司"), required=False, max_length=30)
    tracking_number = forms.CharField(label=_("运单号"), required=False, max_length=40)

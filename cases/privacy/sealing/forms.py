"""The sealing pages' forms (issue 10 §3): a reason, and when sealing an optional document."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SealForm(forms.Form):
    reason = forms.CharField(
        label=_("封存原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写原因。")},
    )
    document = forms.FileField(
        label=_("依据文件（如法院通知书，可选）"),
        required=False,
        help_text=_("PDF、JPG 或 PNG，不超过 10 MB。仅本镇民政办和区县民政部门可查看。"),
    )


class UnsealForm(forms.Form):
    reason = forms.CharField(
        label=_("解除封存的原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写原因。")},
    )

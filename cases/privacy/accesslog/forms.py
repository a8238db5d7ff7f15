"""Forms of the access-log pages and of break-the-glass access (issue 10 §2, §10)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import AccessLog
from cases.privacy.accesslog.rules import EMERGENCY_REASON_MIN_LENGTH


class AccessLogFilterForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *AccessLog.Action.choices])
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部")), *AccessLog.Channel.choices])

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned


class EmergencyAccessForm(forms.Form):
    reference = forms.CharField(
        label=_("身份证号码或档案编号"),
        max_length=18,
        error_messages={"required": _("请填写身份证号码或档案编号。")},
        help_text=_("档案编号即档案页地址中的数字。"),
    )
    reason = forms.CharField(
        label=_("紧急调阅理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写紧急调阅理由。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so the help text follows the page's language.
        self.fields["reason"].help_text = gettext(
            "请写明紧急情况和调阅的必要性（至少%(n)d个字）。该理由将告知儿童所在乡镇民政办负责人。"
        ) % {"n": EMERGENCY_REASON_MIN_LENGTH}

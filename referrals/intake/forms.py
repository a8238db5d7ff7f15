"""Forms of the intake pages: they parse input; referrals.intake.services decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases.models import Category, Gender
from referrals.intake.models import ReportChannel
from tiers.models import Region

STAFF_CHANNELS = [choice for choice in ReportChannel.choices if choice[0] != ReportChannel.PARTNER_API]


class ReportForm(forms.Form):
    town = forms.ModelChoiceField(label=gettext_lazy("受理乡镇（街道）"), queryset=Region.objects.none())
    channel = forms.ChoiceField(label=gettext_lazy("来源渠道"), choices=STAFF_CHANNELS)
    hotline = forms.CharField(label=gettext_lazy("热线号码"), required=False)
    reporter_name = forms.CharField(label=gettext_lazy("报告人"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=gettext_lazy("报告人电话"), required=False, max_length=30)
    child_name = forms.CharField(label=gettext_lazy("涉及未成年人姓名"), required=False, max_length=50)
    child_description = forms.CharField(label=gettext_lazy("未成年人情况"), required=False, max_length=300)
    summary = forms.CharField(label=gettext_lazy("报告内容"), widget=forms.Textarea(attrs={"rows": 4}))
    violence_alleged = forms.BooleanField(label=gettext_lazy("涉及暴力侵害"), required=False)
    discovered_at = forms.DateTimeField(
        label=gettext_lazy("发现时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, towns, partner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        if partner:
            for name in ("channel", "hotline", "reporter_name", "reporter_phone"):
                del self.fields[name]


class LinkForm(forms.Form):
    minor = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("说明"), required=False)


class RegisterForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("村（社区）或网格"), queryset=Region.objects.none())
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    gender = forms.ChoiceField(label=gettext_lazy("性别"), choices=Gender.choices)
    birth_date = forms.DateField(label=gettext_lazy("出生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    id_number = forms.CharField(label=gettext_lazy("身份证号码"), required=False, max_length=18)
    no_id_reason = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(label=gettext_lazy("困境类别"), queryset=Category.objects.none())

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.none()
        self.fields["category"].queryset = Category.objects.filter(is_active=True, requires_note=False)
        self.report = report


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    outcome_for_reporter = forms.CharField(label=gettext_lazy("反馈报告人的结果"), required=False)

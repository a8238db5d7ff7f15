"""Forms of the referral pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import Priority


class ReferralDraftForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("接收单位"), queryset=None)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)
    reason = forms.CharField(label=_("转介事由"), widget=forms.Textarea(attrs={"rows": 3}))
    town_contact = forms.CharField(label=_("乡镇联系人及电话"), max_length=100, required=False)
    send_now = forms.BooleanField(label=_("立即发送"), required=False, initial=True)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

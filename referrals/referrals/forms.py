"""Forms of the referral pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.referrals.models import Priority
from tiers.models import OrganisationKind


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


class ReferralRuleForm(forms.Form):
    """A county's own routing of one rule (the evidence stays deployment-wide)."""

    destination_kind = forms.ChoiceField(label=_("转介去向"), choices=OrganisationKind.choices)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices)
    also_notify_kind = forms.ChoiceField(
        label=_("同时通报"), choices=[("", _("不通报")), *OrganisationKind.choices], required=False
    )
    urgent_draft = forms.BooleanField(label=_("自动生成紧急转介草稿"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)

    @classmethod
    def initial_for(cls, rule) -> dict:
        return {name: getattr(rule, name) for name in cls.base_fields}

"""Forms of screening campaigns (issue 12 §3): opening a campaign for a town or county in the user's reach."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.campaigns import rules
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import region_list


class CampaignOpenForm(forms.Form):
    region = forms.ModelChoiceField(label=_("排查范围"), queryset=Region.objects.none())
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("例如：2026年第四季度摸底排查"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list(user=user, capability=Capability.RUN_CAMPAIGNS).filter(
            level__in=rules.CAMPAIGN_LEVELS
        )

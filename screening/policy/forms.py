"""Web forms of the district's policy page: what a grade demands in a county, and a checklist indicator's
setting there (domain.md §3.1 [PROPOSAL], §14.7). The service checks the same bounds (screening.rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.grading.forms import GRADES_HIGH_FIRST
from screening.rules import CONTACT_INTERVAL_DAYS_RANGE, RESPONSE_DEADLINE_HOURS_RANGE, VISIT_INTERVAL_DAYS_RANGE


class GradePolicyForm(forms.Form):
    visit_interval_days = forms.IntegerField(
        label=_("走访间隔（天）"), min_value=VISIT_INTERVAL_DAYS_RANGE[0], max_value=VISIT_INTERVAL_DAYS_RANGE[1]
    )
    requires_helper = forms.BooleanField(label=_("须指定一对一帮扶人"), required=False)
    response_deadline_hours = forms.IntegerField(
        label=_("应急处置时限（小时）"),
        required=False,
        min_value=RESPONSE_DEADLINE_HOURS_RANGE[0],
        max_value=RESPONSE_DEADLINE_HOURS_RANGE[1],
    )
    contact_interval_until_response_days = forms.IntegerField(
        label=_("处置到位前联系间隔（天）"),
        required=False,
        min_value=CONTACT_INTERVAL_DAYS_RANGE[0],
        max_value=CONTACT_INTERVAL_DAYS_RANGE[1],
    )

    @classmethod
    def initial_for(cls, policy) -> dict[str, Any]:
        if policy is None:
            return {}
        return {name: getattr(policy, name) for name in cls.base_fields}


class IndicatorForm(forms.Form):
    min_grade = forms.ChoiceField(label=_("对应最低等级"), choices=[(g.value, g.label) for g in GRADES_HIGH_FIRST])
    is_active = forms.BooleanField(label=_("启用"), required=False)

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MoveDecisionForm(forms.Form):
    """Accept or decline a move request; a decline needs a reason (checked by the service)."""

    note = forms.CharField(
        label=_("审核意见（退回时必填）"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeasureAssignForm(forms.Form):
    group = forms.ModelChoiceField(label=_("责任工作组"), queryset=None)

    def __init__(self, data=None, *, groups):
        super().__init__(data)
        self.fields["group"].queryset = groups

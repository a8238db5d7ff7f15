"""Web forms of the analysis reports. They parse input only; the rules live in
reporting.analysis.services, whose errors are put back onto these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from reporting.dashboard.selectors import quarter_choices as dashboard_quarter_choices
from reporting.models import ProtectionPlanReply
from tiers.models import Region

QUARTERS_OFFERED = 8


def quarter_choices() -> list[tuple[str, str]]:
    return [(str(q), q.label) for q in dashboard_quarter_choices(count=QUARTERS_OFFERED)]


class ReportRegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class AnalysisReportRequestForm(forms.Form):
    region = ReportRegionField(label=_("乡镇（街道）/区县"), queryset=Region.objects.none())
    quarter = forms.ChoiceField(label=_("季度"))

    def __init__(self, data=None, *, regions: QuerySet[Region]):
        super().__init__(data)
        self.fields["region"].queryset = regions
        self.fields["region"].error_messages["required"] = _("请选择乡镇（街道）或区县。")
        self.fields["quarter"].choices = quarter_choices()
        self.fields["quarter"].error_messages["required"] = _("请选择季度。")
        if len(regions) == 1:
            self.fields["region"].initial = regions[0].pk


class AnalysisReportFilterForm(forms.Form):
    region = ReportRegionField(
        label=_("乡镇（街道）/区县"), queryset=Region.objects.none(), required=False, empty_label=_("全部")
    )
    quarter = forms.ChoiceField(label=_("季度"), required=False)
    submitted = forms.BooleanField(label=_("只看已上报"), required=False)

    def __init__(self, data, *, regions: QuerySet[Region]):
        super().__init__(data)
        self.fields["region"].queryset = regions
        self.fields["quarter"].choices = [("", _("全部季度")), *quarter_choices()]

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"region": None, "quarter": "", "submitted": False}
        return self.cleaned_data


class ProtectionPlanReplyForm(forms.Form):
    body = ProtectionPlanReply._meta.get_field("body").formfield(widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = _("请填写保护方案。")

"""Web forms of grading: the assessment with its checklist, the one-to-one helper and the emergency
response. They parse and shape input only; the rules live in screening.grading.services, whose
ValidationError dicts are mapped back onto the form with tiers.forms.add_service_errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import RiskGrade
from screening.models import AssessmentKind, Indicator, ResponseMeasure
from screening.widgets import DATETIME_LOCAL, DATETIME_LOCAL_SECONDS, date_input

GRADES_HIGH_FIRST = [RiskGrade.RED, RiskGrade.ORANGE, RiskGrade.YELLOW, RiskGrade.BLUE]


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("评估类型"), choices=AssessmentKind.choices, initial=AssessmentKind.RISK_LEVEL, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(label=_("评估日期"), widget=date_input(), initial=timezone.localdate)
    indicators = forms.MultipleChoiceField(label=_("风险指标"), required=False, widget=forms.CheckboxSelectMultiple)
    final_grade = forms.ChoiceField(label=_("确定等级"), required=False)
    override_reason = forms.CharField(
        label=_("调整等级理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("确定等级与计算等级不同时必须填写。"),
    )
    summary = forms.CharField(label=_("评估结论"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data=None, *, indicators: list[Indicator], prefill: set[str], **kwargs):
        super().__init__(data, initial={"indicators": sorted(prefill)}, **kwargs)
        self.indicator_list = indicators
        self.fields["indicators"].choices = [(i.code, i.name) for i in indicators]
        self.fields["final_grade"].choices = [
            ("", _("按计算等级（%(grade)s）") % {"grade": self.computed_grade_label()}),
            *((grade.value, grade.label) for grade in GRADES_HIGH_FIRST),
        ]
        # The page's script rewrites the first option as the ticked indicators change.
        self.fields["final_grade"].widget.attrs["data-auto-label"] = _("按计算等级（%(grade)s）")

    def checked_codes(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("indicators")))
        return set(self.initial.get("indicators") or [])

    def computed_grade(self) -> str:
        """What the server will compute from the ticked indicators (the page shows it; the service decides)."""
        checked = self.checked_codes()
        grades = [i.min_grade for i in self.indicator_list if i.code in checked]
        return max(grades, key=RiskGrade.rank) if grades else RiskGrade.BLUE

    def computed_grade_label(self) -> str:
        return RiskGrade(self.computed_grade()).label

    def grades(self) -> list[RiskGrade]:
        return list(RiskGrade)

    def indicator_groups(self) -> list[dict[str, Any]]:
        checked = self.checked_codes()
        groups = []
        for grade in GRADES_HIGH_FIRST:
            rows = [{"indicator": i, "checked": i.code in checked} for i in self.indicator_list if i.min_grade == grade]
            if rows:
                groups.append({"grade": grade, "rows": rows})
        return groups

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        risk_level = data["kind"] == AssessmentKind.RISK_LEVEL
        return {
            "kind": data["kind"],
            "assessed_on": data["assessed_on"],
            "indicator_codes": data["indicators"] if risk_level else [],
            "final_grade": (data["final_grade"] or None) if risk_level else None,
            "override_reason": data["override_reason"] if risk_level else "",
            "summary": data["summary"],
        }


class HelperForm(forms.Form):
    name = forms.CharField(label=_("帮扶人姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    organisation = forms.CharField(label=_("所在单位"), required=False, max_length=100)
    since = forms.DateField(label=_("开始日期"), widget=date_input(), initial=timezone.localdate)


class EmergencyResponseForm(forms.Form):
    # To the second: a response counts only if it is not earlier than the red grade (screening.grading.services),
    # and a default rounded down to the minute could fall just before a grade given moments ago.
    acted_at = forms.DateTimeField(
        label=_("处置时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format=DATETIME_LOCAL_SECONDS),
        input_formats=[DATETIME_LOCAL_SECONDS, DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
    )
    acted_by = forms.CharField(label=_("处置人/单位"), max_length=100)
    measures = forms.MultipleChoiceField(
        label=_("处置措施"), choices=ResponseMeasure.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}))
    in_place = forms.BooleanField(label=_("处置已到位"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"acted_at": timezone.localtime().replace(microsecond=0)})
        super().__init__(*args, **kwargs)

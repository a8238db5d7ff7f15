"""Web forms of grading and visits. They parse and shape input only; the rules (required fields, future
times, override reasons, who may do what) live in screening.services, whose ValidationError dicts are
mapped back onto the form with tiers.forms.add_service_errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import RiskGrade
from screening.models import AssessmentKind, Indicator, ResponseMeasure, VisitKind
from screening.services.visits import MAX_PHOTOS, VISIT_TEXT_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_LOCAL_SECONDS = "%Y-%m-%dT%H:%M:%S"
GRADES_HIGH_FIRST = [RiskGrade.RED, RiskGrade.ORANGE, RiskGrade.YELLOW, RiskGrade.BLUE]


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _text(label, rows: int = 2, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


# --- visits --------------------------------------------------------------------------------------


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several images from one <input multiple>; each is checked to be an image."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    """Pre-filled so that a visit takes a minute: now, at home, child seen. Only the kind is required."""

    kind = forms.ChoiceField(
        label=_("走访方式"), choices=VisitKind.choices, initial=VisitKind.HOME, widget=forms.RadioSelect
    )
    visited_at = forms.DateTimeField(
        label=_("走访时间"), widget=_datetime_input(), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"], required=False
    )
    seen_in_person = forms.TypedChoiceField(
        label=_("是否见到儿童本人"),
        choices=[("1", _("见到本人")), ("0", _("未见到"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    new_risk_found = forms.BooleanField(
        label=_("发现新的风险"),
        required=False,
        help_text=_("勾选后将通知乡镇民政办和儿童督导员重新评估。"),
    )
    concerns = _text(_("发现的问题"))
    living_conditions = _text(_("生活状况"))
    health = _text(_("身体状况"))
    schooling = _text(_("就学情况"))
    guardian_situation = _text(_("监护情况"))
    others_present = forms.CharField(label=_("其他在场人员"), required=False, max_length=200)
    next_step = _text(_("下一步措施"))
    photos = MultipleImageField(
        label=_("照片（可选）"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"visited_at": _now_minute()})
        super().__init__(*args, **kwargs)
        # Formatted per form, so the hint follows the interface language of the request.
        self.fields["photos"].help_text = _("可直接拍照上传，最多%(n)d张。") % {"n": MAX_PHOTOS}

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("living_conditions", "health", "schooling", "guardian_situation")]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visited_at": data.get("visited_at"),
            "kind": data["kind"],
            "seen_in_person": data["seen_in_person"],
            "new_risk_found": data["new_risk_found"],
            "photos": data.get("photos") or [],
            **{name: data.get(name) or "" for name in VISIT_TEXT_FIELDS},
        }


# --- the town office's worklist and compliance ---------------------------------------------------


def quarter_start(day: date) -> date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


class CompliancePeriodForm(forms.Form):
    """The period of due dates counted; by default this quarter up to today."""

    start = forms.DateField(label=_("应走访日期自"), required=False, widget=_date_input())
    end = forms.DateField(label=_("至"), required=False, widget=_date_input())

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        default = (quarter_start(today), today)
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default[0]
        end = self.cleaned_data.get("end") or default[1]
        return (start, end) if start <= end else default

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif end - start > timedelta(days=366):
                self.add_error("end", _("统计期间不能超过一年。"))
        return cleaned


# --- assessments, helpers, emergency responses ---------------------------------------------------


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("评估类型"), choices=AssessmentKind.choices, initial=AssessmentKind.RISK_LEVEL, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(label=_("评估日期"), widget=_date_input(), initial=timezone.localdate)
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
    since = forms.DateField(label=_("开始日期"), widget=_date_input(), initial=timezone.localdate)


class EmergencyResponseForm(forms.Form):
    # To the second: a response counts only if it is not earlier than the red grade (screening.services),
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


# --- the district's policy page ------------------------------------------------------------------


class GradePolicyForm(forms.Form):
    visit_interval_days = forms.IntegerField(label=_("走访间隔（天）"), min_value=1, max_value=366)
    requires_helper = forms.BooleanField(label=_("须指定一对一帮扶人"), required=False)
    response_deadline_hours = forms.IntegerField(
        label=_("应急处置时限（小时）"), required=False, min_value=1, max_value=168
    )
    contact_interval_until_response_days = forms.IntegerField(
        label=_("处置到位前联系间隔（天）"), required=False, min_value=1, max_value=30
    )

    @classmethod
    def initial_for(cls, policy) -> dict[str, Any]:
        if policy is None:
            return {}
        return {name: getattr(policy, name) for name in cls.base_fields}


class IndicatorForm(forms.Form):
    min_grade = forms.ChoiceField(label=_("对应最低等级"), choices=[(g.value, g.label) for g in GRADES_HIGH_FIRST])
    is_active = forms.BooleanField(label=_("启用"), required=False)

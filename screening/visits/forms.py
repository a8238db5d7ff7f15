"""Web forms of visits: the visit form a phone fills in a minute, and the compliance page's period. They
parse and shape input only; the rules live in screening.visits.services, whose ValidationError dicts are
mapped back onto the form with tiers.forms.add_service_errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.models import VisitKind
from screening.visits.services.visits import MAX_PHOTOS, VISIT_TEXT_FIELDS
from screening.widgets import DATETIME_LOCAL, date_input, datetime_input


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _text(label, rows: int = 2, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


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
        label=_("走访时间"), widget=datetime_input(), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"], required=False
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

    start = forms.DateField(label=_("应走访日期自"), required=False, widget=date_input())
    end = forms.DateField(label=_("至"), required=False, widget=date_input())

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

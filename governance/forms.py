"""Web forms of the governance records. They parse input only; the rules live in
governance.services, whose field errors are put back onto these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from governance.models import ActionItem, Meeting, MeetingKind
from tiers.models import Region

MEETING_FIELDS = ("kind", "held_on", "title", "chair", "attendees", "minutes", "decisions")
# Blank follow-up rows offered on the form (no script needed to add rows; blank rows are ignored).
BLANK_ITEM_ROWS = 3


def _model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field Django derives from the model field, so labels and limits stay in one place."""
    return model._meta.get_field(name).formfield(**kwargs)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _name_required_fields(form: forms.Form) -> None:
    """ "请填写会议纪要。" rather than the generic "该字段是必填项。", the same words the service uses."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField):
            field.error_messages["required"] = _("请选择%(label)s。") % {"label": field.label}
        else:
            field.error_messages["required"] = _("请填写%(label)s。") % {"label": field.label}


class GovernanceRegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class MeetingFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("会议类型"), required=False, choices=[("", _("全部类型")), *MeetingKind.choices])
    region = GovernanceRegionField(
        label=_("乡镇（街道）/区县"), queryset=Region.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, data, *, years: list[int], regions: QuerySet[Region]):
        super().__init__(data)
        self.fields["year"].choices = [(year, _("%(year)s年") % {"year": year}) for year in years]
        self.fields["region"].queryset = regions
        self.default_year = years[0]

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"year": self.default_year, "kind": "", "region": None}
        return {
            "year": self.cleaned_data.get("year") or self.default_year,
            "kind": self.cleaned_data.get("kind") or "",
            "region": self.cleaned_data.get("region"),
        }


class MeetingForm(forms.Form):
    """A meeting's own fields; `region` only when recording a new one (a meeting never moves)."""

    region = GovernanceRegionField(label=_("召开单位"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("会议类型"), choices=[("", _("请选择")), *MeetingKind.choices])
    held_on = forms.DateField(label=_("召开日期"), widget=_date_input())
    title = _model_field(Meeting, "title")
    chair = _model_field(Meeting, "chair")
    attendees = _model_field(Meeting, "attendees", widget=forms.Textarea(attrs={"rows": 3}))
    minutes = _model_field(Meeting, "minutes", widget=forms.Textarea(attrs={"rows": 6}))
    decisions = _model_field(Meeting, "decisions", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data=None, *, regions: QuerySet[Region] | None = None, initial=None):
        super().__init__(data, initial=initial)
        if regions is None:
            del self.fields["region"]
        else:
            self.fields["region"].queryset = regions
            if len(regions) == 1 and not (initial or {}).get("region"):
                self.fields["region"].initial = regions[0].pk
        self.fields["attendees"].help_text = _("姓名、职务或单位，用顿号或换行分隔。")
        self.fields["decisions"].help_text = _("会议议定的事项；需要跟踪落实的，请在下方逐项列为督办事项。")
        _name_required_fields(self)

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        return {name: getattr(meeting, name) for name in MEETING_FIELDS}

    def meeting_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in MEETING_FIELDS}

    def add_service_errors(self, exc: ValidationError) -> list[str]:
        """Field errors onto the form; the follow-up items' errors are returned for the item section."""
        item_errors: list[str] = []
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return item_errors
        for key, messages in exc.message_dict.items():
            if key == "action_items":
                item_errors.extend(messages)
            else:
                self.add_error(key if key in self.fields else None, messages)
        return item_errors


class ActionItemForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = _model_field(ActionItem, "description")
    responsible = _model_field(ActionItem, "responsible")
    due_on = forms.DateField(label=_("完成时限"), required=False, widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_required_fields(self)


class BaseActionItemFormSet(forms.BaseFormSet):
    def payload(self) -> list[dict[str, Any]]:
        """The items to save, in order; untouched blank rows are left out."""
        items = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            item = dict(form.cleaned_data)
            if not item.get("id"):
                item.pop("id", None)
            items.append(item)
        return items


def action_item_formset(data=None, *, items: list[ActionItem] | None = None):
    """Existing items (when editing) as initial rows, then blank rows for new ones."""
    initial = [
        {"id": item.pk, "description": item.description, "responsible": item.responsible, "due_on": item.due_on}
        for item in (items or [])
    ]
    formset_class = forms.formset_factory(ActionItemForm, formset=BaseActionItemFormSet, extra=BLANK_ITEM_ROWS)
    return formset_class(data, initial=initial or None, prefix="items")


class ActionItemStatusForm(forms.Form):
    """Mark one follow-up item done (with the date), dropped (with the reason) or open again."""

    status = forms.ChoiceField(label=_("状态"), choices=ActionItem.Status.choices)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=_date_input())
    note = _model_field(ActionItem, "note")

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)

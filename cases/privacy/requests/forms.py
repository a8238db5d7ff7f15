"""Forms of the correction and deletion requests (issue 10 §9)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import DataRequest, Guardian, Minor
from cases.models.privacy import DataRequestKind

from .services import CORRECTABLE_GUARDIAN_FIELDS, CORRECTABLE_MINOR_FIELDS

CORRECTION_ROWS = 3


def correction_field_choices(minor: Minor) -> list[tuple[str, str]]:
    """The fields a correction may name, labelled the way the record page shows them."""
    choices = [("", _("请选择"))]
    choices += [(field, str(Minor._meta.get_field(field).verbose_name)) for field in CORRECTABLE_MINOR_FIELDS]
    for guardian in minor.guardians.all():
        who = f"{guardian.get_relation_display()} {guardian.name}"
        for field in CORRECTABLE_GUARDIAN_FIELDS:
            label = Guardian._meta.get_field(field).verbose_name
            choices.append((f"guardians.{guardian.pk}.{field}", f"{who}：{label}"))
    return choices


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请事项"), choices=DataRequestKind.choices, widget=forms.RadioSelect)
    requester = forms.ChoiceField(label=_("申请人身份"), choices=[("", _("请选择")), *DataRequest.Requester.choices])
    requester_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    reason = forms.CharField(label=_("申请理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, minor: Minor):
        super().__init__(data)
        choices = correction_field_choices(minor)
        for index in range(1, CORRECTION_ROWS + 1):
            self.fields[f"field_{index}"] = forms.ChoiceField(
                label=_("更正项目%(n)d") % {"n": index}, choices=choices, required=False
            )
            self.fields[f"value_{index}"] = forms.CharField(
                label=_("更正为"), max_length=200, required=False, help_text=_("日期写作YYYY-MM-DD")
            )

    def correction_rows(self):
        return [(self[f"field_{i}"], self[f"value_{i}"]) for i in range(1, CORRECTION_ROWS + 1)]

    def corrections(self) -> dict[str, str]:
        if self.cleaned_data.get("kind") != DataRequestKind.CORRECTION:
            return {}
        rows = {}
        for index in range(1, CORRECTION_ROWS + 1):
            field = self.cleaned_data.get(f"field_{index}")
            if field:
                rows[field] = (self.cleaned_data.get(f"value_{index}") or "").strip()
        return rows


class DataRequestDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("1", _("同意")), ("0", _("不予同意"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("决定理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_possible_duplicate = forms.BooleanField(label=_("确认不是重复登记"), required=False)

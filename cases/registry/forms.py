"""Web forms of the registry. They parse and shape input only; the rules live in
cases.registry.services, whose ValidationError dicts are mapped back onto the form here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import GUARDIAN_FLAGS, Category, ClosedReason, Gender, Guardian, Minor, MinorStatus, RiskGrade
from cases.registry.selectors import MinorFilters, category_list
from cases.registry.services import MINOR_FIELDS, CategoryChoice, DuplicateIdNumber, PossibleDuplicate
from cases.templatetags.registry_tags import place
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import region_list


def _model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field Django derives from the model field, so labels and choices stay in one place."""
    return model._meta.get_field(name).formfield(**kwargs)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return place(obj)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- the registry list ---------------------------------------------------------------------------


class MinorFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、拼音首字母（如 zs）或身份证号"), "type": "search"}),
    )
    region = RegionChoiceField(
        label=_("地区"), queryset=Region.objects.none(), required=False, empty_label=_("全部地区")
    )
    category = forms.ChoiceField(label=_("困境类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *MinorStatus.choices])
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", _("全部")), *Gender.choices])
    risk_grade = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级")), *reversed(RiskGrade.choices)]
    )

    def __init__(self, data, *, regions: QuerySet[Region], categories: QuerySet[Category]):
        super().__init__(data)
        self.fields["region"].queryset = regions.select_related("parent", "parent__parent")
        self.fields["category"].choices = [("", _("全部类别")), *((c.code, c.label) for c in categories)]

    def filters(self) -> MinorFilters:
        """The filters from whatever fields are valid; an invalid one is dropped, never widened past reach."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return MinorFilters(
            q=data.get("q") or "",
            region=data.get("region"),
            category=data.get("category") or "",
            status=data.get("status") or "",
            gender=data.get("gender") or "",
            risk_grade=data.get("risk_grade") or "",
        )


def minor_filter_form(data, *, user) -> MinorFilterForm:
    """The registry list's filters as the list page parses them; the ledger export uses the same, so
    that what is exported is what was on screen."""
    return MinorFilterForm(
        data,
        regions=region_list(user=user, capability=Capability.VIEW_RECORDS),
        categories=category_list(),
    )


# --- register and edit ---------------------------------------------------------------------------


class MinorForm(forms.Form):
    """A minor's own fields and categories. With `regions` given (registration) it also asks where
    the minor lives; on edit the place changes only through the move form."""

    region = RegionChoiceField(label=_("现居住地（村/社区或网格）"), queryset=Region.objects.none())
    name = _model_field(Minor, "name")
    gender = _model_field(Minor, "gender")
    birth_date = _model_field(Minor, "birth_date", widget=_date_input())
    no_id_number = forms.BooleanField(label=_("无身份证号码"), required=False)
    # Longer than 18 so that a number typed with spaces reaches the service, which normalises it.
    id_number = _model_field(Minor, "id_number", max_length=25, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    no_id_reason = _model_field(Minor, "no_id_reason")
    no_id_note = _model_field(Minor, "no_id_note")
    hukou_type = _model_field(Minor, "hukou_type")
    hukou_place = _model_field(Minor, "hukou_place")
    hukou_in_district = _model_field(Minor, "hukou_in_district")
    address = _model_field(Minor, "address")
    villager_group = _model_field(Minor, "villager_group")
    education_status = _model_field(Minor, "education_status")
    school_name = _model_field(Minor, "school_name")
    orphan_care_setting = _model_field(Minor, "orphan_care_setting")
    categories = forms.MultipleChoiceField(label=_("困境类别"), required=False, widget=forms.CheckboxSelectMultiple)
    confirm_possible_duplicate = forms.BooleanField(label=_("确认不是重复登记"), required=False)

    def __init__(self, data=None, *, categories: QuerySet[Category], regions: QuerySet[Region] | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.category_list = list(categories)
        self.fields["categories"].choices = [(c.code, c.label) for c in self.category_list]
        for category in self.category_list:
            self.fields[self.note_field(category.code)] = forms.CharField(
                label=_("“%(name)s”说明") % {"name": category.label},
                required=False,
                max_length=200,
            )
        if regions is None:
            del self.fields["region"]
        else:
            self.fields["region"].queryset = regions.select_related("parent", "parent__parent")
        # Shown with the warning once the service reports a possible duplicate (or when already ticked).
        self.show_confirm_duplicate = bool(self.data.get(self.add_prefix("confirm_possible_duplicate")))

    @staticmethod
    def note_field(code: str) -> str:
        return f"note_{code}"

    @classmethod
    def initial_for(cls, minor: Minor) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(minor, name) for name in MINOR_FIELDS}
        initial["id_number"] = minor.id_number or ""
        initial["no_id_number"] = not minor.id_number
        links = list(minor.category_links.all())
        initial["categories"] = [link.category.code for link in links]
        for link in links:
            initial[cls.note_field(link.category.code)] = link.note
        return initial

    def category_rows(self) -> list[dict[str, Any]]:
        if self.is_bound:
            checked = set(self.data.getlist(self.add_prefix("categories")))
        else:
            checked = set(self.initial.get("categories") or [])
        return [
            {
                "category": category,
                "checked": category.code in checked,
                "note": self[self.note_field(category.code)],
            }
            for category in self.category_list
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("no_id_number"):
            cleaned["id_number"] = ""
        else:
            if not cleaned.get("id_number") and "id_number" not in self.errors:
                self.add_error("id_number", _("请填写身份证号码；没有身份证号码时请勾选“无身份证号码”并选择原因。"))
            cleaned["no_id_reason"] = ""
            cleaned["no_id_note"] = ""
        return cleaned

    def minor_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in MINOR_FIELDS}

    def category_choices(self) -> list[CategoryChoice]:
        return [
            CategoryChoice(code, self.cleaned_data.get(self.note_field(code)) or "")
            for code in self.cleaned_data.get("categories", [])
        ]


class GuardianForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    relation = _model_field(Guardian, "relation")
    name = _model_field(Guardian, "name")
    phone = _model_field(Guardian, "phone", widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    id_number = _model_field(Guardian, "id_number", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    lives_with_minor = _model_field(Guardian, "lives_with_minor")
    is_imprisoned = _model_field(Guardian, "is_imprisoned")
    in_drug_rehab = _model_field(Guardian, "in_drug_rehab")
    is_seriously_ill = _model_field(Guardian, "is_seriously_ill")
    is_disabled = _model_field(Guardian, "is_disabled")
    is_deceased = _model_field(Guardian, "is_deceased")
    is_missing = _model_field(Guardian, "is_missing")
    works_away = _model_field(Guardian, "works_away")
    other_situation = _model_field(Guardian, "other_situation")
    situation_note = _model_field(Guardian, "situation_note")

    def flag_fields(self) -> list[forms.BoundField]:
        return [self[flag] for flag in GUARDIAN_FLAGS]


class BaseGuardianFormSet(forms.BaseFormSet):
    def payload(self) -> list[dict[str, Any]]:
        """The guardians to keep, in order; rows marked for removal and untouched blank rows are left out."""
        guardians = []
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            item = {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
            if not item.get("id"):
                item.pop("id", None)
            guardians.append(item)
        return guardians


def guardian_formset(data=None, *, guardians: list[Guardian] | None = None):
    """Existing guardians as initial rows; one blank row when there are none."""
    initial = [
        {"id": g.pk, **{name: getattr(g, name) for name in GuardianForm.base_fields if name != "id"}}
        for g in (guardians or [])
    ]
    formset_class = forms.formset_factory(
        GuardianForm, formset=BaseGuardianFormSet, extra=0 if initial else 1, can_delete=True
    )
    return formset_class(data, initial=initial or None, prefix="guardians")


@dataclass
class RegistryErrors:
    """What a refused registration or change tells the person filling the form in, beyond field errors."""

    guardians: list[str] = field(default_factory=list)
    duplicate_existing: Minor | None = None
    possible_duplicates: list[Minor] = field(default_factory=list)


def apply_registry_errors(form: forms.Form, exc: ValidationError) -> RegistryErrors:
    """Put the service's errors where the person will see them: on the form's fields where there is one,
    guardian errors above the guardian rows, anything else at the top of the form."""
    result = RegistryErrors()
    if isinstance(exc, DuplicateIdNumber):
        # Set only when the user may see the existing record; otherwise the message names no one.
        result.duplicate_existing = exc.existing
    if isinstance(exc, PossibleDuplicate):
        result.possible_duplicates = list(exc.visible_matches)
        form.show_confirm_duplicate = True
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return result
    for key, messages in exc.message_dict.items():
        if key == "guardians":
            result.guardians.extend(messages)
        elif key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, messages)
    return result


# --- move, close, reopen, baseline ---------------------------------------------------------------


class MoveRegionField(RegionChoiceField):
    """Destinations of a move; a village of another county is labelled with its county and with the fact
    that the receiving county must accept the move (issue 10 §5)."""

    home_county_code = ""

    def label_from_instance(self, obj: Region) -> str:
        label = place(obj)
        if obj.county_code == self.home_county_code:
            return label
        county = obj
        while county.parent_id is not None:
            county = county.parent
        return _("%(county)s · %(place)s（跨区县，须迁入地接收）") % {"county": county.name, "place": label}


class MoveForm(forms.Form):
    region = MoveRegionField(
        label=_("迁入地（村/社区或网格）"),
        queryset=Region.objects.none(),
        help_text=_("迁往其他区县的，提交后须经迁入地区县民政部门接收才会迁移；接收前档案不变。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, regions: QuerySet[Region], home: Region | None = None):
        super().__init__(data)
        self.fields["region"].queryset = regions.select_related("parent", "parent__parent", "parent__parent__parent")
        self.fields["region"].home_county_code = home.county_code if home is not None else ""


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("销档原因"), choices=[("", _("请选择")), *ClosedReason.choices])
    note = forms.CharField(label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("恢复在册的原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class BaselineForm(forms.Form):
    as_of = forms.DateField(label=_("统计日期"), widget=_date_input())
    minor_count = forms.IntegerField(label=_("未成年人总数"), min_value=0)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

"""Forms of the patrol and sentinel-point pages: they parse input; referrals.discovery.services decides."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from referrals.discovery.models import PatrolGroup, PatrolKind, SentinelKind
from tiers.models import Region

User = get_user_model()


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PatrolGroupForm(forms.Form):
    town = forms.ModelChoiceField(label=gettext_lazy("乡镇（街道）"), queryset=Region.objects.none())
    name = forms.CharField(label=gettext_lazy("巡查组名称"), max_length=100)
    members = PersonChoiceField(
        label=gettext_lazy("成员"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, towns, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["members"].queryset = people


class MembersForm(forms.Form):
    members = PersonChoiceField(
        label=gettext_lazy("成员"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people


class PatrolLogForm(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("巡查组"), queryset=PatrolGroup.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("巡查类型"), choices=PatrolKind.choices)
    patrolled_at = forms.DateTimeField(
        label=gettext_lazy("巡查时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    village = forms.ModelChoiceField(label=gettext_lazy("村（社区）"), queryset=Region.objects.none(), required=False)
    place = forms.CharField(label=gettext_lazy("巡查地点"), max_length=200)
    participants = PersonChoiceField(
        label=gettext_lazy("参加人员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选则为记录人本人。"),
    )
    findings = forms.CharField(label=gettext_lazy("巡查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    distress = forms.BooleanField(label=gettext_lazy("发现困境未成年人（转入报告受理）"), required=False)
    finding_summary = forms.CharField(
        label=gettext_lazy("发现情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    child_name = forms.CharField(label=gettext_lazy("未成年人姓名"), required=False, max_length=50)
    child_description = forms.CharField(label=gettext_lazy("未成年人情况"), required=False, max_length=300)
    violence_alleged = forms.BooleanField(label=gettext_lazy("涉及暴力侵害"), required=False)

    def __init__(self, *args, groups, villages, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["village"].queryset = villages
        self.fields["participants"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("distress") and not (data.get("finding_summary") or "").strip():
            self.add_error("finding_summary", gettext_lazy("请填写发现的困境未成年人情况。"))
        return data


class SentinelPointForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("所在乡镇或村（社区）"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("哨点类型"), choices=SentinelKind.choices)
    name = forms.CharField(label=gettext_lazy("哨点名称"), max_length=100)
    administrator = PersonField(label=gettext_lazy("健康监测管理员"), queryset=User.objects.none())

    def __init__(self, *args, regions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["administrator"].queryset = people


class SentinelReportForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("报告内容"), widget=forms.Textarea(attrs={"rows": 3}))
    discovered_at = forms.DateTimeField(
        label=gettext_lazy("发现时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    child_name = forms.CharField(label=gettext_lazy("涉及未成年人姓名"), required=False, max_length=50)
    child_description = forms.CharField(label=gettext_lazy("未成年人情况"), required=False, max_length=300)
    violence_alleged = forms.BooleanField(label=gettext_lazy("涉及暴力侵害"), required=False)


class FindingForm(forms.Form):
    """Another minor in distress found on a patrol already logged."""

    summary = forms.CharField(label=gettext_lazy("发现情况"), widget=forms.Textarea(attrs={"rows": 2}))
    child_name = forms.CharField(label=gettext_lazy("未成年人姓名"), required=False, max_length=50)
    child_description = forms.CharField(label=gettext_lazy("未成年人情况"), required=False, max_length=300)
    violence_alleged = forms.BooleanField(label=gettext_lazy("涉及暴力侵害"), required=False)


class AdministratorForm(forms.Form):
    administrator = PersonField(label=gettext_lazy("健康监测管理员"), queryset=User.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administrator"].queryset = people

"""Web forms of casework (issue 4). They parse and shape input only; the rules (open measures block a
closing, levels 3–4 wait for approval, eligibility hints need a reason, …) live in
cases.casework.rules and cases.casework.services, whose ValidationError dicts are mapped back with tiers.forms.add_service_errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.casework.rules import CASE_STAGE_ORDER, MEASURE_MOVES
from cases.casework.selectors import CaseFilters
from cases.casework.services import LADDER_ACTIONS
from cases.models import (
    CaseStage,
    Guardian,
    InterventionLevel,
    Measure,
    MeasureStatus,
    PlacementType,
    RiskGrade,
    Track,
    WorkingGroup,
)
from tiers.models import Organisation

# The status a measure keeps and the moves measure_update accepts from each open status (the form offers only these).
MEASURE_NEXT_STATUSES = {status: [status, *moves] for status, moves in MEASURE_MOVES.items()}
DECISIONS = [("approve", _("批准")), ("refuse", _("不批准"))]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, required: bool = False, rows: int = 2, max_length: int = 2000, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full}（{obj.get_username()}）" if full else obj.get_username()


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full}（{obj.get_username()}）" if full else obj.get_username()


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.region.name}）"


class OrganisationMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


# --- the case board ------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部在办")), *CaseStage.choices])
    grade = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级")), *reversed(RiskGrade.choices)]
    )
    track = forms.ChoiceField(label=_("工作组"), required=False, choices=[("", _("全部工作组")), *Track.choices])
    overdue = forms.BooleanField(label=_("只看有逾期措施的个案"), required=False)

    def filters(self) -> CaseFilters:
        """The filters from whatever fields are valid; an invalid one is dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CaseFilters(
            stage=data.get("stage") or "",
            grade=data.get("grade") or "",
            track=data.get("track") or "",
            overdue=bool(data.get("overdue")),
        )


# --- the case: header, plan ------------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    note = _text(_("立案说明"), rows=3, help_text=_("如：发现来源、主要问题。"))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=[(stage.value, stage.label) for stage in CASE_STAGE_ORDER])
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class OwnerForm(forms.Form):
    owner = UserChoiceField(label=_("责任人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, data=None, *, owners: QuerySet, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner"].queryset = owners


class MeasureForm(forms.Form):
    track = forms.ChoiceField(label=_("工作组"), choices=[("", _("请选择")), *Track.choices])
    title = forms.CharField(
        label=_("措施"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：纳入低保、劝返复学、心理疏导")}),
    )
    due_on = forms.DateField(label=_("完成时限"), widget=_date_input())
    responsible_user = UserChoiceField(
        label=_("责任人"), queryset=None, required=False, empty_label=_("（不指定系统用户）")
    )
    responsible_name = forms.CharField(
        label=_("责任人姓名"),
        required=False,
        max_length=50,
        help_text=_("责任人不是系统用户时填写；选择了系统用户可不填。"),
    )

    def __init__(self, data=None, *, people: QuerySet, **kwargs):
        kwargs.setdefault("initial", {"due_on": timezone.localdate() + timedelta(days=14)})
        super().__init__(data, **kwargs)
        self.fields["responsible_user"].queryset = people

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "track": data["track"],
            "title": data["title"],
            "due_on": data["due_on"],
            "responsible_user": data.get("responsible_user"),
            "responsible_name": data.get("responsible_name") or "",
        }


class MeasureProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"))
    outcome = _text(_("进展和结果"), help_text=_("完成措施须填写结果。"))
    cancel_reason = _text(_("取消理由"))
    back = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, measure: Measure, back: str = "case", **kwargs):
        kwargs.setdefault("prefix", f"measure-{measure.pk}")
        kwargs.setdefault("initial", {"status": measure.status, "outcome": measure.outcome, "back": back})
        super().__init__(data, **kwargs)
        statuses = MEASURE_NEXT_STATUSES.get(measure.status, [measure.status])
        self.fields["status"].choices = [(status.value, MeasureStatus(status).label) for status in statuses]


# --- interventions -------------------------------------------------------------------------------


class InterventionForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("干预层级"), choices=InterventionLevel.choices, coerce=int, initial=InterventionLevel.GUIDANCE
    )
    action = forms.CharField(
        label=_("干预措施"),
        required=False,
        max_length=200,
        help_text=_("默认为该层级的常规措施，可修改。"),
    )
    actor_name = forms.CharField(label=_("实施单位/人"), max_length=100)
    guardian = forms.ModelChoiceField(
        label=_("对象监护人"), queryset=Guardian.objects.none(), required=False, empty_label=_("（未指定）")
    )
    taken_on = forms.DateField(
        label=_("实施日期"),
        required=False,
        widget=_date_input(),
        help_text=_("0–2级记录即为已实施；3级、4级须经乡镇（街道）领导批准后实施。"),
    )
    outcome = _text(_("情况说明"))

    def __init__(self, data=None, *, guardians: QuerySet[Guardian], **kwargs):
        kwargs.setdefault("prefix", "intervention")
        kwargs.setdefault(
            "initial", {"action": LADDER_ACTIONS[InterventionLevel.GUIDANCE], "taken_on": timezone.localdate()}
        )
        super().__init__(data, **kwargs)
        self.fields["guardian"].queryset = guardians
        self.fields["guardian"].label_from_instance = lambda g: f"{g.get_relation_display()} · {g.name}"

    @staticmethod
    def ladder_actions() -> dict[int, str]:
        return {int(level): str(action) for level, action in LADDER_ACTIONS.items()}

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "action": data.get("action") or "",
            "actor_name": data["actor_name"],
            "guardian": data.get("guardian"),
            "taken_on": data.get("taken_on"),
            "outcome": data.get("outcome") or "",
        }


class DecisionForm(forms.Form):
    """Approve or refuse (closures, interventions, benefit applications); refusing needs a reason."""

    decision = forms.ChoiceField(choices=DECISIONS)
    note = forms.CharField(label=_("意见"), required=False, max_length=1000)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class InterventionTakenForm(forms.Form):
    taken_on = forms.DateField(label=_("实施日期"), widget=_date_input(), initial=timezone.localdate)


class InterventionOutcomeForm(forms.Form):
    succeeded = forms.TypedChoiceField(
        label=_("干预效果"),
        choices=[("1", _("有效")), ("0", _("无效"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    outcome = _text(_("干预结果"), required=True)


# --- placement -----------------------------------------------------------------------------------


class PlacementForm(forms.Form):
    type = forms.ChoiceField(label=_("安置方式"), choices=[("", _("请选择")), *PlacementType.choices])
    institution = OrganisationChoiceField(
        label=_("安置机构"), queryset=Organisation.objects.none(), required=False, empty_label=_("（非登记单位）")
    )
    institution_name = forms.CharField(label=_("机构/照料人"), required=False, max_length=100)
    start_on = forms.DateField(label=_("开始日期"), widget=_date_input(), initial=timezone.localdate)
    note = _text(_("说明"))

    def __init__(self, data=None, *, institutions: QuerySet[Organisation], suggested: tuple[str, ...] = (), **kwargs):
        kwargs.setdefault("prefix", "placement")
        super().__init__(data, **kwargs)
        self.fields["institution"].queryset = institutions
        if suggested:
            # The routing rule's placements first (domain.md §8.3), the rest after.
            first = [(value, label) for value, label in PlacementType.choices if value in suggested]
            rest = [(value, label) for value, label in PlacementType.choices if value not in suggested]
            self.fields["type"].choices = [("", _("请选择")), *first, *rest]


class PlacementEndForm(forms.Form):
    end_on = forms.DateField(label=_("结束日期"), widget=_date_input(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


# --- benefits ------------------------------------------------------------------------------------


class BenefitApplyForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("救助帮扶项目"), queryset=None, empty_label=_("请选择"))
    applied_on = forms.DateField(label=_("申请日期"), widget=_date_input(), initial=timezone.localdate)
    accept_hints = forms.BooleanField(label=_("确认：已了解以上提示，仍需申请"), required=False)
    note = _text(_("说明"), help_text=_("有资格提示时须写明申请理由。"))

    def __init__(self, data=None, *, programmes: QuerySet, **kwargs):
        kwargs.setdefault("prefix", "benefit")
        super().__init__(data, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["programme"].label_from_instance = lambda p: f"{p.name}（{p.get_track_display()}）"


class BenefitDecisionForm(DecisionForm):
    start_on = forms.DateField(
        label=_("开始发放日期"),
        required=False,
        widget=_date_input(),
        initial=timezone.localdate,
        help_text=_("按该日期本地区执行的标准确定月发放金额。"),
    )


class BenefitEndForm(forms.Form):
    end_on = forms.DateField(label=_("终止日期"), widget=_date_input(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


# --- closing -------------------------------------------------------------------------------------


class ClosureRequestForm(forms.Form):
    closing_assessment = _text(
        _("结案评估"),
        rows=4,
        help_text=_("说明帮扶目标是否达成、监护和生活状况、后续跟进安排。"),
    )


class CaseReopenForm(forms.Form):
    reason = _text(_("重新开案的理由"), required=True, rows=3)


# --- working groups ------------------------------------------------------------------------------


class WorkingGroupForm(forms.Form):
    lead_organisation = OrganisationChoiceField(
        label=_("牵头单位"), queryset=Organisation.objects.none(), required=False, empty_label=_("（未指定）")
    )
    member_organisations = OrganisationMultipleChoiceField(
        label=_("成员单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    members = UserMultipleChoiceField(
        label=_("成员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    duties = _text(_("职责"), rows=4)

    def __init__(self, data=None, *, group: WorkingGroup, organisations: QuerySet, people: QuerySet, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "lead_organisation": group.lead_organisation_id,
                "member_organisations": [o.pk for o in group.member_organisations.all()],
                "members": [u.pk for u in group.members.all()],
                "duties": group.duties,
            },
        )
        super().__init__(data, **kwargs)
        self.fields["lead_organisation"].queryset = organisations
        self.fields["member_organisations"].queryset = organisations
        self.fields["members"].queryset = people

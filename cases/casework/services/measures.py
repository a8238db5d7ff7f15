"""Working groups and the measures of case plans (domain.md §4 mechanism 4, §5, §6.2): a town's and the
district's six groups with their default departments (editable, §14.11), and measures on the six tracks,
owned by the town's group for the track; progress follows cases.casework.rules.MEASURE_MOVES."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.casework import rules
from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Case,
    CaseEvent,
    CaseStage,
    Measure,
    MeasureStatus,
    Track,
    WorkingGroup,
)
from tiers.errors import ActionNotAllowed
from tiers.models import Organisation, OrganisationKind, Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach

DENIED_GROUP = gettext_lazy("您的岗位无权调整该工作小组。")


# --- working groups --------------------------------------------------------------------------------

# Default lead and member departments per track (domain.md §5), at a town and at the county.
GROUP_DEFAULTS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    Level.TOWN: {
        Track.RESCUE_PROTECTION: (
            (OrganisationKind.CIVIL_AFFAIRS_OFFICE,),
            (OrganisationKind.POLICE_STATION, OrganisationKind.URBAN_MANAGEMENT),
        ),
        Track.EDUCATION_SUPPORT: (
            (OrganisationKind.EDUCATION_CENTRE,),
            (OrganisationKind.DISABLED_FEDERATION, OrganisationKind.YOUTH_LEAGUE, OrganisationKind.SCHOOL),
        ),
        Track.JUDICIAL_PROTECTION: ((OrganisationKind.JUSTICE_OFFICE,), (OrganisationKind.POLICE_STATION,)),
        Track.EMPLOYMENT_SUPPORT: ((OrganisationKind.LABOUR_SECURITY_OFFICE,), (OrganisationKind.DISABLED_FEDERATION,)),
        Track.MEDICAL_PROTECTION: ((OrganisationKind.HEALTH_CENTRE,), (OrganisationKind.DISABLED_FEDERATION,)),
        Track.SPIRITUAL_CARE: (
            (OrganisationKind.WOMENS_FEDERATION,),
            (
                OrganisationKind.YOUTH_LEAGUE,
                OrganisationKind.TRADE_UNION,
                OrganisationKind.ELDERS_COMMITTEE,
                OrganisationKind.SOCIAL_ORGANISATION,
            ),
        ),
    },
    Level.COUNTY: {
        Track.RESCUE_PROTECTION: (
            (OrganisationKind.CIVIL_AFFAIRS_BUREAU,),
            (
                OrganisationKind.PUBLIC_SECURITY_BUREAU,
                OrganisationKind.URBAN_MANAGEMENT,
                OrganisationKind.RESCUE_PROTECTION_CENTRE,
            ),
        ),
        Track.EDUCATION_SUPPORT: (
            (OrganisationKind.EDUCATION_BUREAU,),
            (OrganisationKind.DISABLED_FEDERATION, OrganisationKind.YOUTH_LEAGUE),
        ),
        Track.JUDICIAL_PROTECTION: (
            (OrganisationKind.JUSTICE_BUREAU,),
            (OrganisationKind.PUBLIC_SECURITY_BUREAU, OrganisationKind.PROCURATORATE, OrganisationKind.COURT),
        ),
        Track.EMPLOYMENT_SUPPORT: ((OrganisationKind.HUMAN_RESOURCES_BUREAU,), (OrganisationKind.DISABLED_FEDERATION,)),
        Track.MEDICAL_PROTECTION: (
            (OrganisationKind.HEALTH_BUREAU,),
            (OrganisationKind.DISABLED_FEDERATION, OrganisationKind.MEDICAL_SECURITY_BUREAU, OrganisationKind.HOSPITAL),
        ),
        Track.SPIRITUAL_CARE: (
            (OrganisationKind.WOMENS_FEDERATION,),
            (OrganisationKind.YOUTH_LEAGUE, OrganisationKind.TRADE_UNION, OrganisationKind.SOCIAL_ORGANISATION),
        ),
    },
}


@transaction.atomic
def working_groups_ensure(*, region: Region) -> list[WorkingGroup]:
    """Create a town's (or the district's) six working groups with the default departments found in that
    region; groups that exist are left as the town set them. Idempotent."""
    if region.level not in GROUP_DEFAULTS:
        raise field_error("region", _("工作小组设在区县或乡镇（街道）。"), "invalid_level")
    organisations = list(Organisation.objects.filter(region=region, is_active=True).order_by("pk"))
    groups = []
    for track, (lead_kinds, member_kinds) in GROUP_DEFAULTS[region.level].items():
        group, created = WorkingGroup.objects.get_or_create(region=region, track=track)
        if created:
            lead = next((o for o in organisations if o.kind in lead_kinds), None)
            group.lead_organisation = lead
            group.save(update_fields=["lead_organisation"])
            group.member_organisations.set([o for o in organisations if o.kind in member_kinds and o != lead])
        groups.append(group)
    return groups


def working_group_may_edit(*, user, group: WorkingGroup) -> bool:
    """A town's groups are set by its office (case managers); the district's by the district
    civil-affairs administrator (domain.md §5: each level's leadership group names its groups)."""
    capability = Capability.MANAGE_POLICY if group.region.level == Level.COUNTY else Capability.MANAGE_CASES
    return user_reach(user, capability).covers(group.region.path)


@transaction.atomic
def working_group_update(
    *,
    actor,
    group: WorkingGroup,
    lead_organisation: Organisation | None,
    member_organisations,
    members,
    duties: str = "",
) -> WorkingGroup:
    """The town office (the district administrator, for the district's groups) names a group's lead and
    member departments and member staff (editable defaults, domain.md §14.11). Departments must belong to the group's region or the county above."""
    group = WorkingGroup.objects.select_for_update(of=("self",)).select_related("region").get(pk=group.pk)
    if not working_group_may_edit(user=actor, group=group):
        raise ActionNotAllowed(DENIED_GROUP)
    organisations = Organisation.objects.filter(is_active=True).select_related("region")
    allowed = {o.pk for o in organisations if group.region.path.startswith(o.region.path)}
    chosen = [o for o in [lead_organisation, *member_organisations] if o is not None]
    if any(o.pk not in allowed for o in chosen):
        raise field_error("member_organisations", _("只能选择本乡镇或上级区县的单位。"), "out_of_reach")
    group.lead_organisation = lead_organisation
    group.duties = duties.strip()
    group.save(update_fields=["lead_organisation", "duties"])
    group.member_organisations.set([o for o in member_organisations if o != lead_organisation])
    group.members.set(members)
    return group


def _group_for(case: Case, track: str) -> WorkingGroup | None:
    town = case.minor.region.town()
    return WorkingGroup.objects.filter(region=town, track=track).first() if town else None


@transaction.atomic
def measure_add(
    *,
    actor,
    case: Case,
    track: str,
    title: str,
    due_on: date,
    responsible_user=None,
    responsible_name: str = "",
    group: WorkingGroup | None = None,
) -> Measure:
    """Add a measure to the case plan on one of the six tracks, owned by the town's group for that track."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    errors: dict[str, list] = {}
    if case.stage == CaseStage.CLOSED:
        raise field_error("case", _("已结案的个案不能添加措施。"), "closed")
    if track not in Track.values:
        errors["track"] = [ValidationError(_("请选择工作组。"), code="invalid_choice")]
    if not title.strip():
        errors["title"] = [ValidationError(_("请填写措施内容。"), code="required")]
    if not isinstance(due_on, date):
        errors["due_on"] = [ValidationError(_("请填写完成时限。"), code="required")]
    elif due_on < timezone.localdate():
        errors["due_on"] = [ValidationError(_("完成时限不能早于今天。"), code="past")]
    if errors:
        raise ValidationError(errors)
    group = group or _group_for(case, track)
    if group is not None and (group.track != track or not case.minor.region.path.startswith(group.region.path)):
        raise field_error("group", _("工作组与措施类别或地区不符。"), "invalid")
    measure = Measure.objects.create(
        case=case,
        track=track,
        group=group,
        title=title.strip(),
        due_on=due_on,
        responsible_user=responsible_user,
        responsible_name=(responsible_name or (responsible_user.get_full_name() if responsible_user else "")).strip(),
        created_by=actor,
    )
    changes = [{"field": "measure", "from": None, "to": measure.title}, {"field": "track", "from": None, "to": track}]
    case_event(case=case, kind=CaseEvent.Kind.MEASURE_ADDED, actor=actor, changes=changes)
    if case.stage in rules.STAGES_BEFORE_PLAN:
        old = case.stage
        case.stage = rules.STAGE_WITH_PLAN
        case.save(update_fields=["stage"])
        case_event(
            case=case,
            kind=CaseEvent.Kind.STAGE_CHANGED,
            actor=actor,
            changes=[{"field": "stage", "from": old, "to": case.stage}],
            note=_("制定帮扶计划"),
        )
    return measure


def measure_may_update(*, user, measure: Measure) -> bool:
    """The town office and child supervisors, the measure's responsible person, and members of its group."""
    if user_reach(user, Capability.MANAGE_CASES).covers(measure.case.minor.region.path):
        return True
    if measure.responsible_user_id == user.pk:
        return True
    return measure.group_id is not None and measure.group.members.filter(pk=user.pk).exists()


@transaction.atomic
def measure_update(*, actor, measure: Measure, status: str, outcome: str = "", cancel_reason: str = "") -> Measure:
    """Report progress: planned → in progress → done, or cancelled with a reason. Done and cancelled are final."""
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case__minor__region", "group")
        .get(pk=measure.pk)
    )
    if not measure_may_update(user=actor, measure=measure):
        raise ActionNotAllowed(_("只有本乡镇民政办、措施责任人和工作组成员可以更新该措施。"))
    if status == measure.status and status in OPEN_MEASURE_STATUSES:
        measure.outcome = outcome.strip() or measure.outcome
        measure.save(update_fields=["outcome"])
        return measure
    if not rules.measure_may_move(measure.status, status):
        raise field_error(
            "status",
            _("措施状态不能从“%(a)s”改为“%(b)s”。")
            % {
                "a": measure.get_status_display(),
                "b": MeasureStatus(status).label if status in MeasureStatus.values else status,
            },
            "invalid_transition",
        )
    if status == MeasureStatus.CANCELLED and not cancel_reason.strip():
        raise field_error("cancel_reason", _("取消措施须写明理由。"), "required")
    if status == MeasureStatus.DONE and not (outcome.strip() or measure.outcome):
        raise field_error("outcome", _("完成措施请填写结果。"), "required")
    old = measure.status
    measure.status = status
    measure.outcome = outcome.strip() or measure.outcome
    measure.cancel_reason = cancel_reason.strip()
    measure.completed_at = timezone.now() if status in (MeasureStatus.DONE, MeasureStatus.CANCELLED) else None
    measure.save(update_fields=["status", "outcome", "cancel_reason", "completed_at"])
    case_event(
        case=measure.case,
        kind=CaseEvent.Kind.MEASURE_CHANGED,
        actor=actor,
        changes=[{"field": "status", "from": old, "to": status}],
        note=f"{measure.title}：{measure.cancel_reason or measure.outcome}".strip("：")[:500],
    )
    return measure

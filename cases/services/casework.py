"""Casework: working groups, cases and plans, the guardianship intervention ladder, placements and
benefit enrolments (issue 4). Every write validates, checks the actor's reach, runs in one transaction,
and leaves a CaseEvent (STYLE.md rules 1, 4, 7).

Rules and their sources:
- Six working groups per town and district, each with a lead and member departments: domain.md §4
  mechanism 4, §5 (defaults derived from 004 一(四); editable).
- Case lifecycle "four-in-one" (discovery/report → assessment and referral → disposal and assistance),
  then review and closing: domain.md §4 (001 篇八 L214–218).
- A case opens when a child is graded orange or red (domain.md §3.1), or by hand; a red case needs its
  plan within 24 hours ([PROPOSAL], setting MINORPROT_RED_PLAN_HOURS).
- An active orange or red child always has an open case (CASE_GRADES; domain.md §3.1, §5; 001 篇四: one
  plan per child): such a case cannot be closed until a risk reassessment has lowered the grade, and a
  child graded orange or red after a closed case gets a new one at once.
- Closing needs every measure done or cancelled with a reason, a closing assessment, and approval by the
  town leader or the head of the office.
- Intervention ladder levels 0–4 (domain.md §8.1); levels 3 and 4 need the town leader's approval; when
  a level fails the next is proposed.
- Placement routing (domain.md §8.3; 002 三(六)): household registration elsewhere → the government of
  origin; none → a request to the district civil-affairs bureau.
- Benefits (domain.md §9): amounts are dated, region-scoped rates (§14.19), eligibility hints from age
  and categories (e.g. vocational training only from 16, §10.3; orphan living security only for orphans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    APPROVAL_LEVEL,
    CASE_STAGE_ORDER,
    OPEN_MEASURE_STATUSES,
    BenefitEnrolment,
    BenefitProgramme,
    BenefitRate,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    EnrolmentStatus,
    Guardian,
    GuardianshipIntervention,
    HukouType,
    InterventionLevel,
    InterventionStatus,
    Measure,
    MeasureStatus,
    Minor,
    MinorStatus,
    Placement,
    PlacementType,
    RiskGrade,
    Track,
    WorkingGroup,
)
from cases.registry.identity import age_on
from cases.registry.services import RegistryPermissionDenied
from tiers.models import Organisation, OrganisationKind, Region
from tiers.roles import Capability, Level
from tiers.selectors import user_reach


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _require(actor, region: Region, capability: str) -> None:
    if not user_reach(actor, capability).covers(region.path):
        raise RegistryPermissionDenied


def _event(*, case: Case, kind: str, actor, changes: list[dict] | None = None, note: str = "") -> CaseEvent:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, changes=changes or [], note=note)


def town_of(region: Region) -> Region | None:
    """The town (乡镇/街道) above or at `region`, from its path (one query)."""
    codes = [code for code in region.path.split("/") if code]
    if len(codes) < 2:
        return None
    return Region.objects.filter(code=codes[1], level=Level.TOWN).first()


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
        raise _error("region", _("工作小组设在区县或乡镇（街道）。"), "invalid_level")
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
        raise RegistryPermissionDenied
    organisations = Organisation.objects.filter(is_active=True).select_related("region")
    allowed = {o.pk for o in organisations if group.region.path.startswith(o.region.path)}
    chosen = [o for o in [lead_organisation, *member_organisations] if o is not None]
    if any(o.pk not in allowed for o in chosen):
        raise _error("member_organisations", _("只能选择本乡镇或上级区县的单位。"), "out_of_reach")
    group.lead_organisation = lead_organisation
    group.duties = duties.strip()
    group.save(update_fields=["lead_organisation", "duties"])
    group.member_organisations.set([o for o in member_organisations if o != lead_organisation])
    group.members.set(members)
    return group


# --- cases ---------------------------------------------------------------------------------------------


# Grades that call for a case (domain.md §3.1: one-to-one help and weekly visits for orange, immediate
# administrative and judicial measures for red; 001 篇四: one plan per child). While an active child holds
# one of them, the child has an open case.
CASE_GRADES = frozenset({RiskGrade.ORANGE, RiskGrade.RED})


def case_closure_blocked_by_grade(*, minor: Minor) -> bool:
    """True while the case of `minor` may not close: the child is active and still orange or red."""
    return minor.status == MinorStatus.ACTIVE and minor.risk_grade in CASE_GRADES


def _grade_blocks_closure(case: Case) -> None:
    # The minor's row is locked: the grading services lock it too, so a regrade cannot slip in between.
    minor = Minor.objects.select_for_update().get(pk=case.minor_id)
    if case_closure_blocked_by_grade(minor=minor):
        raise _error(
            "risk_grade",
            _(
                "该儿童当前为%(grade)s等级，橙色、红色等级的儿童须始终有在办个案，不能结案。"
                "请先进行风险等级重新评估，等级降为黄色或蓝色后再申请结案。"
            )
            % {"grade": RiskGrade(minor.risk_grade).label},
            "grade_requires_case",
        )


def _plan_due(now) -> Any:
    return now + timedelta(hours=settings.MINORPROT_RED_PLAN_HOURS)


def case_open(*, actor, minor: Minor, origin: str = Case.Origin.MANUAL, note: str = "") -> Case:
    """Open a case for a minor; a minor has at most one open case, so this returns the open one if any."""
    with transaction.atomic():
        minor = Minor.objects.select_for_update(of=("self",)).select_related("region").get(pk=minor.pk)
        if origin == Case.Origin.MANUAL:
            _require(actor, minor.region, Capability.MANAGE_CASES)
        if minor.status != MinorStatus.ACTIVE:
            raise _error("minor", _("已销档的未成年人不能立案。"), "closed")
        existing = Case.objects.filter(minor=minor).exclude(stage=CaseStage.CLOSED).first()
        if existing is not None:
            return existing
        now = timezone.now()
        case = Case.objects.create(
            minor=minor,
            origin=origin,
            opened_by=actor,
            opening_note=note.strip(),
            owner=actor if user_reach(actor, Capability.MANAGE_CASES).covers(minor.region.path) else None,
            plan_due_at=_plan_due(now) if minor.risk_grade == RiskGrade.RED else None,
            opened_at=now,
            updated_at=now,
        )
        _event(
            case=case,
            kind=CaseEvent.Kind.OPENED,
            actor=actor,
            changes=[{"field": "origin", "from": None, "to": origin}],
            note=note.strip(),
        )
        return case


def case_open_for_grade(*, actor, minor: Minor, grade: str) -> Case | None:
    """Called by the grading service whenever a child is graded orange or red (also when a reassessment
    keeps the grade): open a case if none is open. A regrade opens no second open case, but a closed case
    does not stand in the way of a new one (CASE_GRADES). A red grade sets the 24-hour deadline for the plan."""
    if grade not in CASE_GRADES:
        return None
    case = case_open(
        actor=actor, minor=minor, origin=Case.Origin.GRADE, note=_("定为%(g)s等级") % {"g": RiskGrade(grade).label}
    )
    if grade == RiskGrade.RED and case.plan_due_at is None and not case.measures.exists():
        Case.objects.filter(pk=case.pk).update(plan_due_at=_plan_due(timezone.now()))
        case.refresh_from_db()
    return case


def cases_open_for_grades(*, actor, graded: list[tuple[Minor, str]]) -> list[Case]:
    """`case_open_for_grade` for many children at once (a ledger import): a case for each orange or red
    child without an open one, with its OPENED event, in two INSERTs; red sets the plan deadline. Called
    inside the grading service's transaction, for children it has just graded."""
    now = timezone.now()
    wanted = {minor.pk: (minor, grade) for minor, grade in graded if grade in (RiskGrade.ORANGE, RiskGrade.RED)}
    if not wanted:
        return []
    already = set(
        Case.objects.filter(minor_id__in=list(wanted))
        .exclude(stage=CaseStage.CLOSED)
        .values_list("minor_id", flat=True)
    )
    reach = user_reach(actor, Capability.MANAGE_CASES)
    cases = []
    for minor, grade in wanted.values():
        if minor.pk in already or minor.status != MinorStatus.ACTIVE:
            continue
        cases.append(
            Case(
                minor=minor,
                origin=Case.Origin.GRADE,
                opened_by=actor,
                opening_note=_("定为%(g)s等级") % {"g": RiskGrade(grade).label},
                owner=actor if reach.covers(minor.region.path) else None,
                plan_due_at=_plan_due(now) if grade == RiskGrade.RED else None,
                opened_at=now,
                updated_at=now,
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.OPENED,
                actor=actor,
                at=now,
                changes=[{"field": "origin", "from": None, "to": Case.Origin.GRADE}],
                note=case.opening_note,
            )
            for case in cases
        ],
        batch_size=1000,
    )
    return cases


@transaction.atomic
def case_set_stage(*, actor, case: Case, stage: str, note: str = "") -> Case:
    """Move an open case to another stage of the lifecycle (not to closed: that is the closing procedure)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise _error("stage", _("已结案的个案请先重新开案。"), "closed")
    if stage not in CASE_STAGE_ORDER:
        raise _error("stage", _("请选择阶段；结案须经申请和审批。"), "invalid_choice")
    if stage == case.stage:
        return case
    old = case.stage
    case.stage = stage
    case.save(update_fields=["stage"])
    _event(
        case=case,
        kind=CaseEvent.Kind.STAGE_CHANGED,
        actor=actor,
        changes=[{"field": "stage", "from": old, "to": stage}],
        note=note.strip(),
    )
    return case


@transaction.atomic
def case_set_owner(*, actor, case: Case, owner) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if not user_reach(owner, Capability.MANAGE_CASES).covers(case.minor.region.path):
        raise _error("owner", _("责任人须为该乡镇民政办或儿童督导员。"), "out_of_reach")
    old = case.owner.get_username() if case.owner else None
    case.owner = owner
    case.save(update_fields=["owner"])
    _event(
        case=case,
        kind=CaseEvent.Kind.OWNER_CHANGED,
        actor=actor,
        changes=[{"field": "owner", "from": old, "to": owner.get_username()}],
    )
    return case


def _group_for(case: Case, track: str) -> WorkingGroup | None:
    town = town_of(case.minor.region)
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
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    errors: dict[str, list] = {}
    if case.stage == CaseStage.CLOSED:
        raise _error("case", _("已结案的个案不能添加措施。"), "closed")
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
        raise _error("group", _("工作组与措施类别或地区不符。"), "invalid")
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
    _event(case=case, kind=CaseEvent.Kind.MEASURE_ADDED, actor=actor, changes=changes)
    if case.stage in (CaseStage.DISCOVERY, CaseStage.ASSESSMENT_REFERRAL):
        old = case.stage
        case.stage = CaseStage.DISPOSAL_ASSISTANCE
        case.save(update_fields=["stage"])
        _event(
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


_MEASURE_MOVES = {
    MeasureStatus.PLANNED: {MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.CANCELLED},
    MeasureStatus.IN_PROGRESS: {MeasureStatus.DONE, MeasureStatus.CANCELLED},
}


@transaction.atomic
def measure_update(*, actor, measure: Measure, status: str, outcome: str = "", cancel_reason: str = "") -> Measure:
    """Report progress: planned → in progress → done, or cancelled with a reason. Done and cancelled are final."""
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case__minor__region", "group")
        .get(pk=measure.pk)
    )
    if not measure_may_update(user=actor, measure=measure):
        raise RegistryPermissionDenied
    if status == measure.status and status in OPEN_MEASURE_STATUSES:
        measure.outcome = outcome.strip() or measure.outcome
        measure.save(update_fields=["outcome"])
        return measure
    if status not in _MEASURE_MOVES.get(measure.status, set()):
        raise _error(
            "status",
            _("措施状态不能从“%(a)s”改为“%(b)s”。")
            % {
                "a": measure.get_status_display(),
                "b": MeasureStatus(status).label if status in MeasureStatus.values else status,
            },
            "invalid_transition",
        )
    if status == MeasureStatus.CANCELLED and not cancel_reason.strip():
        raise _error("cancel_reason", _("取消措施须写明理由。"), "required")
    if status == MeasureStatus.DONE and not (outcome.strip() or measure.outcome):
        raise _error("outcome", _("完成措施请填写结果。"), "required")
    old = measure.status
    measure.status = status
    measure.outcome = outcome.strip() or measure.outcome
    measure.cancel_reason = cancel_reason.strip()
    measure.completed_at = timezone.now() if status in (MeasureStatus.DONE, MeasureStatus.CANCELLED) else None
    measure.save(update_fields=["status", "outcome", "cancel_reason", "completed_at"])
    _event(
        case=measure.case,
        kind=CaseEvent.Kind.MEASURE_CHANGED,
        actor=actor,
        changes=[{"field": "status", "from": old, "to": status}],
        note=f"{measure.title}：{measure.cancel_reason or measure.outcome}".strip("：")[:500],
    )
    return measure


def _open_measures(case: Case) -> list[Measure]:
    return list(case.measures.filter(status__in=OPEN_MEASURE_STATUSES).order_by("due_on"))


@transaction.atomic
def case_request_closure(*, actor, case: Case, closing_assessment: str) -> CaseClosure:
    """Ask to close a case. Refused while a measure is open (the refusal names them) and while the child
    is still orange or red (CASE_GRADES: the closing assessment starts with a risk reassessment that lowers
    the grade); the closing assessment is required; the request waits for the town leader's or office
    head's approval."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise _error("case", _("该个案已结案。"), "closed")
    _grade_blocks_closure(case)
    open_measures = _open_measures(case)
    if open_measures:
        raise _error(
            "measures",
            _("还有未完成的措施，不能结案：%(m)s。请先完成，或写明理由后取消。")
            % {"m": "、".join(m.title for m in open_measures)},
            "open_measures",
        )
    if not closing_assessment.strip():
        raise _error("closing_assessment", _("请填写结案评估。"), "required")
    if case.closures.filter(status=CaseClosure.Status.PENDING).exists():
        raise _error("case", _("已有待审批的结案申请。"), "pending")
    closure = CaseClosure.objects.create(case=case, closing_assessment=closing_assessment.strip(), requested_by=actor)
    _event(case=case, kind=CaseEvent.Kind.CLOSURE_REQUESTED, actor=actor, note=closure.closing_assessment[:500])
    return closure


@transaction.atomic
def case_decide_closure(*, actor, closure: CaseClosure, approve: bool, note: str = "") -> CaseClosure:
    """The town leader or office head approves (the case closes) or returns the request with a reason.
    Approval is refused if the child has become orange or red again since the request (CASE_GRADES)."""
    closure = (
        CaseClosure.objects.select_for_update(of=("self",)).select_related("case__minor__region").get(pk=closure.pk)
    )
    case = Case.objects.select_for_update().get(pk=closure.case_id)
    _require(actor, closure.case.minor.region, Capability.APPROVE)
    if closure.status != CaseClosure.Status.PENDING:
        raise _error("closure", _("该申请已审批。"), "decided")
    if closure.requested_by_id == actor.pk:
        raise _error("closure", _("结案申请须由他人审批。"), "self_approval")
    if not approve and not note.strip():
        raise _error("note", _("退回结案申请须写明理由。"), "required")
    now = timezone.now()
    if approve:
        _grade_blocks_closure(case)
        open_measures = _open_measures(case)
        if open_measures:
            raise _error(
                "measures",
                _("还有未完成的措施，不能结案：%(m)s。") % {"m": "、".join(m.title for m in open_measures)},
                "open_measures",
            )
        old = case.stage
        case.stage = CaseStage.CLOSED
        case.closed_at = now
        case.save(update_fields=["stage", "closed_at"])
        _event(
            case=case,
            kind=CaseEvent.Kind.CLOSED,
            actor=actor,
            changes=[{"field": "stage", "from": old, "to": CaseStage.CLOSED}],
            note=note.strip(),
        )
    closure.status = CaseClosure.Status.APPROVED if approve else CaseClosure.Status.REJECTED
    closure.decided_by, closure.decided_at, closure.decision_note = actor, now, note.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(
        case=case,
        kind=CaseEvent.Kind.CLOSURE_DECIDED,
        actor=actor,
        changes=[{"field": "closure", "from": "PENDING", "to": closure.status}],
        note=note.strip(),
    )
    return closure


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a closed case (back to review); recorded with its reason."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage != CaseStage.CLOSED:
        raise _error("case", _("该个案未结案。"), "not_closed")
    if not reason.strip():
        raise _error("reason", _("请写明重新开案的理由。"), "required")
    if Case.objects.filter(minor=case.minor).exclude(stage=CaseStage.CLOSED).exists():
        raise _error("case", _("该未成年人已有在办个案。"), "open_case_exists")
    case.stage = CaseStage.REVIEW
    case.closed_at = None
    try:
        with transaction.atomic():
            case.save(update_fields=["stage", "closed_at"])
    except IntegrityError:
        raise _error("case", _("该未成年人已有在办个案。"), "open_case_exists") from None
    _event(
        case=case,
        kind=CaseEvent.Kind.REOPENED,
        actor=actor,
        changes=[{"field": "stage", "from": CaseStage.CLOSED, "to": CaseStage.REVIEW}],
        note=reason.strip(),
    )
    return case


# --- guardianship intervention ladder (domain.md §8.1) ---------------------------------------------------

LADDER_ACTIONS = {
    InterventionLevel.GUIDANCE: _("约谈监护人，开展家庭教育指导和随访"),
    InterventionLevel.ADMONISH: _("劝诫、制止，批评教育监护人"),
    InterventionLevel.POLICE_REPRIMAND: _("报请公安机关训诫，责令改正或接受家庭教育指导"),
    InterventionLevel.PROTECTIVE_MEASURE: _("采取保护措施，申请人身安全保护令，必要时临时监护"),
    InterventionLevel.JUDICIAL: _("督促、支持起诉，申请撤销监护资格、转移监护权"),
}


@transaction.atomic
def intervention_record(
    *,
    actor,
    case: Case,
    level: int,
    action: str = "",
    actor_name: str,
    guardian: Guardian | None = None,
    taken_on: date | None = None,
    outcome: str = "",
) -> GuardianshipIntervention:
    """Record an intervention. Levels 0–2 are recorded as taken; levels 3 and 4 wait for the town
    leader's approval and cannot be recorded as taken before it (also a database constraint)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise _error("case", _("已结案的个案不能记录干预。"), "closed")
    if level not in InterventionLevel.values:
        raise _error("level", _("请选择干预层级。"), "invalid_choice")
    if not actor_name.strip():
        raise _error("actor", _("请填写实施单位或人员。"), "required")
    if guardian is not None and guardian.minor_id != case.minor_id:
        raise _error("guardian", _("监护人不属于该未成年人。"), "invalid")
    needs_approval = level >= APPROVAL_LEVEL
    intervention = GuardianshipIntervention.objects.create(
        case=case,
        guardian=guardian,
        guardian_name=guardian.name if guardian else "",
        level=level,
        action=(action or LADDER_ACTIONS[InterventionLevel(level)]).strip(),
        actor=actor_name.strip(),
        taken_on=None if needs_approval else (taken_on or timezone.localdate()),
        status=InterventionStatus.PENDING_APPROVAL if needs_approval else InterventionStatus.TAKEN,
        outcome=outcome.strip(),
        recorded_by=actor,
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": None, "to": intervention.status}],
        note=f"{intervention.get_level_display()}：{intervention.action}",
    )
    return intervention


@transaction.atomic
def intervention_decide(
    *, actor, intervention: GuardianshipIntervention, approve: bool, note: str = ""
) -> GuardianshipIntervention:
    """The town leader approves or refuses a level-3 or level-4 intervention."""
    intervention = (
        GuardianshipIntervention.objects.select_for_update()
        .select_related("case__minor__region")
        .get(pk=intervention.pk)
    )
    _require(actor, intervention.case.minor.region, Capability.APPROVE_INTERVENTION)
    if intervention.status != InterventionStatus.PENDING_APPROVAL:
        raise _error("intervention", _("该干预不在待审批状态。"), "not_pending")
    if not approve and not note.strip():
        raise _error("note", _("不批准须写明理由。"), "required")
    intervention.status = InterventionStatus.APPROVED if approve else InterventionStatus.WITHDRAWN
    intervention.approved_by = actor if approve else None
    intervention.approved_at = timezone.now() if approve else None
    if note.strip():
        intervention.outcome = (intervention.outcome + "\n" + note.strip()).strip()
    intervention.save(update_fields=["status", "approved_by", "approved_at", "outcome"])
    _event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": InterventionStatus.PENDING_APPROVAL, "to": intervention.status}],
        note=note.strip(),
    )
    return intervention


@transaction.atomic
def intervention_mark_taken(
    *, actor, intervention: GuardianshipIntervention, taken_on: date | None = None
) -> GuardianshipIntervention:
    intervention = (
        GuardianshipIntervention.objects.select_for_update()
        .select_related("case__minor__region")
        .get(pk=intervention.pk)
    )
    _require(actor, intervention.case.minor.region, Capability.MANAGE_CASES)
    if intervention.level >= APPROVAL_LEVEL and intervention.approved_at is None:
        raise _error("intervention", _("三级以上干预须经乡镇（街道）领导批准后才能实施。"), "approval_required")
    if intervention.status not in (InterventionStatus.APPROVED, InterventionStatus.PROPOSED):
        raise _error("intervention", _("该干预不能标记为已实施。"), "invalid_transition")
    intervention.status = InterventionStatus.TAKEN
    intervention.taken_on = taken_on or timezone.localdate()
    intervention.save(update_fields=["status", "taken_on"])
    _event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": None, "to": InterventionStatus.TAKEN}],
        note=intervention.action,
    )
    return intervention


@transaction.atomic
def intervention_record_outcome(
    *, actor, intervention: GuardianshipIntervention, succeeded: bool, outcome: str
) -> GuardianshipIntervention | None:
    """Record whether a taken intervention worked. When it failed, the next level of the ladder is
    proposed (returned); level 4 has no next level."""
    intervention = (
        GuardianshipIntervention.objects.select_for_update()
        .select_related("case__minor__region")
        .get(pk=intervention.pk)
    )
    _require(actor, intervention.case.minor.region, Capability.MANAGE_CASES)
    if intervention.status != InterventionStatus.TAKEN:
        raise _error("intervention", _("只有已实施的干预才能记录结果。"), "not_taken")
    if not outcome.strip():
        raise _error("outcome", _("请填写干预结果。"), "required")
    intervention.status = InterventionStatus.SUCCEEDED if succeeded else InterventionStatus.FAILED
    intervention.outcome = outcome.strip()
    intervention.save(update_fields=["status", "outcome"])
    _event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": InterventionStatus.TAKEN, "to": intervention.status}],
        note=intervention.outcome,
    )
    if succeeded or intervention.level >= InterventionLevel.JUDICIAL:
        return None
    next_level = InterventionLevel(intervention.level + 1)
    proposal = GuardianshipIntervention.objects.create(
        case=intervention.case,
        guardian=intervention.guardian,
        guardian_name=intervention.guardian_name,
        level=next_level,
        action=LADDER_ACTIONS[next_level],
        actor=intervention.actor,
        status=InterventionStatus.PENDING_APPROVAL if next_level >= APPROVAL_LEVEL else InterventionStatus.PROPOSED,
        recorded_by=actor,
        follows=intervention,
    )
    _event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": None, "to": proposal.status}],
        note=_("上一级干预无效，建议：%(a)s") % {"a": proposal.get_level_display()},
    )
    return proposal


# --- placement (domain.md §8.2–8.3) ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementRoute:
    route: str  # "ORIGIN_GOVERNMENT", "DISTRICT_BUREAU" or "LOCAL"
    advice: str
    suggested_types: tuple[str, ...]


def placement_route(*, minor: Minor) -> PlacementRoute:
    """Where a placement goes (domain.md §8.3, 002 三(六)): household registration elsewhere → contact the
    government of the place of origin; no registration → the street office asks the district civil-affairs
    bureau, which places the child in a welfare institution, a foster family or a purchased service."""
    unregistered = (
        minor.hukou_type == HukouType.NONE or minor.category_links.filter(category__code="UNREGISTERED").exists()
    )
    if unregistered:
        return PlacementRoute(
            "DISTRICT_BUREAU",
            _("无户籍：由乡镇（街道）民政办报请区县民政局安置（福利机构代养、家庭寄养或政府购买服务）。"),
            (PlacementType.WELFARE_INSTITUTION, PlacementType.FAMILY_FOSTER, PlacementType.PURCHASED_SERVICE),
        )
    if not minor.hukou_in_district:
        return PlacementRoute(
            "ORIGIN_GOVERNMENT",
            _("户籍在外地（%(place)s）：联系户籍地政府安置。") % {"place": minor.hukou_place or _("户籍地")},
            (PlacementType.ORIGIN_GOVERNMENT,),
        )
    return PlacementRoute("LOCAL", _("户籍在本地：由本乡镇（街道）安排。"), ())


@transaction.atomic
def placement_record(
    *,
    actor,
    case: Case,
    type: str,
    start_on: date,
    institution: Organisation | None = None,
    institution_name: str = "",
    note: str = "",
) -> Placement:
    """Record a placement; a current one ends the day the new one starts."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    _require(actor, case.minor.region, Capability.MANAGE_CASES)
    if type not in PlacementType.values:
        raise _error("type", _("请选择安置方式。"), "invalid_choice")
    if not isinstance(start_on, date):
        raise _error("start_on", _("请填写开始日期。"), "required")
    current = case.placements.filter(end_on__isnull=True).first()
    if current is not None:
        if start_on < current.start_on:
            raise _error("start_on", _("开始日期早于当前安置的开始日期。"), "before_current")
        current.end_on = start_on
        current.save(update_fields=["end_on"])
    placement = Placement.objects.create(
        case=case,
        type=type,
        institution=institution,
        institution_name=(institution_name or (institution.name if institution else "")).strip(),
        start_on=start_on,
        note=note.strip(),
        recorded_by=actor,
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.PLACEMENT,
        actor=actor,
        changes=[{"field": "placement", "from": current.type if current else None, "to": type}],
        note=placement.institution_name,
    )
    return placement


@transaction.atomic
def placement_end(*, actor, placement: Placement, end_on: date, note: str = "") -> Placement:
    placement = (
        Placement.objects.select_for_update(of=("self",)).select_related("case__minor__region").get(pk=placement.pk)
    )
    _require(actor, placement.case.minor.region, Capability.MANAGE_CASES)
    if placement.end_on is not None:
        raise _error("end_on", _("该安置已结束。"), "ended")
    if end_on < placement.start_on:
        raise _error("end_on", _("结束日期不能早于开始日期。"), "before_start")
    placement.end_on = end_on
    placement.save(update_fields=["end_on"])
    _event(
        case=placement.case,
        kind=CaseEvent.Kind.PLACEMENT,
        actor=actor,
        changes=[{"field": "placement", "from": placement.type, "to": None}],
        note=note.strip(),
    )
    return placement


# --- benefits (domain.md §9) ----------------------------------------------------------------------------


def benefit_rate_for(*, programme: BenefitProgramme, region: Region, on: date) -> BenefitRate | None:
    """The rate in force on `on`: the most specific region above `region`, then the latest start date."""
    rates = [
        rate
        for rate in BenefitRate.objects.filter(programme=programme, valid_from__lte=on).select_related("region")
        if region.path.startswith(rate.region.path)
    ]
    if not rates:
        return None
    return max(rates, key=lambda rate: (len(rate.region.path), rate.valid_from))


def benefit_eligibility_hints(*, minor: Minor, programme: BenefitProgramme, on: date | None = None) -> list[str]:
    """Why the record suggests the minor may not qualify (age limits, required categories)."""
    on = on or timezone.localdate()
    hints = []
    age = age_on(minor.birth_date, on)
    if programme.min_age is not None and age < programme.min_age:
        hints.append(
            _("“%(p)s”从%(n)d周岁起，该未成年人%(a)d周岁。") % {"p": programme.name, "n": programme.min_age, "a": age}
        )
    if programme.max_age is not None and age > programme.max_age:
        hints.append(
            _("“%(p)s”限%(n)d周岁以下，该未成年人%(a)d周岁。") % {"p": programme.name, "n": programme.max_age, "a": age}
        )
    if programme.requires_categories:
        codes = set(minor.category_links.values_list("category__code", flat=True))
        if not codes & set(programme.requires_categories):
            hints.append(
                _("“%(p)s”须具备以下类别之一：%(c)s。")
                % {"p": programme.name, "c": "、".join(programme.requires_categories)}
            )
    return hints


@transaction.atomic
def benefit_apply(
    *,
    actor,
    minor: Minor,
    programme: BenefitProgramme,
    case: Case | None = None,
    applied_on: date | None = None,
    note: str = "",
    accept_hints: bool = False,
) -> BenefitEnrolment:
    """Record an application. Eligibility hints must be acknowledged (accept_hints) with a note."""
    minor = Minor.objects.select_related("region").get(pk=minor.pk)
    _require(actor, minor.region, Capability.MANAGE_CASES)
    if case is not None and case.minor_id != minor.pk:
        raise _error("case", _("个案不属于该未成年人。"), "invalid")
    hints = benefit_eligibility_hints(minor=minor, programme=programme, on=applied_on)
    if hints and not (accept_hints and note.strip()):
        raise _error("accept_hints", " ".join(hints) + _("如确需申请，请勾选确认并写明理由。"), "eligibility")
    if BenefitEnrolment.objects.filter(
        minor=minor, programme=programme, status__in=[EnrolmentStatus.APPLIED, EnrolmentStatus.APPROVED]
    ).exists():
        raise _error("programme", _("该未成年人已申请或正在享受该项目。"), "duplicate")
    enrolment = BenefitEnrolment.objects.create(
        minor=minor,
        case=case,
        programme=programme,
        applied_on=applied_on or timezone.localdate(),
        note=note.strip(),
        recorded_by=actor,
    )
    if case is not None:
        _event(
            case=case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": None, "to": EnrolmentStatus.APPLIED}],
            note=programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_decide(
    *, actor, enrolment: BenefitEnrolment, approve: bool, start_on: date | None = None, note: str = ""
) -> BenefitEnrolment:
    """Record the decision on an application. An approved monthly benefit takes its amount from the rate
    in force in the child's region on the start date; without a configured rate it cannot be approved."""
    enrolment = (
        BenefitEnrolment.objects.select_for_update(of=("self",))
        .select_related("minor__region", "programme", "case")
        .get(pk=enrolment.pk)
    )
    _require(actor, enrolment.minor.region, Capability.MANAGE_CASES)
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise _error("status", _("该申请已有结果。"), "decided")
    old = enrolment.status
    if approve:
        start_on = start_on or timezone.localdate()
        amount: Decimal | None = None
        if enrolment.programme.has_amount:
            rate = benefit_rate_for(programme=enrolment.programme, region=enrolment.minor.region, on=start_on)
            if rate is None:
                raise _error(
                    "start_on",
                    _("本地区尚未设置“%(p)s”的发放标准，请先由区县民政部门设置。") % {"p": enrolment.programme.name},
                    "no_rate",
                )
            amount = rate.monthly_amount
        enrolment.status, enrolment.start_on, enrolment.monthly_amount = EnrolmentStatus.APPROVED, start_on, amount
    else:
        if not note.strip():
            raise _error("note", _("未批准须写明理由。"), "required")
        enrolment.status = EnrolmentStatus.REJECTED
    enrolment.note = (enrolment.note + "\n" + note.strip()).strip()
    enrolment.updated_at = timezone.now()
    enrolment.save(update_fields=["status", "start_on", "monthly_amount", "note", "updated_at"])
    if enrolment.case is not None:
        _event(
            case=enrolment.case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": old, "to": enrolment.status}],
            note=enrolment.programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_end(*, actor, enrolment: BenefitEnrolment, end_on: date, note: str = "") -> BenefitEnrolment:
    enrolment = (
        BenefitEnrolment.objects.select_for_update(of=("self",))
        .select_related("minor__region", "programme", "case")
        .get(pk=enrolment.pk)
    )
    _require(actor, enrolment.minor.region, Capability.MANAGE_CASES)
    if enrolment.status != EnrolmentStatus.APPROVED:
        raise _error("status", _("只有已批准的项目才能终止。"), "not_approved")
    if enrolment.start_on and end_on < enrolment.start_on:
        raise _error("end_on", _("终止日期不能早于开始日期。"), "before_start")
    enrolment.status, enrolment.end_on = EnrolmentStatus.ENDED, end_on
    enrolment.note = (enrolment.note + "\n" + note.strip()).strip()
    enrolment.updated_at = timezone.now()
    enrolment.save(update_fields=["status", "end_on", "note", "updated_at"])
    if enrolment.case is not None:
        _event(
            case=enrolment.case,
            kind=CaseEvent.Kind.BENEFIT,
            actor=actor,
            changes=[{"field": "benefit", "from": EnrolmentStatus.APPROVED, "to": EnrolmentStatus.ENDED}],
            note=enrolment.programme.name,
        )
    return enrolment


@transaction.atomic
def benefit_rate_set(
    *, actor, programme: BenefitProgramme, region: Region, monthly_amount: Decimal, valid_from: date, note: str = ""
) -> BenefitRate:
    """The district (or a town, for a local top-up) sets a programme's monthly standard from a date."""
    _require(actor, region, Capability.MANAGE_POLICY)
    if monthly_amount is None or monthly_amount < 0:
        raise _error("monthly_amount", _("请填写不小于0的金额。"), "invalid")
    rate, _created = BenefitRate.objects.update_or_create(
        programme=programme,
        region=region,
        valid_from=valid_from,
        defaults={"monthly_amount": monthly_amount, "note": note.strip()},
    )
    return rate

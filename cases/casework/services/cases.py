"""Cases (issue 4): opening (by hand, and whenever a child is graded orange or red), the stage of the
"four-in-one" lifecycle, the owner, and reopening a closed case (domain.md §3.1, §4; rules in
cases.casework.rules). Every write checks the actor's reach, runs in one transaction and leaves a CaseEvent
(STYLE.md rules 1, 4, 7)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework import rules
from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    Case,
    CaseEvent,
    CaseStage,
    Minor,
    MinorStatus,
    RiskGrade,
)
from tiers.roles import Capability
from tiers.selectors import user_reach


def case_open(*, actor, minor: Minor, origin: str = Case.Origin.MANUAL, note: str = "") -> Case:
    """Open a case for a minor; a minor has at most one open case, so this returns the open one if any."""
    with transaction.atomic():
        minor = Minor.objects.select_for_update(of=("self",)).select_related("region").get(pk=minor.pk)
        if origin == Case.Origin.MANUAL:
            require(actor, minor.region, Capability.MANAGE_CASES)
        if minor.status != MinorStatus.ACTIVE:
            raise field_error("minor", _("已销档的未成年人不能立案。"), "closed")
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
            plan_due_at=rules.red_plan_due_at(now) if minor.risk_grade == RiskGrade.RED else None,
            opened_at=now,
            updated_at=now,
        )
        case_event(
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
    does not stand in the way of a new one (rules.CASE_GRADES). A red grade sets the deadline for the plan
    (rules.red_plan_due_at)."""
    if grade not in rules.CASE_GRADES:
        return None
    case = case_open(
        actor=actor, minor=minor, origin=Case.Origin.GRADE, note=_("定为%(g)s等级") % {"g": RiskGrade(grade).label}
    )
    if grade == RiskGrade.RED and case.plan_due_at is None and not case.measures.exists():
        Case.objects.filter(pk=case.pk).update(plan_due_at=rules.red_plan_due_at(timezone.now()))
        case.refresh_from_db()
    return case


def cases_open_for_grades(*, actor, graded: list[tuple[Minor, str]]) -> list[Case]:
    """`case_open_for_grade` for many children at once (a ledger import): a case for each orange or red
    child without an open one, with its OPENED event, in two INSERTs; red sets the plan deadline. Called
    inside the grading service's transaction, for children it has just graded."""
    now = timezone.now()
    wanted = {minor.pk: (minor, grade) for minor, grade in graded if grade in rules.CASE_GRADES}
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
                plan_due_at=rules.red_plan_due_at(now) if grade == RiskGrade.RED else None,
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
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise field_error("stage", _("已结案的个案请先重新开案。"), "closed")
    if stage not in rules.CASE_STAGE_ORDER:
        raise field_error("stage", _("请选择阶段；结案须经申请和审批。"), "invalid_choice")
    if stage == case.stage:
        return case
    old = case.stage
    case.stage = stage
    case.save(update_fields=["stage"])
    case_event(
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
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if not user_reach(owner, Capability.MANAGE_CASES).covers(case.minor.region.path):
        raise field_error("owner", _("责任人须为该乡镇民政办或儿童督导员。"), "out_of_reach")
    old = case.owner.get_username() if case.owner else None
    case.owner = owner
    case.save(update_fields=["owner"])
    case_event(
        case=case,
        kind=CaseEvent.Kind.OWNER_CHANGED,
        actor=actor,
        changes=[{"field": "owner", "from": old, "to": owner.get_username()}],
    )
    return case


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a closed case (back to review); recorded with its reason."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage != CaseStage.CLOSED:
        raise field_error("case", _("该个案未结案。"), "not_closed")
    if not reason.strip():
        raise field_error("reason", _("请写明重新开案的理由。"), "required")
    if Case.objects.filter(minor=case.minor).exclude(stage=CaseStage.CLOSED).exists():
        raise field_error("case", _("该未成年人已有在办个案。"), "open_case_exists")
    case.stage = rules.REOPEN_STAGE
    case.closed_at = None
    try:
        with transaction.atomic():
            case.save(update_fields=["stage", "closed_at"])
    except IntegrityError:
        raise field_error("case", _("该未成年人已有在办个案。"), "open_case_exists") from None
    case_event(
        case=case,
        kind=CaseEvent.Kind.REOPENED,
        actor=actor,
        changes=[{"field": "stage", "from": CaseStage.CLOSED, "to": rules.REOPEN_STAGE}],
        note=reason.strip(),
    )
    return case

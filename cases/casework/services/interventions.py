"""The family-guardianship intervention ladder (domain.md §8.1): levels 0–4; from rules.APPROVAL_LEVEL on an
intervention waits for the town leader's approval (cases.casework.rules); when a level fails the next one
is proposed."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.casework import rules
from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    Case,
    CaseEvent,
    CaseStage,
    Guardian,
    GuardianshipIntervention,
    InterventionLevel,
    InterventionStatus,
)
from tiers.roles import Capability

DENIED_INTERVENTION = gettext_lazy("三级以上干预须由乡镇（街道）领导审批。")


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
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise field_error("case", _("已结案的个案不能记录干预。"), "closed")
    if level not in InterventionLevel.values:
        raise field_error("level", _("请选择干预层级。"), "invalid_choice")
    if not actor_name.strip():
        raise field_error("actor", _("请填写实施单位或人员。"), "required")
    if guardian is not None and guardian.minor_id != case.minor_id:
        raise field_error("guardian", _("监护人不属于该未成年人。"), "invalid")
    needs_approval = rules.intervention_needs_approval(level)
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
    case_event(
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
    """The town leader approves or refuses an intervention at rules.APPROVAL_LEVEL or above."""
    intervention = (
        GuardianshipIntervention.objects.select_for_update()
        .select_related("case__minor__region")
        .get(pk=intervention.pk)
    )
    require(actor, intervention.case.minor.region, rules.INTERVENTION_APPROVER, DENIED_INTERVENTION)
    if intervention.status != InterventionStatus.PENDING_APPROVAL:
        raise field_error("intervention", _("该干预不在待审批状态。"), "not_pending")
    if not approve and not note.strip():
        raise field_error("note", _("不批准须写明理由。"), "required")
    intervention.status = InterventionStatus.APPROVED if approve else InterventionStatus.WITHDRAWN
    intervention.approved_by = actor if approve else None
    intervention.approved_at = timezone.now() if approve else None
    if note.strip():
        intervention.outcome = (intervention.outcome + "\n" + note.strip()).strip()
    intervention.save(update_fields=["status", "approved_by", "approved_at", "outcome"])
    case_event(
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
    require(actor, intervention.case.minor.region, Capability.MANAGE_CASES)
    if rules.intervention_needs_approval(intervention.level) and intervention.approved_at is None:
        raise field_error("intervention", _("三级以上干预须经乡镇（街道）领导批准后才能实施。"), "approval_required")
    if intervention.status not in (InterventionStatus.APPROVED, InterventionStatus.PROPOSED):
        raise field_error("intervention", _("该干预不能标记为已实施。"), "invalid_transition")
    intervention.status = InterventionStatus.TAKEN
    intervention.taken_on = taken_on or timezone.localdate()
    intervention.save(update_fields=["status", "taken_on"])
    case_event(
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
    require(actor, intervention.case.minor.region, Capability.MANAGE_CASES)
    if intervention.status != InterventionStatus.TAKEN:
        raise field_error("intervention", _("只有已实施的干预才能记录结果。"), "not_taken")
    if not outcome.strip():
        raise field_error("outcome", _("请填写干预结果。"), "required")
    intervention.status = InterventionStatus.SUCCEEDED if succeeded else InterventionStatus.FAILED
    intervention.outcome = outcome.strip()
    intervention.save(update_fields=["status", "outcome"])
    case_event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": InterventionStatus.TAKEN, "to": intervention.status}],
        note=intervention.outcome,
    )
    if succeeded or intervention.level >= rules.LAST_LEVEL:
        return None
    next_level = InterventionLevel(intervention.level + 1)
    proposal = GuardianshipIntervention.objects.create(
        case=intervention.case,
        guardian=intervention.guardian,
        guardian_name=intervention.guardian_name,
        level=next_level,
        action=LADDER_ACTIONS[next_level],
        actor=intervention.actor,
        status=InterventionStatus.PENDING_APPROVAL
        if rules.intervention_needs_approval(next_level)
        else InterventionStatus.PROPOSED,
        recorded_by=actor,
        follows=intervention,
    )
    case_event(
        case=intervention.case,
        kind=CaseEvent.Kind.INTERVENTION,
        actor=actor,
        changes=[{"field": "intervention", "from": None, "to": proposal.status}],
        note=_("上一级干预无效，建议：%(a)s") % {"a": proposal.get_level_display()},
    )
    return proposal

"""Closing a case (domain.md §4; rules in cases.casework.rules): a request with the closing assessment,
refused while a measure is open or the child is still orange or red (CASE_GRADES), and decided by someone
else holding CLOSURE_APPROVER (the town leader or the head of the office)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.casework import rules
from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    Measure,
    Minor,
    RiskGrade,
)
from tiers.roles import Capability

DENIED_CLOSURE = gettext_lazy("结案须由乡镇（街道）领导或民政办负责人审批。")


def _grade_blocks_closure(case: Case) -> None:
    # The minor's row is locked: the grading services lock it too, so a regrade cannot slip in between.
    minor = Minor.objects.select_for_update().get(pk=case.minor_id)
    if rules.case_closure_blocked_by_grade(minor=minor):
        raise field_error(
            "risk_grade",
            _(
                "该儿童当前为%(grade)s等级，橙色、红色等级的儿童须始终有在办个案，不能结案。"
                "请先进行风险等级重新评估，等级降为黄色或蓝色后再申请结案。"
            )
            % {"grade": RiskGrade(minor.risk_grade).label},
            "grade_requires_case",
        )


def _open_measures(case: Case) -> list[Measure]:
    return list(case.measures.filter(status__in=OPEN_MEASURE_STATUSES).order_by("due_on"))


@transaction.atomic
def case_request_closure(*, actor, case: Case, closing_assessment: str) -> CaseClosure:
    """Ask to close a case. Refused while a measure is open (the refusal names them) and while the child
    is still orange or red (rules.CASE_GRADES: the closing assessment starts with a risk reassessment that lowers
    the grade); the closing assessment is required; the request waits for the town leader's or office
    head's approval."""
    case = Case.objects.select_for_update(of=("self",)).select_related("minor__region").get(pk=case.pk)
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if case.stage == CaseStage.CLOSED:
        raise field_error("case", _("该个案已结案。"), "closed")
    _grade_blocks_closure(case)
    open_measures = _open_measures(case)
    if open_measures:
        raise field_error(
            "measures",
            _("还有未完成的措施，不能结案：%(m)s。请先完成，或写明理由后取消。")
            % {"m": "、".join(m.title for m in open_measures)},
            "open_measures",
        )
    if not closing_assessment.strip():
        raise field_error("closing_assessment", _("请填写结案评估。"), "required")
    if case.closures.filter(status=CaseClosure.Status.PENDING).exists():
        raise field_error("case", _("已有待审批的结案申请。"), "pending")
    closure = CaseClosure.objects.create(case=case, closing_assessment=closing_assessment.strip(), requested_by=actor)
    case_event(case=case, kind=CaseEvent.Kind.CLOSURE_REQUESTED, actor=actor, note=closure.closing_assessment[:500])
    return closure


@transaction.atomic
def case_decide_closure(*, actor, closure: CaseClosure, approve: bool, note: str = "") -> CaseClosure:
    """The town leader or office head approves (the case closes) or returns the request with a reason.
    Approval is refused if the child has become orange or red again since the request (rules.CASE_GRADES)."""
    closure = (
        CaseClosure.objects.select_for_update(of=("self",)).select_related("case__minor__region").get(pk=closure.pk)
    )
    case = Case.objects.select_for_update().get(pk=closure.case_id)
    require(actor, closure.case.minor.region, rules.CLOSURE_APPROVER, DENIED_CLOSURE)
    if closure.status != CaseClosure.Status.PENDING:
        raise field_error("closure", _("该申请已审批。"), "decided")
    if closure.requested_by_id == actor.pk:
        raise field_error("closure", _("结案申请须由他人审批。"), "self_approval")
    if not approve and not note.strip():
        raise field_error("note", _("退回结案申请须写明理由。"), "required")
    now = timezone.now()
    if approve:
        _grade_blocks_closure(case)
        open_measures = _open_measures(case)
        if open_measures:
            raise field_error(
                "measures",
                _("还有未完成的措施，不能结案：%(m)s。") % {"m": "、".join(m.title for m in open_measures)},
                "open_measures",
            )
        old = case.stage
        case.stage = CaseStage.CLOSED
        case.closed_at = now
        case.save(update_fields=["stage", "closed_at"])
        case_event(
            case=case,
            kind=CaseEvent.Kind.CLOSED,
            actor=actor,
            changes=[{"field": "stage", "from": old, "to": CaseStage.CLOSED}],
            note=note.strip(),
        )
    closure.status = CaseClosure.Status.APPROVED if approve else CaseClosure.Status.REJECTED
    closure.decided_by, closure.decided_at, closure.decision_note = actor, now, note.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    case_event(
        case=case,
        kind=CaseEvent.Kind.CLOSURE_DECIDED,
        actor=actor,
        changes=[{"field": "closure", "from": "PENDING", "to": closure.status}],
        note=note.strip(),
    )
    return closure

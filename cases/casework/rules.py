"""The rules of casework in one place: which grades open a case, the order of a case's stages and the
moves allowed between them and between a measure's statuses, the red case's plan deadline, the level of
the intervention ladder that needs the town leader, and what closing a case requires. Services, selectors,
forms, views and the alert job read them from here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from cases.casework.models import CaseStage, InterventionLevel, MeasureStatus
from cases.registry.models import Minor, MinorStatus, RiskGrade
from tiers.roles import Capability

# --- opening a case (domain.md §3.1; §5; 001 篇四: one plan per child) -----------------------------------
# Orange calls for one-to-one help and weekly visits, red for immediate administrative and judicial measures:
# a child graded orange or red gets a case at once, and while an active child holds one of these grades
# the child has an open case (it cannot close until a reassessment lowers the grade).
CASE_GRADES = frozenset({RiskGrade.ORANGE, RiskGrade.RED})

# --- the case lifecycle (domain.md §4 mechanism 2–4, "four-in-one"; 001 篇八 L214–218) ---------------------
# The stages a case moves through by hand, in order; CLOSED is reached only through the closing procedure
# (request and approval), and a closed case reopens into REVIEW.
CASE_STAGE_ORDER = [CaseStage.DISCOVERY, CaseStage.ASSESSMENT_REFERRAL, CaseStage.DISPOSAL_ASSISTANCE, CaseStage.REVIEW]
# Adding the first measure (making the plan) moves a case still in these stages to disposal and assistance.
STAGES_BEFORE_PLAN = (CaseStage.DISCOVERY, CaseStage.ASSESSMENT_REFERRAL)
STAGE_WITH_PLAN = CaseStage.DISPOSAL_ASSISTANCE
REOPEN_STAGE = CaseStage.REVIEW

# --- a measure's progress (domain.md §6.2) ------------------------------------------------------------
# planned → in progress → done, or cancelled with a reason; done and cancelled are final.
MEASURE_MOVES: dict[str, tuple[str, ...]] = {
    MeasureStatus.PLANNED: (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.CANCELLED),
    MeasureStatus.IN_PROGRESS: (MeasureStatus.DONE, MeasureStatus.CANCELLED),
}


def measure_may_move(current: str, new: str) -> bool:
    return new in MEASURE_MOVES.get(current, ())


# --- the red case's plan (domain.md §3.1 "immediately"; issue 4 §2) ---------------------------------------
# [PROPOSAL] A red case needs its plan (at least one measure) within 24 hours of opening or of the child
# turning red; configurable with the setting MINORPROT_RED_PLAN_HOURS, read here only.


def red_plan_hours() -> int:
    return settings.MINORPROT_RED_PLAN_HOURS


def red_plan_due_at(start: datetime) -> datetime:
    """When the plan of a red case opened (or turned red) at `start` is due."""
    return start + timedelta(hours=red_plan_hours())


# --- the intervention ladder (domain.md §8.1) ----------------------------------------------------------
# Levels 3 (protective measures, protection order) and 4 (judicial) need the town leader's approval
# (APPROVE_INTERVENTION) before they are taken; the database constraint intervention_high_level_approved
# enforces the same level. When a level fails, the next one is proposed; level 4 is the last.
APPROVAL_LEVEL = InterventionLevel.PROTECTIVE_MEASURE
LAST_LEVEL = InterventionLevel.JUDICIAL
INTERVENTION_APPROVER = Capability.APPROVE_INTERVENTION


def intervention_needs_approval(level: int) -> bool:
    return level >= APPROVAL_LEVEL


# --- closing a case (domain.md §4; §3.1 via CASE_GRADES) ----------------------------------------------
# Closing needs every measure done or cancelled with a reason, a closing assessment, the child no longer
# orange or red (while active), and approval by someone else holding APPROVE there (the town leader or the
# head of the office).
CLOSURE_APPROVER = Capability.APPROVE


def case_closure_blocked_by_grade(*, minor: Minor) -> bool:
    """True while the case of `minor` may not close: the child is active and still orange or red."""
    return minor.status == MinorStatus.ACTIVE and minor.risk_grade in CASE_GRADES

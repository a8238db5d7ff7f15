"""Casework services (issue 4), one module per sub-topic: cases, measures and working groups,
interventions, placements, benefits, closures, and the casework alerts. Every write validates, checks the
actor's reach (ActionNotAllowed otherwise), runs in one transaction and leaves a CaseEvent (STYLE.md rules
1, 4, 7); the rules they apply are in cases.casework.rules. Callers use this package's names."""

from cases.casework.rules import case_closure_blocked_by_grade
from cases.casework.services.benefits import (
    benefit_apply,
    benefit_decide,
    benefit_eligibility_hints,
    benefit_end,
    benefit_rate_for,
    benefit_rate_set,
)
from cases.casework.services.cases import (
    case_open,
    case_open_for_grade,
    case_reopen,
    case_set_owner,
    case_set_stage,
    cases_open_for_grades,
)
from cases.casework.services.closures import case_decide_closure, case_request_closure
from cases.casework.services.interventions import (
    LADDER_ACTIONS,
    intervention_decide,
    intervention_mark_taken,
    intervention_record,
    intervention_record_outcome,
)
from cases.casework.services.measures import (
    GROUP_DEFAULTS,
    measure_add,
    measure_may_update,
    measure_update,
    working_group_may_edit,
    working_group_update,
    working_groups_ensure,
)
from cases.casework.services.placements import PlacementRoute, placement_end, placement_record, placement_route

__all__ = [
    "GROUP_DEFAULTS",
    "LADDER_ACTIONS",
    "PlacementRoute",
    "benefit_apply",
    "benefit_decide",
    "benefit_eligibility_hints",
    "benefit_end",
    "benefit_rate_for",
    "benefit_rate_set",
    "case_closure_blocked_by_grade",
    "case_decide_closure",
    "case_open",
    "case_open_for_grade",
    "case_reopen",
    "case_request_closure",
    "case_set_owner",
    "case_set_stage",
    "cases_open_for_grades",
    "intervention_decide",
    "intervention_mark_taken",
    "intervention_record",
    "intervention_record_outcome",
    "measure_add",
    "measure_may_update",
    "measure_update",
    "placement_end",
    "placement_record",
    "placement_route",
    "working_group_may_edit",
    "working_group_update",
    "working_groups_ensure",
]

"""Pages of the guardianship intervention ladder (domain.md §8.1): record, approve, mark taken, outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.accesslog.services import access_kind
from cases.casework import selectors, services
from cases.casework.forms import (
    DecisionForm,
    InterventionForm,
    InterventionOutcomeForm,
    InterventionTakenForm,
)
from cases.casework.views.page import (
    case_for,
    first_or_404,
    submit_case_form,
)
from cases.models import (
    AccessLog,
    Case,
    InterventionStatus,
)
from tiers.roles import Capability

# --- interventions -----------------------------------------------------------------------------------


def _intervention(case: Case, pk: int):
    return first_or_404(selectors.case_interventions(case=case).filter(pk=pk))


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def intervention_create(request, pk: int):
    case = case_for(request, pk)
    form = InterventionForm(request.POST, guardians=case.minor.guardians.all())

    def success(intervention) -> str:
        if intervention.status == InterventionStatus.PENDING_APPROVAL:
            return _("已记录%(level)s，待乡镇（街道）领导批准后实施。") % {"level": intervention.get_level_display()}
        return _("已记录%(level)s。") % {"level": intervention.get_level_display()}

    return submit_case_form(
        request,
        case,
        form,
        key="intervention",
        run=lambda data: services.intervention_record(actor=request.user, case=case, **form.service_kwargs()),
        success=success,
        anchor="interventions",
    )


@login_required
@require_POST
def intervention_decide(request, pk: int, intervention_pk: int):
    case = case_for(request, pk, Capability.APPROVE_INTERVENTION)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-decide"
    form = DecisionForm(request.POST, prefix=key)
    return submit_case_form(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.intervention_decide(
            actor=request.user, intervention=intervention, approve=form.approve, note=data["note"]
        ),
        success=lambda i: (
            _("已批准%(level)s。") % {"level": i.get_level_display()}
            if i.status == InterventionStatus.APPROVED
            else _("未批准%(level)s。") % {"level": i.get_level_display()}
        ),
        anchor=f"intervention-{intervention.pk}",
    )


@login_required
@require_POST
def intervention_taken(request, pk: int, intervention_pk: int):
    case = case_for(request, pk)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-taken"
    form = InterventionTakenForm(request.POST, prefix=key)
    return submit_case_form(
        request,
        case,
        form,
        key=key,
        run=lambda data: services.intervention_mark_taken(
            actor=request.user, intervention=intervention, taken_on=data["taken_on"]
        ),
        success=_("已标记为已实施。"),
        anchor=f"intervention-{intervention.pk}",
    )


@login_required
@require_POST
def intervention_outcome(request, pk: int, intervention_pk: int):
    case = case_for(request, pk)
    intervention = _intervention(case, intervention_pk)
    key = f"intervention-{intervention.pk}-outcome"
    form = InterventionOutcomeForm(request.POST, prefix=key)

    def run(data):
        return services.intervention_record_outcome(
            actor=request.user, intervention=intervention, succeeded=data["succeeded"], outcome=data["outcome"]
        )

    def success(proposal) -> str:
        if proposal is None:
            return _("已记录干预结果。")
        if proposal.status == InterventionStatus.PENDING_APPROVAL:
            return _("干预无效，已建议%(level)s，待乡镇（街道）领导批准。") % {"level": proposal.get_level_display()}
        return _("干预无效，已建议%(level)s。") % {"level": proposal.get_level_display()}

    return submit_case_form(request, case, form, key=key, run=run, success=success, anchor="interventions")

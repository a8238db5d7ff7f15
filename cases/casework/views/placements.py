"""Pages of placements (domain.md §8.2–8.3): record a placement and end it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.accesslog.services import access_kind
from cases.casework import selectors, services
from cases.casework.forms import (
    PlacementEndForm,
    PlacementForm,
)
from cases.casework.selectors import (
    organisation_choices,
)
from cases.casework.views.page import (
    case_for,
    first_or_404,
    submit_case_form,
)
from cases.models import (
    AccessLog,
)

# --- placement ---------------------------------------------------------------------------------------


@access_kind(AccessLog.Action.FORM)
@login_required
@require_POST
def placement_create(request, pk: int):
    case = case_for(request, pk)
    form = PlacementForm(request.POST, institutions=organisation_choices(path=case.minor.region.path))
    return submit_case_form(
        request,
        case,
        form,
        key="placement",
        run=lambda data: services.placement_record(
            actor=request.user,
            case=case,
            type=data["type"],
            start_on=data["start_on"],
            institution=data.get("institution"),
            institution_name=data.get("institution_name") or "",
            note=data.get("note") or "",
        ),
        success=lambda p: _("已记录安置：%(type)s。") % {"type": p.get_type_display()},
        anchor="placement",
    )


@login_required
@require_POST
def placement_end_view(request, pk: int, placement_pk: int):
    case = case_for(request, pk)
    placement = first_or_404(selectors.case_placements(case=case).filter(pk=placement_pk))
    form = PlacementEndForm(request.POST, prefix="placement-end")
    return submit_case_form(
        request,
        case,
        form,
        key="placement-end",
        run=lambda data: services.placement_end(
            actor=request.user, placement=placement, end_on=data["end_on"], note=data["note"]
        ),
        success=_("已结束安置。"),
        anchor="placement",
    )

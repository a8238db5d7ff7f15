"""Placements (domain.md §8.2) and where they go (§8.3; 002 三(六)): household registration elsewhere → the
government of origin; none → a request to the district civil-affairs bureau."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from cases.casework.services.base import case_event, field_error, require
from cases.models import (
    Case,
    CaseEvent,
    HukouType,
    Minor,
    Placement,
    PlacementType,
)
from tiers.models import Organisation
from tiers.roles import Capability

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
    require(actor, case.minor.region, Capability.MANAGE_CASES)
    if type not in PlacementType.values:
        raise field_error("type", _("请选择安置方式。"), "invalid_choice")
    if not isinstance(start_on, date):
        raise field_error("start_on", _("请填写开始日期。"), "required")
    current = case.placements.filter(end_on__isnull=True).first()
    if current is not None:
        if start_on < current.start_on:
            raise field_error("start_on", _("开始日期早于当前安置的开始日期。"), "before_current")
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
    case_event(
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
    require(actor, placement.case.minor.region, Capability.MANAGE_CASES)
    if placement.end_on is not None:
        raise field_error("end_on", _("该安置已结束。"), "ended")
    if end_on < placement.start_on:
        raise field_error("end_on", _("结束日期不能早于开始日期。"), "before_start")
    placement.end_on = end_on
    placement.save(update_fields=["end_on"])
    case_event(
        case=placement.case,
        kind=CaseEvent.Kind.PLACEMENT,
        actor=actor,
        changes=[{"field": "placement", "from": placement.type, "to": None}],
        note=note.strip(),
    )
    return placement

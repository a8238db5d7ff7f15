"""Presentation of casework in templates: the case history as people read it, and the case block on the
child's record page (the record view stays as it is; this tag reads the open case itself)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.translation import gettext_lazy

from cases.casework.selectors import case_open_for_minor
from cases.models import (
    OPEN_MEASURE_STATUSES,
    Case,
    CaseClosure,
    CaseEvent,
    CaseStage,
    EnrolmentStatus,
    InterventionStatus,
    MeasureStatus,
    Minor,
    MinorStatus,
    PlacementType,
    Track,
)
from cases.templatetags.registry_tags import EMPTY, ChangeRow, EventView
from tiers.roles import Capability
from tiers.selectors import user_reach

register = template.Library()

# What each `changes[].field` of a CaseEvent holds, and the choices that label its codes.
_FIELDS: dict[str, tuple[Any, type[models.Choices] | None]] = {
    "origin": (gettext_lazy("立案方式"), Case.Origin),
    "stage": (gettext_lazy("阶段"), CaseStage),
    "owner": (gettext_lazy("责任人"), None),
    "measure": (gettext_lazy("措施"), None),
    "track": (gettext_lazy("工作组"), Track),
    "status": (gettext_lazy("措施状态"), MeasureStatus),
    "intervention": (gettext_lazy("监护干预"), InterventionStatus),
    "placement": (gettext_lazy("安置方式"), PlacementType),
    "benefit": (gettext_lazy("项目状态"), EnrolmentStatus),
    "closure": (gettext_lazy("审批结果"), CaseClosure.Status),
}


def _value(choices: type[models.Choices] | None, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    return str(value)


@register.simple_tag
def describe_case_event(event: CaseEvent) -> EventView:
    """One case-history entry: field names and labels instead of stored codes."""
    rows = []
    for change in event.changes or []:
        field = change.get("field", "")
        label, choices = _FIELDS.get(field, (field, None))
        rows.append(
            ChangeRow(
                label=str(label), before=_value(choices, change.get("from")), after=_value(choices, change.get("to"))
            )
        )
    return EventView(subject="", rows=rows, note=event.note)


@register.filter
def stage_class(stage: str) -> str:
    """A Bootstrap badge colour per stage: the lifecycle reads left to right, closed is grey."""
    return {
        CaseStage.DISCOVERY: "text-bg-info",
        CaseStage.ASSESSMENT_REFERRAL: "text-bg-primary",
        CaseStage.DISPOSAL_ASSISTANCE: "text-bg-warning",
        CaseStage.REVIEW: "text-bg-success",
    }.get(stage, "text-bg-secondary")


@register.filter
def person(user) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name() or user.get_username()


@register.inclusion_tag("cases/casework/includes/record_case.html", takes_context=True)
def record_case(context, minor: Minor) -> dict[str, Any]:
    """The child's open case (stage, open and overdue measures) or, for the town office, a way to open one."""
    from django.utils import timezone

    request = context["request"]
    case = case_open_for_minor(minor=minor)
    measures = list(case.measures.filter(status__in=OPEN_MEASURE_STATUSES).only("due_on")) if case else []
    today = timezone.localdate()
    last_closed = None
    if case is None:
        last_closed = Case.objects.filter(minor=minor, stage=CaseStage.CLOSED).order_by("-closed_at").first()
    may_open = (
        case is None
        and minor.status == MinorStatus.ACTIVE
        and user_reach(request.user, Capability.MANAGE_CASES).covers(minor.region.path)
    )
    return {
        "minor": minor,
        "case": case,
        "open_measures": len(measures),
        "overdue_measures": sum(1 for m in measures if m.due_on < today),
        "last_closed": last_closed,
        "may_open": may_open,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def measure_status_class(status: str) -> str:
    return {
        MeasureStatus.PLANNED: "text-bg-light border",
        MeasureStatus.IN_PROGRESS: "text-bg-primary",
        MeasureStatus.DONE: "text-bg-success",
        MeasureStatus.CANCELLED: "text-bg-secondary",
    }.get(status, "text-bg-light border")


@register.filter
def intervention_status_class(status: str) -> str:
    return {
        InterventionStatus.PROPOSED: "text-bg-light border",
        InterventionStatus.PENDING_APPROVAL: "text-bg-warning",
        InterventionStatus.APPROVED: "text-bg-info",
        InterventionStatus.TAKEN: "text-bg-primary",
        InterventionStatus.SUCCEEDED: "text-bg-success",
        InterventionStatus.FAILED: "text-bg-danger",
        InterventionStatus.WITHDRAWN: "text-bg-secondary",
    }.get(status, "text-bg-light border")


@register.filter
def enrolment_status_class(status: str) -> str:
    return {
        EnrolmentStatus.APPLIED: "text-bg-warning",
        EnrolmentStatus.APPROVED: "text-bg-success",
        EnrolmentStatus.REJECTED: "text-bg-secondary",
        EnrolmentStatus.ENDED: "text-bg-light border",
    }.get(status, "text-bg-light border")

"""Grading and visits on pages rendered by `cases` (the record page, the landing page).

`cases` may not import `screening` (STYLE.md: tiers ← cases ← screening), so the cases views stay as
they are and their templates load these tags; the reads go through the topics' selectors as usual."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cases.models import Minor, MinorStatus, RiskGrade
from cases.registry.selectors import minor_may_change
from screening.grading import selectors as grading
from screening.grading.forms import HelperForm
from screening.models import ResponseMeasure
from screening.permissions import may_grade
from screening.rules import policy_for
from screening.visits.selectors import visit_list, visit_worklist
from screening.visits.services.visits import may_log_visit
from tiers.roles import Capability
from tiers.selectors import user_can

register = template.Library()

RECENT_VISITS = 5
_CACHE_ATTR = "_screening_record"


def _record(context, minor: Minor) -> dict[str, Any]:
    """Everything the record page shows about grading and visits, read once per request."""
    request = context["request"]
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached["minor"].pk == minor.pk:
        return cached
    user = request.user
    history = list(grading.grade_history(minor=minor))
    policy = policy_for(region=minor.region, grade=minor.risk_grade) if minor.risk_grade else None
    responses = list(grading.emergency_response_list(minor=minor))
    measure_labels = dict(ResponseMeasure.choices)
    for response in responses:
        response.measure_labels = [measure_labels.get(code, code) for code in response.measures]
    is_red = minor.risk_grade == RiskGrade.RED
    grade_since = minor.risk_grade_since
    active = minor.status == MinorStatus.ACTIVE
    plan = getattr(minor, "visit_plan", None)
    today = timezone.localdate()
    due_days = (plan.next_due_on - today).days if plan and plan.next_due_on else None
    data = {
        "minor": minor,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "latest_change": history[0] if history else None,
        "history": history,
        "assessments": list(grading.assessment_list(minor=minor)),
        "visits": list(visit_list(minor=minor, limit=RECENT_VISITS)),
        "helper": grading.helper_current(minor=minor),
        "requires_helper": bool(policy and policy.requires_helper),
        "responses": responses,
        "is_red": is_red,
        "response_deadline_hours": (policy.response_deadline_hours if policy and is_red else None),
        "response_missing": is_red and not any(grade_since and r.acted_at >= grade_since for r in responses),
        "plan": plan,
        "due_days": due_days,
        "overdue_days": -due_days if due_days is not None and due_days < 0 else 0,
        "may_log_visit": active and may_log_visit(user=user, minor=minor),
        "may_grade": active and may_grade(user=user, minor=minor),
        "may_assign_helper": active and minor_may_change(user=user, minor=minor),
        "helper_form": HelperForm(),
    }
    setattr(request, _CACHE_ATTR, data)
    return data


@register.inclusion_tag("screening/includes/record_grade.html", takes_context=True)
def record_grade(context, minor: Minor) -> dict[str, Any]:
    """The current grade with why it is what it is, the next visit, and the grading actions."""
    return _record(context, minor)


@register.inclusion_tag("screening/includes/record_sections.html", takes_context=True)
def record_sections(context, minor: Minor) -> dict[str, Any]:
    """Grade timeline, assessments, visits, the one-to-one helper and (red) emergency responses."""
    return _record(context, minor)


@register.inclusion_tag("screening/includes/visit_summary.html", takes_context=True)
def visit_summary(context) -> dict[str, Any]:
    """The landing page's shortcut to the worklist, with how many visits are overdue or due this week."""
    user = context["request"].user
    if not user_can(user, Capability.LOG_VISITS):
        return {"show": False}
    buckets = visit_worklist(user=user)
    return {"show": True, "overdue": buckets["overdue"].count(), "due_this_week": buckets["due_this_week"].count()}

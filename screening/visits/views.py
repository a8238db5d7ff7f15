"""Web pages of visits (走访): the child director's worklist and visit form (a phone is the usual screen),
the visit statistics page (compliance per village and grade, then every overdue child) and visit photos.
Each view parses input, calls a selector or a service, and renders.

A child outside the user's reach answers 404 (cases.registry.selectors.minor_get, STYLE.md rule 3); a child
in reach that the user may not visit answers 403 (a service's ActionNotAllowed is a 403 by itself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.accesslog.services import access_kind, access_log_record
from cases.models import AccessLog, Minor, RiskGrade
from cases.registry.selectors import minor_get
from cases.registry.views import records_required
from screening.models import VisitPhoto
from screening.visits import selectors
from screening.visits.forms import CompliancePeriodForm, VisitForm
from screening.visits.services.visits import may_log_visit, visit_log
from tiers.forms import add_service_errors
from tiers.roles import Capability
from tiers.selectors import user_can, user_reach

WORKLIST_LIMIT = 100
OVERDUE_PAGE_SIZE = 50


def _loggable_minor(request, pk: int) -> Minor:
    minor = minor_get(user=request.user, pk=pk)
    if not may_log_visit(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


def _worklist_rows(plans, *, today, log_reach) -> dict:
    """One bucket of the worklist: at most WORKLIST_LIMIT rows, and how many there are in all."""
    rows = list(plans.select_related("minor__region__parent")[:WORKLIST_LIMIT])
    total = len(rows) if len(rows) < WORKLIST_LIMIT else plans.count()
    return {
        "rows": [
            {
                "plan": plan,
                "minor": plan.minor,
                "days": (plan.next_due_on - today).days,
                "overdue": max(0, (today - plan.next_due_on).days),
                "may_log": log_reach.covers(plan.minor.region.path),
            }
            for plan in rows
        ],
        "total": total,
        "more": total - len(rows),
    }


@records_required
@require_GET
def visit_worklist(request):
    """Overdue, due this week and upcoming visits in the user's reach; a phone is the usual screen."""
    today = timezone.localdate()
    log_reach = user_reach(request.user, Capability.LOG_VISITS)
    buckets = selectors.visit_worklist(user=request.user, today=today)
    sections = [
        {
            "key": "overdue",
            "title": _("已逾期"),
            **_worklist_rows(buckets["overdue"], today=today, log_reach=log_reach),
        },
        {
            "key": "due_this_week",
            "title": _("本周应走访"),
            **_worklist_rows(buckets["due_this_week"], today=today, log_reach=log_reach),
        },
        {
            "key": "upcoming",
            "title": _("近期安排"),
            **_worklist_rows(buckets["upcoming"], today=today, log_reach=log_reach),
        },
    ]
    return render(request, "screening/visits/worklist.html", {"sections": sections, "today": today})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    minor = _loggable_minor(request, pk)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_log(actor=request.user, minor=minor, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = _("已记录%(name)s的走访。") % {"name": minor.name}
            if form.cleaned_data["new_risk_found"]:
                text += _("已通知乡镇民政办重新评估。")
            messages.success(request, text)
            return redirect("visit_worklist")
    plan = getattr(minor, "visit_plan", None)  # none until the plan is first refreshed
    return render(
        request,
        "screening/visits/visit_form.html",
        {"minor": minor, "form": form, "plan": plan, "recent_visits": selectors.visit_list(minor=minor, limit=3)},
    )


@login_required
@require_GET
def visit_compliance(request):
    """Per village and grade, visits done on time ÷ due in a period; then every overdue child."""
    if not user_can(request.user, Capability.VIEW_AGGREGATES):
        raise PermissionDenied
    form = CompliancePeriodForm(request.GET or None)
    start, end = form.period()
    figures = selectors.visit_compliance(user=request.user, start=start, end=end)
    for row in figures["grades"]:
        row["label"] = RiskGrade(row["key"]).label if row["key"] in RiskGrade.values else _("未定级")
    totals = {
        "due": sum(row["due"] for row in figures["villages"]),
        "on_time": sum(row["on_time"] for row in figures["villages"]),
    }
    overdue = None
    today = timezone.localdate()
    if user_can(request.user, Capability.VIEW_RECORDS):
        plans = selectors.visit_worklist(user=request.user, today=today)["overdue"].select_related(
            "minor__region__parent"
        )
        overdue = Paginator(plans, OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
        for plan in overdue.object_list:
            plan.days_overdue = (today - plan.next_due_on).days
    return render(
        request,
        "screening/visits/compliance.html",
        {"form": form, "start": start, "end": end, "figures": figures, "totals": totals, "overdue": overdue},
    )


@records_required
@require_GET
def visit_photo(request, pk: int):
    """A visit photo, only to someone who may see the child; every view is in the access log.
    Photos are never served from a public media URL."""
    photo = VisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None:
        raise Http404
    minor = minor_get(user=request.user, pk=photo.visit.minor_id)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.VIEW,
        channel=AccessLog.Channel.WEB,
        minor=minor,
        request=request,
        detail={"visit_photo": photo.pk},
    )
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response

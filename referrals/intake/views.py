"""Web pages of the intake queue (issue 5 §6, §7).

Staff: the towns' queue, a report with triage and workflow forms and its history, a form to receive
a report. Partners: their organisation's reports (status and outcome) and a submit form. A report
outside the user's reach answers 404 (STYLE.md rule 3); every write calls a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Minor
from cases.registry.selectors import MinorFilters, minor_list
from cases.registry.services import CategoryChoice
from referrals.intake import rules
from referrals.intake import services as intake
from referrals.intake.forms import RegisterForm, ReportForm
from referrals.intake.models import ReportChannel, ReportStatus
from referrals.intake.selectors import (
    is_partner,
    partner_organisation,
    partner_report_list,
    report_get,
    report_history,
    report_is_overdue,
    report_queue,
)
from tiers.forms import add_service_errors
from tiers.models import Region
from tiers.roles import Capability, Level
from tiers.selectors import region_list, user_can, user_posts


def _staff_towns(user):
    """Towns where the user may receive a report: their own town, or the towns under a county post."""
    ids = set()
    for post in user_posts(user):
        if post.role == "PARTNER_STAFF" or not post.region.is_active:
            continue
        if post.region.level == Level.COUNTY:
            ids |= set(Region.objects.filter(parent=post.region, level=Level.TOWN).values_list("pk", flat=True))
        elif post.region.town_path is not None:
            ids |= set(Region.objects.filter(path=post.region.town_path, level=Level.TOWN).values_list("pk", flat=True))
    return Region.objects.filter(pk__in=ids, is_active=True).order_by("path")


@login_required
def report_list(request):
    if is_partner(request.user):
        reports = partner_report_list(user=request.user)
        return render(request, "referrals/intake/partner_list.html", {"reports": reports})
    if not user_can(request.user, Capability.VIEW_RECORDS):
        raise Http404
    status = request.GET.get("status", "")
    reports = list(report_queue(user=request.user, status=status if status in ReportStatus.values else "")[:200])
    now = timezone.now()
    for report in reports:
        report.overdue = report_is_overdue(report, now)
    return render(
        request,
        "referrals/intake/queue.html",
        {"reports": reports, "statuses": ReportStatus.choices, "status": status},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    partner = is_partner(request.user)
    if partner:
        organisation = partner_organisation(request.user)
        towns = Region.objects.filter(
            Region.subtree_q(organisation.region.county_path, "path"), level=Level.TOWN, is_active=True
        )
    else:
        towns = _staff_towns(request.user)
        if not towns.exists():
            raise Http404
    form = ReportForm(request.POST or None, towns=towns, partner=partner, initial={"discovered_at": timezone.now()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("channel", ReportChannel.PARTNER_API)
        try:
            report = intake.report_receive(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("报告已受理。"))
            return redirect("report_list" if partner else "report_detail", *([] if partner else [report.pk]))
    return render(request, "referrals/intake/report_new.html", {"form": form, "partner": partner})


def _detail_context(request, report):
    may_act = intake.report_may_act(user=request.user, report=report)
    query = request.GET.get("q", "").strip()
    candidates = []
    if may_act and query and report.triaged_at is None:
        candidates = list(
            minor_list(user=request.user, filters=MinorFilters(q=query)).filter(report.town.subtree())[:20]
        )
    register_form = RegisterForm(report=report)
    register_form.fields["region"].queryset = region_list(
        user=request.user, capability=Capability.CHANGE_RECORDS
    ).filter(report.town.subtree("path"), level__in=[Level.VILLAGE, Level.GRID])
    return {
        "report": report,
        "events": report_history(report=report),
        "may_act": may_act,
        "is_open": rules.is_open(report.status),
        "overdue": report_is_overdue(report),
        "query": query,
        "candidates": candidates,
        "register_form": register_form,
        "next_status": rules.next_status(report.status),
    }


@login_required
def report_detail(request, pk: int):
    report = report_get(user=request.user, pk=pk)
    return render(request, "referrals/intake/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_act(request, pk: int, step: str):
    report = report_get(user=request.user, pk=pk)
    post = request.POST
    text = post.get("text", "")
    outcome = post.get("outcome_for_reporter", "")
    try:
        if step == "link":
            minor = get_object_or_404(Minor, pk=post.get("minor") or 0)
            intake.report_triage_link(actor=request.user, report=report, minor=minor, note=text)
        elif step == "register":
            form = RegisterForm(post, report=report)
            form.fields["region"].queryset = region_list(user=request.user, capability=Capability.CHANGE_RECORDS)
            if not form.is_valid():
                messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
                return redirect("report_detail", report.pk)
            data = {
                key: form.cleaned_data[key]
                for key in ("name", "gender", "birth_date", "id_number")
                if form.cleaned_data[key]
            }
            if not data.get("id_number"):
                data["no_id_reason"] = "NOT_YET_ISSUED"
            intake.report_triage_register(
                actor=request.user,
                report=report,
                region=form.cleaned_data["region"],
                data=data,
                guardians=[],
                categories=[CategoryChoice(form.cleaned_data["category"].code)],
                confirm_possible_duplicate=bool(post.get("confirm")),
            )
        elif step == "dismiss":
            intake.report_dismiss(actor=request.user, report=report, reason=text, outcome_for_reporter=outcome)
        elif step == "advance":
            intake.report_advance(actor=request.user, report=report, note=text, outcome_for_reporter=outcome)
        elif step == "handling":
            intake.report_record_handling(actor=request.user, report=report, handling_record=text)
        elif step == "transfer":
            intake.report_transfer(actor=request.user, report=report, note=text, outcome_for_reporter=outcome)
        elif step == "close":
            intake.report_close(actor=request.user, report=report, outcome_for_reporter=outcome, note=text)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存。"))
    return redirect("report_detail", report.pk)

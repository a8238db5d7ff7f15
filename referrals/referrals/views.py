"""Web pages of referrals (issue 5 §7): a partner user without a system of its own sees its referrals and
accepts, rejects, reports progress and gives feedback; the town's staff see a case's referrals, draft
and send them, close and revoke them. Same selectors and services as the API: a referral the user may
not see answers 404; every partner read is in the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.casework.selectors import case_get, case_open_for_minor
from cases.registry.selectors import minor_get
from referrals.referrals.forms import NoteForm, ReferralDraftForm, ReferralRuleForm
from referrals.referrals.models import ReferralStatus, ReferralSuggestion
from referrals.referrals.selectors import (
    ReferralFilters,
    child_age,
    is_town_view,
    referral_get,
    referral_history,
    referral_list,
    referral_rule_history,
    referral_rules_in_force,
    referral_updates,
    village_name,
)
from referrals.referrals.services import lifecycle as rl
from referrals.referrals.services import routing
from referrals.referrals.services.routing import destination_for
from tiers.forms import add_service_errors
from tiers.roles import Capability
from tiers.selectors import organisation_list, policy_counties, user_reach

PARTNER_ACTIONS = {
    "accept": (rl.referral_accept, "note", _("已接收转介。")),
    "reject": (rl.referral_reject, "reason", _("已拒收转介。")),
    "update": (rl.referral_add_update, "note", _("已记录进展。")),
    "feedback": (rl.referral_feedback, "note", _("已反馈处理结果。")),
}
TOWN_ACTIONS = {
    "send": (rl.referral_send, None, _("转介已发送。")),
    "close": (rl.referral_close, "note", _("转介已办结。")),
    "revoke": (rl.referral_revoke, "reason", _("转介已撤回，对方已无法查看。")),
}


def _decorate(referral) -> None:
    referral.child_age = child_age(referral)
    referral.village = village_name(referral)


@login_required
@require_GET
def referral_list_view(request):
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    referrals = list(referral_list(user=request.user, filters=ReferralFilters(status=status))[:200])
    for referral in referrals:
        _decorate(referral)
    return render(
        request,
        "referrals/referrals/referral_list.html",
        {"referrals": referrals, "status": status, "statuses": ReferralStatus.choices, "current": "referral_list"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail_view(request, pk: int):
    referral = referral_get(user=request.user, pk=pk)
    town = is_town_view(user=request.user, referral=referral)
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        step = request.POST.get("action", "")
        actions = TOWN_ACTIONS if town else PARTNER_ACTIONS
        if step not in actions:
            raise PermissionDenied
        service, field, done = actions[step]
        if form.is_valid():
            kwargs = {field: form.cleaned_data["note"]} if field else {}
            try:
                service(actor=request.user, referral=referral, **kwargs)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                if step == "revoke":  # the partner no longer sees it; back to the case's referrals
                    return redirect("referral_case", case_pk=referral.case_id)
                return redirect("referral_detail", pk=pk)
        referral = referral_get(user=request.user, pk=pk)
    _decorate(referral)
    events = list(referral_history(referral=referral) if town else referral_updates(referral=referral))
    for event in events:
        event.label = rl.EVENT_LABELS.get(event.kind, event.kind)
    return render(
        request,
        "referrals/referrals/referral_detail.html",
        {"referral": referral, "town": town, "events": events, "form": form, "current": "referral_list"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_referrals_view(request, case_pk: int):
    """The case's referrals with their status, and a form to draft (and send) one: the "转介" section."""
    case = case_get(user=request.user, pk=case_pk)
    organisations = organisation_list(user=request.user).filter(is_active=True)
    form = ReferralDraftForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = rl.referral_create(
                actor=request.user,
                case=case,
                organisation=data["organisation"],
                reason=data["reason"],
                priority=data["priority"],
                town_contact=data["town_contact"],
            )
            if data["send_now"]:
                rl.referral_send(actor=request.user, referral=referral)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("转介已发送。") if data["send_now"] else _("已保存转介草稿。"))
            return redirect("referral_case", case_pk=case.pk)
    referrals = list(referral_list(user=request.user, filters=ReferralFilters(case_id=case.pk)))
    suggestions = list(
        ReferralSuggestion.objects.filter(minor=case.minor, status=ReferralSuggestion.Status.OPEN).select_related(
            "rule"
        )
    )
    in_force = {rule.pk: rule for rule in referral_rules_in_force(region=case.minor.region, active_only=False)}
    for suggestion in suggestions:
        suggestion.rule = in_force.get(suggestion.rule_id, suggestion.rule)
        suggestion.destination = destination_for(region=case.minor.region, kind=suggestion.rule.destination_kind)
    return render(
        request,
        "referrals/referrals/case_referrals.html",
        {
            "case": case,
            "referrals": referrals,
            "suggestions": suggestions,
            "form": form,
            "may_manage": user_reach(request.user, Capability.MANAGE_CASES).covers(case.minor.region.path),
            "current": "case_detail",
        },
    )


@login_required
@require_POST
def referral_send_view(request, pk: int):
    referral = referral_get(user=request.user, pk=pk)
    try:
        rl.referral_send(actor=request.user, referral=referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("转介已发送。"))
    return redirect("referral_case", case_pk=referral.case_id)


@login_required
@require_POST
def suggestion_decide_view(request, pk: int):
    """Confirm a rule's suggestion (a draft referral is created) or dismiss it with a reason."""
    suggestion = ReferralSuggestion.objects.filter(pk=pk).select_related("minor").first()
    if suggestion is None:
        raise Http404
    case = case_open_for_minor(minor=minor_get(user=request.user, pk=suggestion.minor_id))
    if case is None:
        raise Http404
    try:
        if request.POST.get("action") == "confirm":
            routing.suggestion_confirm(actor=request.user, suggestion=suggestion)
            messages.success(request, _("已按建议生成转介草稿，请核实后发送。"))
        else:
            routing.suggestion_decide(
                actor=request.user, suggestion=suggestion, confirm=False, note=request.POST.get("note", "")
            )
            messages.success(request, _("已记录不转介的理由。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("referral_case", case_pk=case.pk)


# --- a county's routing table (domain.md §6.1, §14.7) ----------------------------------------------


def _rules_county(request):
    counties = policy_counties(request.user)
    if not counties:
        raise PermissionDenied
    wanted = request.POST.get("county") or request.GET.get("county")
    if not wanted:
        return counties[0], counties
    for county in counties:
        if str(county.pk) == wanted:
            return county, counties
    raise Http404


def _rules_url(county) -> str:
    return f"{reverse('referral_rules')}?county={county.pk}"


def _rules_page(request, county, counties, *, bound=None):
    rows = []
    for rule in referral_rules_in_force(region=county, active_only=False):
        if bound is not None and bound[0] == rule.code:
            form = bound[1]
        else:
            form = ReferralRuleForm(initial=ReferralRuleForm.initial_for(rule), prefix=rule.code)
        rows.append({"rule": rule, "form": form})
    return render(
        request,
        "referrals/referrals/rules.html",
        {
            "county": county,
            "counties": counties,
            "rows": rows,
            "history": referral_rule_history(county=county),
            "current": "policy",
        },
    )


@login_required
@require_GET
def referral_rules_view(request):
    """The routing table as in force in the user's county, which rows are the county's own, and the
    history of rule changes; the county civil-affairs post changes its own county's routing here."""
    county, counties = _rules_county(request)
    return _rules_page(request, county, counties)


@login_required
@require_POST
def referral_rule_update_view(request, code: str):
    county, counties = _rules_county(request)
    form = ReferralRuleForm(request.POST, prefix=code)
    if form.is_valid():
        try:
            rule = routing.referral_rule_set(actor=request.user, county=county, code=code, **form.cleaned_data)
        except ValidationError as exc:
            if "code" in getattr(exc, "message_dict", {}):
                raise Http404 from None
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已保存%(county)s的转介规则%(code)s。") % {"county": county.name, "code": rule.code}
            )
            return redirect(f"{_rules_url(county)}#rule-{code}")
    return _rules_page(request, county, counties, bound=(code, form))


@login_required
@require_POST
def referral_rule_reset_view(request, code: str):
    county, _counties = _rules_county(request)
    try:
        reset = routing.referral_rule_reset(actor=request.user, county=county, code=code)
    except ValidationError:
        raise Http404 from None
    if reset:
        messages.success(
            request, _("%(county)s已恢复使用转介规则%(code)s的系统默认设置。") % {"county": county.name, "code": code}
        )
    return redirect(f"{_rules_url(county)}#rule-{code}")

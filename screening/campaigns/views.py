"""Web pages of screening campaigns (摸底排查, issue 12 §3): the list with the form to open one, a campaign's
progress per town and village, a village's list to confirm one tap per child (a phone is the usual screen),
and closing. Views parse input, call a selector or a service, and render; a campaign or child outside the
user's reach answers 404, a refused action 403 (ActionNotAllowed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.accesslog.services import access_kind
from cases.models import AccessLog
from cases.registry.selectors import category_names, minor_may_change
from cases.registry.views import records_required
from screening.campaigns import rules, selectors, services
from screening.campaigns.forms import CampaignOpenForm
from screening.campaigns.models import ItemOutcome
from tiers.forms import add_service_errors
from tiers.models import Region
from tiers.roles import Capability
from tiers.selectors import user_can, user_reach


@records_required
@require_http_methods(["GET", "POST"])
def campaign_list(request):
    may_open = user_can(request.user, Capability.RUN_CAMPAIGNS)
    form = CampaignOpenForm(request.POST or None, user=request.user) if may_open else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = services.campaign_open(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已开启%(name)s。") % {"name": campaign.name})
                return redirect("campaign_detail", pk=campaign.pk)
    campaigns = selectors.campaign_list(user=request.user)
    return render(request, "screening/campaigns/list.html", {"campaigns": campaigns, "form": form})


def _named(counts: dict[str, int]) -> list[tuple[str, int]]:
    names = category_names()
    return [(names.get(code, code), n) for code, n in sorted(counts.items(), key=lambda kv: -kv[1])]


@records_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    result = getattr(campaign, "result", None)
    rows = selectors.campaign_progress(user=request.user, campaign=campaign)
    return render(
        request,
        "screening/campaigns/detail.html",
        {
            "campaign": campaign,
            "towns": selectors.campaign_towns(rows),
            "totals": selectors.progress_totals(rows),
            "result": result,
            "new_by_category": _named(result.new_by_category if result else {}),
            "changed_by_category": _named(result.changed_by_category if result else {}),
            "may_close": campaign.is_open and services.may_run(user=request.user, region=campaign.region),
        },
    )


@access_kind(AccessLog.Action.LIST)
@records_required
@require_GET
def campaign_village(request, pk: int, village_pk: int):
    """A village's list: every child to confirm, one tap each (the child director's phone page)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    village = Region.objects.filter(pk=village_pk).first()
    if village is None:
        raise Http404
    items = list(selectors.campaign_item_list(user=request.user, campaign=campaign).filter(village=village))
    if not items and not user_reach(request.user, Capability.VIEW_RECORDS).covers(village.path):
        raise Http404
    confirm_reach = user_reach(request.user, Capability.CONFIRM_CAMPAIGN)
    change_reach = user_reach(request.user, Capability.CHANGE_RECORDS)
    for item in items:
        item.may_confirm = campaign.is_open and (
            confirm_reach.covers(item.village.path) or confirm_reach.covers(item.minor.region.path)
        )
        # Closing or moving the record is the registry's (CHANGE_RECORDS); a grid head reports the rest.
        item.may_change = change_reach.covers(item.minor.region.path)
    return render(
        request,
        "screening/campaigns/village.html",
        {
            "campaign": campaign,
            "village": village,
            "items": items,
            "pending": sum(1 for item in items if not item.outcome),
            "new_minors": list(selectors.campaign_new_minors(user=request.user, campaign=campaign, village=village)),
            "outcomes": ItemOutcome.choices,
            "closing_outcomes": list(rules.CLOSING_OUTCOMES),
            "registry_outcomes": [*rules.CLOSING_OUTCOMES, *rules.REGISTRY_PAGE_OUTCOMES],
            "register_url": f"{reverse('minor_create')}?campaign={campaign.pk}",
        },
    )


@require_POST
@records_required
def campaign_item_confirm(request, pk: int):
    item = selectors.campaign_item_get(user=request.user, pk=pk)
    back = reverse("campaign_village", args=[item.campaign_id, item.village_id])
    try:
        services.campaign_item_confirm(
            actor=request.user, item=item, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    outcome = request.POST["outcome"]
    messages.success(
        request, _("已确认%(name)s：%(outcome)s。") % {"name": item.minor.name, "outcome": ItemOutcome(outcome).label}
    )
    page = rules.REGISTRY_PAGE_OUTCOMES.get(outcome)
    if page is not None and minor_may_change(user=request.user, minor=item.minor):
        return redirect(page, pk=item.minor_id)
    return redirect(back)


@require_POST
@records_required
def campaign_close(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    try:
        services.campaign_close(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已结束%(name)s，本期数据已记录。") % {"name": campaign.name})
    return redirect("campaign_detail", pk=campaign.pk)

"""Landing page and the administrative tree (issue 2 §5).

The pages are about places but show registry aggregates (active minors, baseline population), so
they live in `cases`, which may read `tiers`; `tiers` itself depends on no other app (STYLE.md:
tiers ← cases ← screening, referrals ← reporting). No personal record is read in this module."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.forms import BaselineForm, add_service_errors
from cases.selectors import baseline_latest_by_region, baseline_list, minor_active_count, minor_counts_by_region
from cases.services.registry import RegistryPermissionDenied, baseline_record
from tiers.roles import Capability, Level
from tiers.selectors import (
    region_ancestors,
    region_children,
    region_get,
    region_list,
    region_may,
    user_can,
    user_posts,
)


@login_required
@require_GET
def home(request):
    user = request.user
    posts = user_posts(user)
    can_view_records = user_can(user, Capability.VIEW_RECORDS)
    can_view_aggregates = user_can(user, Capability.VIEW_AGGREGATES)
    counts = minor_counts_by_region(user=user, regions=[post.region for post in posts]) if can_view_aggregates else {}
    return render(
        request,
        "tiers/home.html",
        {
            "posts": [{"post": post, "active_count": counts.get(post.region.pk)} for post in posts],
            "can_view_records": can_view_records,
            "can_view_aggregates": can_view_aggregates,
            "active_count": minor_active_count(user=user) if can_view_records else None,
        },
    )


def _tree_rows(user, regions, top_depth: int) -> list[dict]:
    counts = minor_counts_by_region(user=user, regions=regions)
    baselines = baseline_latest_by_region(user=user, regions=[r for r in regions if r.level == Level.VILLAGE])
    return [
        {
            "region": region,
            "indent": region.depth - top_depth,
            "active_count": counts.get(region.pk, 0),
            "baseline": baselines.get(region.pk),
        }
        for region in regions
    ]


@login_required
@require_GET
def region_tree(request):
    if not user_can(request.user, Capability.VIEW_REGIONS):
        raise PermissionDenied
    regions = list(region_list(user=request.user))
    top_depth = min((r.depth for r in regions), default=0)
    return render(request, "tiers/region_tree.html", {"rows": _tree_rows(request.user, regions, top_depth)})


@login_required
@require_http_methods(["GET", "POST"])
def region_detail(request, pk: int):
    user = request.user
    region = region_get(user=user, pk=pk)
    may_record_baseline = region.level == Level.VILLAGE and region_may(
        user=user, region=region, capability=Capability.RECORD_BASELINE
    )
    form = None
    if may_record_baseline:
        form = BaselineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                baseline_record(actor=user, region=region, **form.cleaned_data)
            except RegistryPermissionDenied:
                raise PermissionDenied from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已填报%(name)s的未成年人底数。") % {"name": region.name})
                return redirect("region_detail", pk=region.pk)
    children = list(region_children(user=user, region=region))
    counts = minor_counts_by_region(user=user, regions=[region])
    latest = baseline_latest_by_region(user=user, regions=[region])
    return render(
        request,
        "tiers/region_detail.html",
        {
            "region": region,
            "breadcrumb": [
                {"region": unit, "linked": region_may(user=user, region=unit, capability=Capability.VIEW_REGIONS)}
                for unit in region_ancestors(region)
            ],
            "active_count": counts.get(region.pk, 0),
            "latest_baseline": latest.get(region.pk),
            "children": _tree_rows(user, children, region.depth + 1),
            "baselines": baseline_list(user=user, region=region) if region.level == Level.VILLAGE else None,
            "form": form,
            "can_view_records": region_may(user=user, region=region, capability=Capability.VIEW_RECORDS),
        },
    )

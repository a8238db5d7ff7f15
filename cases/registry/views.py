"""Web pages of the registry (issue 2 §5). Each view parses input, calls a selector or a service,
and renders; who may see or change what is decided in cases.registry.selectors and cases.registry.services.

A record outside the user's reach answers 404 (STYLE.md rule 3). A user whose posts give no access
to personal records at all (leadership viewers, partner departments) gets 403 on every page here:
the answer is the same for every address, so it reveals nothing about any record.

The landing page and the administrative tree are here too: they are about places but show registry
aggregates (active minors, baseline population), so they live in the registry, which may read `tiers`;
`tiers` itself depends on no other app (STYLE.md: tiers ← cases ← screening, referrals ← reporting).
No personal record is read by them."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.accesslog.services import access_kind
from cases.models import AccessLog, Minor
from cases.registry import selectors
from cases.registry import services as registry
from cases.registry.forms import (
    BaselineForm,
    CloseForm,
    MinorForm,
    MoveForm,
    RegistryErrors,
    ReopenForm,
    apply_registry_errors,
    guardian_formset,
    minor_filter_form,
)
from cases.registry.selectors import (
    baseline_latest_by_region,
    baseline_list,
    minor_active_count,
    minor_counts_by_region,
)
from tiers.forms import add_service_errors
from tiers.roles import Capability, Level
from tiers.selectors import (
    region_ancestors,
    region_children,
    region_choices_for_move,
    region_choices_for_registration,
    region_get,
    region_list,
    region_may,
    user_can,
    user_posts,
)

PAGE_SIZE = 25
ACCESS_LOG_PAGE_SIZE = 50


def records_required(view):
    """Login, and a post that lets the user see personal records somewhere."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_can(request.user, Capability.VIEW_RECORDS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _changeable_minor(request, pk: int) -> Minor:
    """The record if the user may change it; 404 outside their reach, 403 if they may only read it."""
    minor = selectors.minor_get(user=request.user, pk=pk)
    if not selectors.minor_may_change(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


@records_required
@require_GET
def registry_list(request):
    form = minor_filter_form(request.GET, user=request.user)
    minors = selectors.minor_list(user=request.user, filters=form.filters())
    page = Paginator(minors, PAGE_SIZE).get_page(request.GET.get("page"))
    may_register = user_can(request.user, Capability.CHANGE_RECORDS)
    return render(request, "cases/registry/minor_list.html", {"form": form, "page": page, "may_register": may_register})


@records_required
@require_GET
def minor_detail(request, pk: int):
    minor = selectors.minor_get(user=request.user, pk=pk)
    return render(
        request,
        "cases/registry/minor_detail.html",
        {
            "minor": minor,
            "history": selectors.minor_history(user=request.user, minor=minor),
            "category_names": selectors.category_names(),
            "may_change": selectors.minor_may_change(user=request.user, minor=minor),
        },
    )


@records_required
@require_http_methods(["GET", "POST"])
def minor_create(request):
    regions = region_choices_for_registration(user=request.user)
    if not regions.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = MinorForm(data, categories=selectors.category_list(), regions=regions)
    formset = guardian_formset(data)
    errors = RegistryErrors()
    if data is not None:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                minor = registry.minor_register(
                    actor=request.user,
                    region=form.cleaned_data["region"],
                    data=form.minor_data(),
                    guardians=formset.payload(),
                    categories=form.category_choices(),
                    confirm_possible_duplicate=form.cleaned_data["confirm_possible_duplicate"],
                )
            except ValidationError as exc:
                errors = apply_registry_errors(form, exc)
            else:
                messages.success(request, _("已登记未成年人：%(name)s。") % {"name": minor.name})
                return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "cases/registry/minor_form.html",
        {"form": form, "formset": formset, "errors": errors, "minor": None, "title": _("登记未成年人")},
    )


@records_required
@require_http_methods(["GET", "POST"])
@access_kind(AccessLog.Action.FORM)  # the form shows the whole record: a read, logged as a form
def minor_edit(request, pk: int):
    minor = _changeable_minor(request, pk)
    data = request.POST if request.method == "POST" else None
    form = MinorForm(data, categories=selectors.category_list(), initial=MinorForm.initial_for(minor))
    formset = guardian_formset(data, guardians=list(minor.guardians.all()))
    errors = RegistryErrors()
    if data is not None:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                registry.minor_update(
                    actor=request.user,
                    minor=minor,
                    data=form.minor_data(),
                    guardians=formset.payload(),
                    categories=form.category_choices(),
                    confirm_possible_duplicate=form.cleaned_data["confirm_possible_duplicate"],
                )
            except ValidationError as exc:
                errors = apply_registry_errors(form, exc)
            else:
                messages.success(request, _("已保存修改。"))
                return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "cases/registry/minor_form.html",
        {"form": form, "formset": formset, "errors": errors, "minor": minor, "title": _("修改档案")},
    )


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def minor_move(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        regions=region_choices_for_move(user=request.user, region=minor.region),
        home=minor.region,
    )
    if request.method == "POST" and form.is_valid():
        from cases.privacy.moves.services import is_cross_county, move_request_create

        region = form.cleaned_data["region"]
        try:
            if is_cross_county(minor=minor, region=region):
                move_request = move_request_create(
                    actor=request.user, minor=minor, region=region, note=form.cleaned_data["note"]
                )
                moved = None
            else:
                moved = registry.minor_move(
                    actor=request.user, minor=minor, region=region, note=form.cleaned_data["note"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if moved is None:
                messages.success(request, _("已提交跨区县迁移申请，待迁入地区县民政部门接收后迁移；接收前档案不变。"))
                return redirect("privacy_moves_detail", pk=move_request.pk)
            if selectors.minor_may_view(user=request.user, minor=moved):
                messages.success(request, _("已迁移居住地。"))
                return redirect("minor_detail", pk=moved.pk)
            messages.success(
                request,
                _("%(name)s的档案已迁移并移交迁入地工作人员，您不再能查看该档案。") % {"name": moved.name},
            )
            return redirect("registry_list")
    return render(request, "cases/registry/minor_move.html", {"minor": minor, "form": form})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def minor_close(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registry.minor_close(
                actor=request.user, minor=minor, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已销档。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "cases/registry/minor_close.html", {"minor": minor, "form": form})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def minor_reopen(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registry.minor_reopen(actor=request.user, minor=minor, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已恢复在册。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "cases/registry/minor_reopen.html", {"minor": minor, "form": form})


@records_required
@require_GET
def minor_access_log(request, pk: int):
    minor = _changeable_minor(request, pk)
    entries = selectors.access_log_list(user=request.user, minor=minor)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/registry/minor_access_log.html", {"minor": minor, "page": page})


# --- the landing page and the administrative tree (issue 2 §5) ----------------------------------------


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
        "cases/registry/home.html",
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
    return render(request, "cases/registry/region_tree.html", {"rows": _tree_rows(request.user, regions, top_depth)})


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
                registry.baseline_record(actor=user, region=region, **form.cleaned_data)
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
        "cases/registry/region_detail.html",
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

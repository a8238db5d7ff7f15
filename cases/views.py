"""Web pages of the registry (issue 2 §5). Each view parses input, calls a selector or a service,
and renders; who may see or change what is decided in cases.selectors and cases.services.

A record outside the user's reach answers 404 (STYLE.md rule 3). A user whose posts give no access
to personal records at all (leadership viewers, partner departments) gets 403 on every page here:
the answer is the same for every address, so it reveals nothing about any record."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import selectors
from cases.accesslog.services import access_kind
from cases.forms import (
    CloseForm,
    MinorForm,
    MoveForm,
    RegistryErrors,
    ReopenForm,
    add_service_errors,
    apply_registry_errors,
    guardian_formset,
    minor_filter_form,
)
from cases.models import AccessLog, Minor
from cases.services import registry
from tiers.roles import Capability
from tiers.selectors import region_choices_for_move, region_choices_for_registration, user_can

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
    return render(request, "cases/minor_list.html", {"form": form, "page": page, "may_register": may_register})


@records_required
@require_GET
def minor_detail(request, pk: int):
    minor = selectors.minor_get(user=request.user, pk=pk)
    return render(
        request,
        "cases/minor_detail.html",
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
        "cases/minor_form.html",
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
            except registry.RegistryPermissionDenied:
                raise PermissionDenied from None
            except ValidationError as exc:
                errors = apply_registry_errors(form, exc)
            else:
                messages.success(request, _("已保存修改。"))
                return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "cases/minor_form.html",
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
        except registry.RegistryPermissionDenied:
            raise PermissionDenied from None
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
    return render(request, "cases/minor_move.html", {"minor": minor, "form": form})


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
        except registry.RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已销档。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "cases/minor_close.html", {"minor": minor, "form": form})


@access_kind(AccessLog.Action.FORM)
@records_required
@require_http_methods(["GET", "POST"])
def minor_reopen(request, pk: int):
    minor = _changeable_minor(request, pk)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registry.minor_reopen(actor=request.user, minor=minor, note=form.cleaned_data["note"])
        except registry.RegistryPermissionDenied:
            raise PermissionDenied from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已恢复在册。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(request, "cases/minor_reopen.html", {"minor": minor, "form": form})


@records_required
@require_GET
def minor_access_log(request, pk: int):
    minor = _changeable_minor(request, pk)
    entries = selectors.access_log_list(user=request.user, minor=minor)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/minor_access_log.html", {"minor": minor, "page": page})

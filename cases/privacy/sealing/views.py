"""The sealing pages under /privacy/ (issue 10 §3): the town office head seals or unseals a record from the
record page; a sealing document is served only to VIEW_SEALED holders of the child's subtree, and logged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.accesslog.services import access_kind
from cases.models import AccessLog
from cases.privacy.sealing import selectors, services
from cases.privacy.sealing.forms import SealForm, UnsealForm
from cases.registry.selectors import minor_get
from tiers.forms import add_service_errors


def _sealable_minor(request, pk: int):
    minor = minor_get(user=request.user, pk=pk)
    if not services.minor_may_seal(user=request.user, minor=minor):
        raise PermissionDenied
    return minor


def _seal_page(request, pk: int, *, sealing: bool):
    minor = _sealable_minor(request, pk)
    form_class = SealForm if sealing else UnsealForm
    form = form_class(request.POST or None, request.FILES or None) if request.method == "POST" else form_class()
    if request.method == "POST" and form.is_valid():
        try:
            if sealing:
                services.minor_seal(
                    actor=request.user,
                    minor=minor,
                    reason=form.cleaned_data["reason"],
                    document=form.cleaned_data.get("document"),
                )
            else:
                services.minor_unseal(actor=request.user, minor=minor, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已封存。") if sealing else _("已解除封存。"))
            return redirect("minor_detail", pk=minor.pk)
    return render(
        request,
        "cases/privacy/seal_form.html",
        {"minor": minor, "form": form, "sealing": sealing, "events": selectors.seal_events(minor=minor)},
    )


@login_required
@access_kind(AccessLog.Action.FORM)
@require_http_methods(["GET", "POST"])
def minor_seal(request, pk: int):
    return _seal_page(request, pk, sealing=True)


@login_required
@access_kind(AccessLog.Action.FORM)
@require_http_methods(["GET", "POST"])
def minor_unseal(request, pk: int):
    return _seal_page(request, pk, sealing=False)


@login_required
@access_kind(AccessLog.Action.VIEW)
@require_GET
def seal_document(request, event_id: int):
    """The document behind a sealing (a court's notice): VIEW_SEALED holders only; the read is logged
    (the record is loaded to check access, so the request's access log notes it)."""
    event = selectors.seal_document_get(user=request.user, event_id=event_id)
    name = event.document.name.rsplit("/", 1)[-1]
    return FileResponse(event.document.open("rb"), as_attachment=True, filename=name)

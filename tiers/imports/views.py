"""The admin's upload page for the tree and staff sheets (issue 12 §2), linked from the Region list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from tiers.imports.forms import SheetUploadForm
from tiers.imports.services import regions_import, staff_import


def _may_import(user, kind: str) -> bool:
    if kind == "regions":
        return user.has_perm("tiers.add_region") and user.has_perm("tiers.change_region")
    return user.has_perm("tiers.add_staffpost") and user.has_perm("auth.add_user")


def sheet_import(request, admin_site):
    """Upload a sheet; show its row errors (nothing saved) or what was created, and the new users' one-time
    passwords once (they are not stored in clear and cannot be shown again)."""
    if not (_may_import(request.user, "regions") or _may_import(request.user, "staff")):
        raise PermissionDenied
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    result = None
    kind = None
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if not _may_import(request.user, kind):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        service = regions_import if kind == "regions" else staff_import
        result = service(actor=request.user, content=upload.read(), filename=upload.name)
    context = {
        **admin_site.each_context(request),
        "title": _("导入行政区划和工作人员"),
        "form": form,
        "kind": kind,
        "result": result,
    }
    response = TemplateResponse(request, "admin/tiers/region/import.html", context)
    response["Cache-Control"] = "no-store"  # the page may carry one-time passwords
    return response

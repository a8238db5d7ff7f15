"""Pages of the ledger import (issue 12 §1): upload → preview (a dry run, with the counts, the refused rows
and a mapping of unknown words) → commit; the batches a town can read back; the refused rows as .xlsx.
Who may import where is decided by the selectors (IMPORT_LEDGER); another town's batch answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.imports import rules, selectors, services
from cases.imports.forms import LedgerMappingForm, LedgerUploadForm
from tiers.roles import Capability
from tiers.selectors import user_can

PREVIEW_ROWS = 200


def _import_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not user_can(request.user, Capability.IMPORT_LEDGER):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_import_required
@require_http_methods(["GET", "POST"])
def ledger_import_upload(request):
    towns = selectors.import_towns(user=request.user)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, towns=towns)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.ledger_preview_start(
                actor=request.user, town=form.cleaned_data["town"], upload=upload, file_name=upload.name
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("ledger_import_preview", pk=batch.pk)
    return render(
        request,
        "cases/imports/upload.html",
        {"form": form, "columns": rules.COLUMNS, "recent": selectors.import_batch_list(user=request.user)[:5]},
    )


@_import_required
@require_GET
def ledger_import_list(request):
    page = Paginator(selectors.import_batch_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "cases/imports/list.html", {"page": page})


@_import_required
@require_GET
def ledger_import_preview(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    mapping_form = LedgerMappingForm(unknown=batch.unknown_words) if batch.may_commit else None
    return render(
        request,
        "cases/imports/preview.html",
        {
            "batch": batch,
            "rejected": batch.rejected_rows[:PREVIEW_ROWS],
            "more_rejected": max(0, len(batch.rejected_rows) - PREVIEW_ROWS),
            "mapping_form": mapping_form,
        },
    )


@_import_required
@require_GET
def ledger_import_progress(request, pk: int):
    """The progress partial of a batch a worker runs, polled by htmx every 2 s; once the job is over the
    whole page reloads to show the counts, the refused rows and the commit button."""
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    response = render(request, "cases/imports/_progress.html", {"batch": batch})
    if request.headers.get("HX-Request") and not batch.job_in_progress:
        response["HX-Refresh"] = "true"
    return response


@_import_required
@require_POST
def ledger_import_mapping(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    form = LedgerMappingForm(request.POST, unknown=batch.unknown_words)
    if not form.is_valid() or not form.chosen():
        messages.error(request, _("请至少为一个用语选择对应项。"))
        return redirect("ledger_import_preview", pk=batch.pk)
    try:
        for kind, word, value in form.chosen():
            services.ledger_mapping_save(actor=request.user, town=batch.town, kind=kind, word=word, value=value)
        batch = services.ledger_preview_refresh_start(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if batch.job_in_progress:
            messages.success(request, _("对照已保存（本乡镇以后的台账也按此识别），正在后台重新预览。"))
        else:
            messages.success(request, _("对照已保存（本乡镇以后的台账也按此识别），预览已更新。"))
    return redirect("ledger_import_preview", pk=batch.pk)


@_import_required
@require_POST
def ledger_import_commit(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    try:
        batch = services.ledger_commit_start(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if batch.job_in_progress:
            messages.info(request, _("文件较大，正在后台导入；完成后会通知您，也可留在本页查看进度。"))
            return redirect("ledger_import_preview", pk=batch.pk)
        messages.success(
            request,
            _("导入完成：新增%(c)d人，更新%(u)d人，未变化%(n)d人，拒收%(r)d行。")
            % {
                "c": batch.created_count,
                "u": batch.updated_count,
                "n": batch.unchanged_count,
                "r": batch.rejected_count,
            },
        )
    return redirect("ledger_import_preview", pk=batch.pk)


@_import_required
@require_GET
def ledger_import_rejected(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    # The refused rows are the uploader's own file, but a row refused as a duplicate names a registered
    # child: the download is an export of those records (issue 10 §1).
    from cases.accesslog.services import access_log_record_many
    from cases.models import AccessLog, Minor

    id_numbers = {
        str(value).strip().upper()
        for row in batch.rejected_rows
        for value in row.get("values", [])
        if isinstance(value, str) and len(value.strip()) == 18
    }
    if id_numbers:
        access_log_record_many(
            user=request.user,
            action=AccessLog.Action.EXPORT,
            channel=AccessLog.Channel.WEB,
            minors=list(Minor.objects.filter(id_number__in=id_numbers).values_list("pk", flat=True)),
            request=request,
            detail={"import_batch": batch.pk},
        )
    response = HttpResponse(
        services.rejected_rows_workbook(batch),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stem = batch.file_name.rsplit(".", 1)[0]
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem + '-拒收行.xlsx')}"
    return response

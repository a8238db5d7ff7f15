"""The import's services (issue 12 §1): the dry run that records a PREVIEWED batch, its refresh, and the
atomic, idempotent commit (all accepted rows or none; the same file again creates nothing)."""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.accesslog.recorder import access_suspended
from cases.imports.models import ImportBatch
from cases.imports.services.access import _require_import
from cases.imports.services.errors import LedgerFileError
from cases.imports.services.header import Header
from cases.imports.services.matching import Plan
from cases.imports.services.parsed import RowStore, stored_rows
from cases.imports.services.pipeline import run_import, run_stored
from cases.imports.services.reading import _read_upload, _stored_name
from tiers.models import Region


def _store_outcome(batch: ImportBatch, plan: Plan, header: Header) -> None:
    batch.total_rows = plan.total
    batch.created_count = plan.created
    batch.updated_count = plan.updated
    batch.unchanged_count = plan.unchanged
    batch.rejected_count = len(plan.rejected)
    batch.rejected_rows = plan.rejected
    batch.headers = header.cells
    batch.header_row = header.row
    batch.unknown_words = plan.unknown


def ledger_preview(
    *, actor, town: Region, upload: IO[bytes] | bytes, file_name: str, mapping: dict | None = None
) -> ImportBatch:
    """Dry run (issue 12 §1, "dry run first"): read and check the file and record what a commit would do
    as a PREVIEWED batch, keeping the file for the commit. Nothing in the registry changes. A file that
    is bad as a whole raises LedgerFileError and leaves no batch."""
    _require_import(actor, town)
    data = _read_upload(upload)
    keep = RowStore()
    try:
        with access_suspended(), transaction.atomic():
            plan, header = run_import(
                actor=actor, town=town, data=data, file_name=file_name, commit=False, mapping=mapping, keep=keep
            )
            batch = ImportBatch(
                town=town,
                file_name=file_name[:255],
                file_sha256=hashlib.sha256(data).hexdigest(),
                created_by=actor,
            )
            _store_outcome(batch, plan, header)
            batch.file.save(_stored_name(file_name), ContentFile(data), save=False)
            keep.save_on(batch)
            batch.save()
    except BaseException:
        keep.discard()
        raise
    return batch


def ledger_preview_refresh(*, actor, batch: ImportBatch) -> ImportBatch:
    """Run the dry run of a previewed batch again (after the town mapped unknown words)."""
    _require_import(actor, batch.town)
    if batch.status != ImportBatch.Status.PREVIEWED or batch.job_in_progress:
        raise ValidationError(_("该批次已导入，不能再预览。"), code="not_previewed")
    return _dry_run_again(actor=actor, batch=batch)


def _dry_run_again(*, actor, batch: ImportBatch, progress=None) -> ImportBatch:
    """The dry run of a stored batch's file, its outcome saved on the batch (the page's refresh and the
    worker's dry run). The batch row is locked only at the end, so a worker's progress can be written
    meanwhile (cases.imports.services.jobs)."""
    with batch.file.open("rb") as handle:
        data = handle.read()
    keep = RowStore()
    try:
        with access_suspended(), transaction.atomic():
            plan, header = run_import(
                actor=actor,
                town=batch.town,
                data=data,
                file_name=batch.file_name,
                commit=False,
                progress=progress,
                keep=keep,
            )
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _store_outcome(locked, plan, header)
            _forget_parsed_rows(locked)
            keep.save_on(locked)
            locked.save()
    except BaseException:
        keep.discard()
        raise
    return locked


def _forget_parsed_rows(batch: ImportBatch) -> None:
    """Drop the batch's kept rows (a new dry run keeps its own; a commit needs them no more)."""
    if batch.parsed_rows:
        storage, name = batch.parsed_rows.storage, batch.parsed_rows.name
        transaction.on_commit(lambda: storage.delete(name))
    batch.parsed_rows = ""
    batch.parsed_rows_digest = ""


def ledger_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Commit a previewed batch (issue 12 §1): all accepted rows in one transaction, or none if anything
    fails; the same file again creates nothing (rows match by ID number, or name + birth date + village);
    changed rows go through minor_update/minor_move with the file named in their history."""
    _require_import(actor, batch.town)
    with batch.file.open("rb") as handle:
        data = handle.read()
    return _commit(actor=actor, batch=batch, data=data, mapping=None)


def _commit(
    *, actor, batch: ImportBatch, data: bytes, mapping: dict | None, progress=None, by_worker: bool = False
) -> ImportBatch:
    """The commit's one transaction. In the request it locks the batch first; a worker's run (by_worker)
    holds the batch as RUNNING instead (taken under a lock by jobs.ledger_batch_run) and locks the row
    only to write the outcome, so its progress can be written from another connection meanwhile."""
    try:
        with access_suspended(), transaction.atomic():
            if by_worker:
                locked = ImportBatch.objects.get(pk=batch.pk)
                if locked.status != ImportBatch.Status.PREVIEWED:
                    raise ValidationError(_("该批次已经导入过了。"), code="already_committed")
            else:
                locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
                if locked.status != ImportBatch.Status.PREVIEWED:
                    raise ValidationError(_("该批次已经导入过了。"), code="already_committed")
                if locked.job_in_progress:
                    raise ValidationError(_("该批次正在后台处理，请稍候。"), code="job_in_progress")
            stored = stored_rows(locked)
            if stored is not None:
                # The dry run's checked rows, matched again with the registry as it is now.
                header, chunks = stored
                plan, header = run_stored(
                    actor=actor,
                    town=locked.town,
                    header=header,
                    chunks=chunks,
                    file_name=locked.file_name,
                    progress=progress,
                )
            else:
                plan, header = run_import(
                    actor=actor,
                    town=locked.town,
                    data=data,
                    file_name=locked.file_name,
                    commit=True,
                    mapping=mapping,
                    progress=progress,
                )
            if by_worker:
                locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
                if locked.status != ImportBatch.Status.PREVIEWED:
                    raise ValidationError(_("该批次已经导入过了。"), code="already_committed")
            _store_outcome(locked, plan, header)
            _forget_parsed_rows(locked)
            locked.status = ImportBatch.Status.COMMITTED
            locked.committed_at = timezone.now()
            locked.save()
    except IntegrityError:
        # Someone registered one of these children meanwhile: nothing of the file is saved.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.FAILED,
            message=_("导入时有记录被他人同时登记，本次未保存任何数据，请重新预览后导入。"),
        )
        raise LedgerFileError(
            _("导入时有记录被他人同时登记，本次未保存任何数据，请重新预览后导入。"), code="conflict"
        ) from None
    return locked


def ledger_import(
    *, actor, town: Region, upload: IO[bytes] | bytes, file_name: str, dry_run: bool, mapping: dict | None = None
) -> ImportBatch:
    """The command line's one step: a dry run, and unless `dry_run` the commit of the same bytes."""
    data = _read_upload(upload)
    batch = ledger_preview(actor=actor, town=town, upload=data, file_name=file_name, mapping=mapping)
    if dry_run:
        return batch
    return _commit(actor=actor, batch=batch, data=data, mapping=mapping)

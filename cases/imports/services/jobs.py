"""Large ledgers in a worker (issue 12 §1, "large files run in Celery with a progress bar"): above
cases.imports.rules.import_sync_rows() the dry run and the commit are queued on the batch (job_step,
job_status QUEUED → RUNNING → DONE or FAILED) and run by cases.imports.tasks.run_ledger_import, which
writes the rows done after every chunk (progress_rows) for the page's progress bar and notifies the
importer when it is over. Running the task twice does nothing the second time: only a QUEUED batch is
taken, under its row lock, and a commit checks the batch is still uncommitted."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.imports.models import ImportBatch, JobStatus, JobStep
from cases.imports.rules import import_sync_rows
from cases.imports.services.access import _require_import
from cases.imports.services.commit import _commit, _dry_run_again, ledger_commit, ledger_preview, ledger_preview_refresh
from cases.imports.services.reading import _read_upload, _stored_name, estimate_rows
from tiers.errors import ActionNotAllowed
from tiers.models import Region

logger = logging.getLogger(__name__)


def ledger_preview_start(*, actor, town: Region, upload: IO[bytes] | bytes, file_name: str) -> ImportBatch:
    """The page's upload (issue 12 §1, "dry run first"): a file of up to import_sync_rows() rows is
    previewed at once (ledger_preview); a larger one becomes a batch QUEUED for its dry run, which a
    worker runs after this transaction commits. A file that is bad as a whole raises LedgerFileError."""
    _require_import(actor, town)
    data = _read_upload(upload)
    expected = estimate_rows(data, file_name)
    if expected <= import_sync_rows():
        return ledger_preview(actor=actor, town=town, upload=data, file_name=file_name)
    with transaction.atomic():
        batch = ImportBatch(
            town=town,
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            created_by=actor,
            job_step=JobStep.DRY_RUN,
            job_status=JobStatus.QUEUED,
            expected_rows=expected,
        )
        batch.file.save(_stored_name(file_name), ContentFile(data), save=False)
        batch.save()
        _enqueue(batch.pk)
    return batch


def ledger_preview_refresh_start(*, actor, batch: ImportBatch) -> ImportBatch:
    """The dry run again after a mapping: in the request for a small file, queued for a large one."""
    if batch.total_rows <= import_sync_rows():
        return ledger_preview_refresh(actor=actor, batch=batch)
    return _queue(actor=actor, batch=batch, step=JobStep.DRY_RUN)


def ledger_commit_start(*, actor, batch: ImportBatch) -> ImportBatch:
    """Commit a previewed batch: in the request for a small file (ledger_commit), queued for a large one;
    the commit itself is the same one transaction either way."""
    if batch.total_rows <= import_sync_rows():
        return ledger_commit(actor=actor, batch=batch)
    return _queue(actor=actor, batch=batch, step=JobStep.COMMIT)


def _queue(*, actor, batch: ImportBatch, step: str) -> ImportBatch:
    _require_import(actor, batch.town)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEWED:
            raise ValidationError(_("该批次已经导入过了。"), code="already_committed")
        if locked.job_in_progress:
            raise ValidationError(_("该批次正在后台处理，请稍候。"), code="job_in_progress")
        locked.job_step = step
        locked.job_status = JobStatus.QUEUED
        locked.progress_rows = 0
        locked.expected_rows = locked.total_rows
        locked.message = ""
        locked.save(update_fields=["job_step", "job_status", "progress_rows", "expected_rows", "message"])
        _enqueue(locked.pk)
    return locked


def _enqueue(batch_id: int) -> None:
    from cases.imports.tasks import run_ledger_import

    transaction.on_commit(lambda: run_ledger_import.delay(batch_id))


def ledger_batch_run(*, batch_id: int) -> ImportBatch | None:
    """Run a queued batch's step (the Celery task's body). Returns the batch as this run left it, or None
    when it does not exist; a batch not QUEUED (running elsewhere, done, failed) is left as it is."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("town", "created_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.job_status != JobStatus.QUEUED:
            return batch
        batch.job_status = JobStatus.RUNNING
        batch.save(update_fields=["job_status"])
    # RUNNING is committed now: the polling page shows it, and no second run takes the batch.
    actor = batch.created_by
    progress, close = _progress_writer(batch.pk)
    try:
        _require_import(actor, batch.town)
        if batch.job_step == JobStep.COMMIT:
            with batch.file.open("rb") as handle:
                data = handle.read()
            _commit(actor=actor, batch=batch, data=data, mapping=None, progress=progress, by_worker=True)
        else:
            _dry_run_again(actor=actor, batch=batch, progress=progress)
    except Exception as exc:  # the failure is the batch's, shown on its page; the worker goes on
        if isinstance(exc, ValidationError):
            message = "；".join(exc.messages)
        elif isinstance(exc, ActionNotAllowed):
            message = _("导入人的岗位已不能导入该乡镇的台账，本次未保存任何数据。")
        else:
            logger.exception("ledger import %s failed", batch_id)
            message = _("处理失败（%(error)s），本次未保存任何数据。请重新上传；如仍失败请联系系统管理员。") % {
                "error": type(exc).__name__
            }
        return _finish(batch_id, failed=message)
    finally:
        close()
    return _finish(batch_id)


def _finish(batch_id: int, *, failed: str = "") -> ImportBatch:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        batch.job_status = JobStatus.FAILED if failed else JobStatus.DONE
        if failed:
            batch.status = ImportBatch.Status.FAILED
            batch.message = failed[:2000]
        else:
            batch.progress_rows = batch.total_rows
        batch.save(update_fields=["job_status", "status", "message", "progress_rows"])
        committed = batch.job_step == JobStep.COMMIT
        if failed:
            title = _("台账导入失败") if committed else _("台账预览失败")
            body = failed[:500]
        elif committed:
            title = _("台账导入已完成")
            body = _("%(file)s：新增%(c)d人，更新%(u)d人，未变化%(n)d人，拒收%(r)d行。") % {
                "file": batch.file_name,
                "c": batch.created_count,
                "u": batch.updated_count,
                "n": batch.unchanged_count,
                "r": batch.rejected_count,
            }
        else:
            title = _("台账预览已完成")
            body = _("%(file)s：将新增%(c)d人，将更新%(u)d人，拒收%(r)d行。请核对后确认导入。") % {
                "file": batch.file_name,
                "c": batch.created_count,
                "u": batch.updated_count,
                "r": batch.rejected_count,
            }
        from cases.alerts.services import notify

        notify(
            user_ids=[batch.created_by_id],
            title=title,
            body=body,
            url=reverse("ledger_import_preview", args=[batch.pk]),
        )
    return batch


def _progress_writer(batch_id: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A callback writing the rows done so far, and its closer. The dry run and the commit each run in one
    transaction, whose writes no one sees before it ends: on PostgreSQL the counter is written through a
    second connection of its own (autocommit), so the page sees it move; elsewhere it is not written."""
    if connection.vendor != "postgresql":
        return (lambda rows: None), (lambda: None)
    side = connections.create_connection("default")

    def write(rows: int) -> None:
        try:
            with side.cursor() as cursor:
                cursor.execute("UPDATE cases_importbatch SET progress_rows = %s WHERE id = %s", [rows, batch_id])
        except Exception:  # a progress bar that stands still is no reason to fail the import
            logger.warning("ledger import %s: progress not written", batch_id, exc_info=True)

    return write, side.close

"""The ledger import's worker (issue 12 §1): a large file's dry run or commit, by batch id."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="cases.imports.tasks.run_ledger_import")
def run_ledger_import(batch_id: int) -> str | None:
    """Run a queued import batch's step. Safe to run twice: only a QUEUED batch is taken (under its row
    lock), so a commit that already ran does nothing the second time."""
    from cases.imports.services.jobs import ledger_batch_run

    batch = ledger_batch_run(batch_id=batch_id)
    return None if batch is None else batch.job_status

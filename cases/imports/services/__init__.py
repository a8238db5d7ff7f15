"""Ledger import (issue 12 §1): a town's Excel ledger (台账) read as it is, normalised, checked row by row
with the registration form's rules (cases.registry.services), previewed, then committed at once.

The pipeline streams: openpyxl in read-only mode (or csv) yields the sheet's rows, which are normalised
and checked a chunk at a time; each chunk's matches in the registry are looked up in a few queries and
new children are written with bulk inserts, so time and memory stay flat in the size of the file
(bench/ledger_import.py). Changed children go through `minor_update` / `minor_move` one by one, so
their history reads like any other change, noted "导入 <file name>" (registry_source).

Rules: categories are multi-valued (domain.md §2.2); under 18 (§10.3); no ID number needs a reason
(§2.2 UNREGISTERED); the grade becomes an assessment of kind IMPORTED by the importer (§3.1). The import's
own thresholds and word lists are in cases.imports.rules.

The modules, by step: reading (the file), header (finding it), text and normalise (cells into registry
inputs), synonyms (what words mean; the town's mappings), validation (the registry's rules, duplicates in
the file), matching (registered children, the plan), writing (bulk creates, updates), pipeline (the steps
a chunk at a time), commit (dry run, atomic idempotent commit), rejected (the refused rows' workbook), jobs (large files in a worker, with progress).
"""

from cases.imports.services.commit import (
    ledger_commit,
    ledger_import,
    ledger_preview,
    ledger_preview_refresh,
)
from cases.imports.services.errors import ImportPermissionDenied, LedgerFileError
from cases.imports.services.header import Header, find_header
from cases.imports.services.jobs import (
    ledger_batch_run,
    ledger_commit_start,
    ledger_preview_refresh_start,
    ledger_preview_start,
)
from cases.imports.services.matching import Plan, Update
from cases.imports.services.normalise import (
    LedgerRow,
    Places,
    RowError,
    normalise_date,
    normalise_id,
    normalise_row,
    split_words,
)
from cases.imports.services.pipeline import run_import
from cases.imports.services.reading import read_sheet
from cases.imports.services.rejected import rejected_rows_workbook
from cases.imports.services.synonyms import Vocabulary, ledger_mapping_save, mapping_targets, vocabulary_for
from cases.imports.services.text import word_key
from cases.imports.services.validation import check_row

__all__ = [
    "Header",
    "ImportPermissionDenied",
    "LedgerFileError",
    "LedgerRow",
    "Places",
    "Plan",
    "RowError",
    "Update",
    "Vocabulary",
    "check_row",
    "find_header",
    "ledger_batch_run",
    "ledger_commit",
    "ledger_commit_start",
    "ledger_import",
    "ledger_mapping_save",
    "ledger_preview",
    "ledger_preview_refresh",
    "ledger_preview_refresh_start",
    "ledger_preview_start",
    "mapping_targets",
    "normalise_date",
    "normalise_id",
    "normalise_row",
    "read_sheet",
    "rejected_rows_workbook",
    "run_import",
    "split_words",
    "vocabulary_for",
    "word_key",
]

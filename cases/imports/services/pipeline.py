"""The import's pipeline (issue 12 §1): read, find the header, normalise, check and (with `commit`) write, a
chunk at a time, so time and memory stay flat in the size of the file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from cases.imports.models import SynonymKind
from cases.imports.rules import HEADER_SCAN_ROWS
from cases.imports.services.errors import LedgerFileError
from cases.imports.services.header import Header, find_header
from cases.imports.services.matching import Plan, Update, _existing_for, _match, _merge, _reject
from cases.imports.services.normalise import LedgerRow, Places, _data_row
from cases.imports.services.parsed import RowStore
from cases.imports.services.reading import read_sheet
from cases.imports.services.synonyms import _extra_map, vocabulary_for
from cases.imports.services.validation import _check_in_file, _registry_errors, check_row
from cases.imports.services.writing import _write_creates, _write_updates
from tiers.models import Region

CHUNK_SIZE = 2000  # rows normalised, looked up and written together (not a rule: the pipeline's stride)


def run_import(
    *,
    actor,
    town: Region,
    data: bytes,
    file_name: str,
    commit: bool,
    mapping: dict[str, dict[str, str]] | None = None,
    progress=None,
    keep: RowStore | None = None,
) -> tuple[Plan, Header]:
    """Read, normalise, check and (with `commit`) write; the caller holds the transaction. With `keep`, the
    checked rows are kept, a chunk at a time before matching, for the commit (run_stored)."""
    vocab = vocabulary_for(town=town, extra=_extra_map(mapping))
    places = Places.of(town)
    rows = read_sheet(data, file_name)
    head: list[tuple[int, tuple]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    header = find_header(head, vocab)
    if keep is not None:
        keep.header(header)
    source = _("导入 %(file)s") % {"file": file_name}
    plan = Plan()
    seen_ids: dict[str, int] = {}
    seen_pairs: dict[tuple, int] = {}
    unknown: dict[str, dict[str, None]] = {}

    def data_rows() -> Iterator[tuple[int, tuple]]:
        for number, cells in head:
            if number > header.row:
                yield number, cells
        yield from rows

    chunk: list[LedgerRow] = []
    for number, cells in data_rows():
        row = _data_row(number, cells, header, vocab, places)
        if row is None:
            continue
        plan.total += 1
        for kind, word in row.unknown:
            unknown.setdefault(kind, {})[word] = None
        if not row.errors:
            check_row(row, actor=actor, vocab=vocab)
        if not row.errors:
            _check_in_file(row, seen_ids, seen_pairs)
        chunk.append(row)
        if len(chunk) >= CHUNK_SIZE:
            if keep is not None:
                keep.chunk(chunk)
            _settle(chunk, plan=plan, actor=actor, town=town, commit=commit, source=source)
            chunk = []
            if progress is not None:
                progress(plan.total)
    if keep is not None:
        keep.chunk(chunk)
    _settle(chunk, plan=plan, actor=actor, town=town, commit=commit, source=source)
    if plan.total == 0:
        raise LedgerFileError(_("表头下方没有数据行。"), code="empty")
    if header.unknown:
        unknown.setdefault(SynonymKind.HEADER, {}).update(dict.fromkeys(header.unknown))
    plan.unknown = {kind: list(words) for kind, words in unknown.items()}
    return plan, header


def run_stored(
    *, actor, town: Region, header: Header, chunks: Iterable[list[LedgerRow]], file_name: str, progress=None
) -> tuple[Plan, Header]:
    """The commit of rows a dry run kept (cases.imports.services.parsed): each chunk matched with the
    registry as it is now and written, as run_import would, without reading and checking the file again."""
    source = _("导入 %(file)s") % {"file": file_name}
    plan = Plan()
    unknown: dict[str, dict[str, None]] = {}
    for chunk in chunks:
        for row in chunk:
            plan.total += 1
            for kind, word in row.unknown:
                unknown.setdefault(kind, {})[word] = None
        _settle(chunk, plan=plan, actor=actor, town=town, commit=True, source=source)
        if progress is not None:
            progress(plan.total)
    if header.unknown:
        unknown.setdefault(SynonymKind.HEADER, {}).update(dict.fromkeys(header.unknown))
    plan.unknown = {kind: list(words) for kind, words in unknown.items()}
    return plan, header


def _settle(rows: list[LedgerRow], *, plan: Plan, actor, town: Region, commit: bool, source: str) -> None:
    """Decide each row of a chunk (create, update, unchanged, reject) and, with `commit`, write it."""
    good = [row for row in rows if not row.errors]
    for row in rows:
        if row.errors:
            _reject(plan, row)
    if not good:
        return
    by_id, by_pair = _existing_for(good)
    creates: list[LedgerRow] = []
    updates: list[tuple[LedgerRow, Update]] = []
    for row in good:
        existing, refusal = _match(row, actor=actor, town=town, by_id=by_id, by_pair=by_pair)
        if refusal:
            row.error("id_number" if row.data.get("id_number") else "name", refusal)
            _reject(plan, row)
        elif existing is None:
            creates.append(row)
        else:
            update = _merge(existing, row)
            if update is None:
                plan.unchanged += 1
            else:
                updates.append((row, update))
    if commit:
        refused = _write_updates(updates, actor=actor, source=source)
        for row, exc in refused:
            _registry_errors(row, exc)
            _reject(plan, row)
        refused_rows = {id(row) for row, _exc in refused}
        updates = [(row, update) for row, update in updates if id(row) not in refused_rows]
        _write_creates(creates, actor=actor, source=source)
    plan.created += len(creates)
    plan.updated += len(updates)

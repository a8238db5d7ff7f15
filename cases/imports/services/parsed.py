"""The dry run's rows kept for the commit (issue 12 §1, bench/ledger_import.py): reading and checking the file
costs as much as the parse itself, so the dry run keeps its normalised, checked rows (before matching them
with the registry, which the commit does again against the registry as it is then) in a file on the batch,
a chunk at a time. The file is gzip'd pickle, so it is read only after its digest, keyed with the site's
secret and kept in the database row, matches: a file changed on disk is ignored and the ledger read again."""

from __future__ import annotations

import gzip
import hmac
import pickle
import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.utils.crypto import salted_hmac

from cases.imports.services.header import Header
from cases.imports.services.normalise import LedgerRow

_SALT = "cases.imports.parsed_rows"
_BLOCK = 1 << 20


class RowStore:
    """Collects the header and the chunks of rows of a dry run in a temporary file."""

    def __init__(self) -> None:
        self._scratch = tempfile.TemporaryFile()
        self._gzip = gzip.GzipFile(fileobj=self._scratch, mode="wb", compresslevel=1)

    def header(self, header: Header) -> None:
        pickle.dump(header, self._gzip, protocol=pickle.HIGHEST_PROTOCOL)

    def chunk(self, rows: list[LedgerRow]) -> None:
        if rows:
            pickle.dump(rows, self._gzip, protocol=pickle.HIGHEST_PROTOCOL)

    def save_on(self, batch) -> None:
        """Attach the file to the batch (unsaved), with its digest."""
        self._gzip.close()
        self._scratch.seek(0)
        batch.parsed_rows_digest = _digest(self._scratch)
        self._scratch.seek(0)
        batch.parsed_rows.save("ledger-rows.bin", File(self._scratch), save=False)
        self._scratch.close()

    def discard(self) -> None:
        self._gzip.close()
        self._scratch.close()


def _digest(handle) -> str:
    mac = salted_hmac(_SALT, b"", algorithm="sha256")
    while block := handle.read(_BLOCK):
        mac.update(block)
    return mac.hexdigest()


def stored_rows(batch) -> tuple[Header, Iterator[list[LedgerRow]]] | None:
    """The header and the chunks of rows the batch's dry run kept, or None when it kept none (a batch
    from before) or the file does not match its digest."""
    if not batch.parsed_rows or not batch.parsed_rows_digest:
        return None
    try:
        handle = batch.parsed_rows.open("rb")
    except OSError:
        return None
    if not hmac.compare_digest(_digest(handle), batch.parsed_rows_digest):
        handle.close()
        return None
    handle.seek(0)
    reader = gzip.GzipFile(fileobj=handle, mode="rb")
    header = pickle.load(reader)  # noqa: S301 (our own file, its keyed digest checked above)

    def chunks() -> Iterator[list[LedgerRow]]:
        try:
            while True:
                try:
                    yield pickle.load(reader)  # noqa: S301 (as above)
                except EOFError:
                    return
        finally:
            reader.close()
            handle.close()

    return header, chunks()

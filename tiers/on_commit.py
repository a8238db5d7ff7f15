"""Batching work until the transaction commits: one callback per transaction, however many calls fill it.

A service that changes one child schedules work for after the commit (STYLE.md rule 5). When a single
transaction changes many children (an import, the demo seeder, a move of a whole village), the work
should be sent once for all of them rather than once per child. `batch_on_commit` finds the callback of a
given class already waiting for the current transaction's commit and adds to it, or registers a new one.

Django keeps a transaction's callbacks in `connection.run_on_commit` (not a public API: its entries are
`(savepoint ids, callback, robust)` tuples in Django 5) and drops them when the transaction rolls back,
so a callback found there belongs to this very transaction. This is the one place that reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

Batch = TypeVar("Batch", bound=Callable[[], None])


def batch_on_commit(kind: type[Batch], add: Callable[[Batch], None], *, using: str | None = None) -> None:
    """Call ``add`` on the ``kind()`` callback that runs when the current transaction commits.

    The first call in a transaction creates the callback and registers it with `transaction.on_commit`;
    later calls in the same transaction find it and add to it, so it runs once, with everything added.
    Outside a transaction a new callback is filled and run at once, as `on_commit` does.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        for _savepoints, callback, *_rest in connection.run_on_commit:
            if isinstance(callback, kind):
                add(callback)
                return
    batch = kind()
    add(batch)
    transaction.on_commit(batch, using=using)

"""tiers.on_commit.batch_on_commit: one callback per transaction, filled by every call in it, run once
after the commit; nothing after a rollback; at once outside a transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from tiers.on_commit import batch_on_commit

sent: list[list[int]] = []


class _Ids:
    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        sent.append(self.ids)


class _Other(_Ids):
    pass


def add(minor_id: int):
    return lambda batch: batch.ids.append(minor_id)


@pytest.fixture(autouse=True)
def _clear():
    sent.clear()


@pytest.mark.django_db
def test_calls_in_one_transaction_fill_one_callback_that_runs_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for minor_id in (3, 1, 2):
            batch_on_commit(_Ids, add(minor_id))
        assert sent == []  # not before the commit

    assert len(callbacks) == 1
    assert sent == [[3, 1, 2]]


@pytest.mark.django_db
def test_callbacks_of_different_kinds_are_kept_apart(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch_on_commit(_Ids, add(1))
        batch_on_commit(_Other, add(2))
        batch_on_commit(_Ids, add(3))

    assert len(callbacks) == 2
    assert sorted(sent) == [[1, 3], [2]]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_call_runs_at_once():
    batch_on_commit(_Ids, add(1))
    assert sent == [[1]]
    batch_on_commit(_Ids, add(2))
    assert sent == [[1], [2]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing_and_the_next_one_starts_afresh():
    with pytest.raises(RuntimeError), transaction.atomic():
        batch_on_commit(_Ids, add(1))
        raise RuntimeError

    with transaction.atomic():
        batch_on_commit(_Ids, add(2))
        batch_on_commit(_Ids, add(3))

    assert sent == [[2, 3]]

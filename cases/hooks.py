"""The one extension point of the registry: apps that derive something from a minor's record (the
referral rules, for instance) register a handler here in their AppConfig.ready(), and the services that
change a record's categories, guardians or assessments call `minor_changed`. Handlers run after the
transaction commits, once per minor however often it changed in the transaction, each in its own
transaction, so a failing handler never undoes the change itself.

This keeps dependencies pointing one way (STYLE.md: tiers ← cases ← screening, referrals): the registry
does not import the apps built on it; it only calls what they registered, explicitly and in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from tiers.on_commit import batch_on_commit

logger = logging.getLogger(__name__)
_handlers: list[Callable[[int], None]] = []


def on_minor_changed(handler: Callable[[int], None]) -> Callable[[int], None]:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


class _Changed:
    """The minors changed in one transaction; called once when it commits."""

    def __init__(self) -> None:
        self.minor_ids: list[int] = []

    def __call__(self) -> None:
        for minor_id in self.minor_ids:
            for handler in list(_handlers):
                _run(handler, minor_id)


def minor_changed(minor_id: int) -> None:
    """Run every registered handler for this minor once the current transaction commits."""
    if not _handlers:
        return

    def add(pending: _Changed) -> None:
        if minor_id not in pending.minor_ids:
            pending.minor_ids.append(minor_id)

    batch_on_commit(_Changed, add)  # outside a transaction this runs at once


def minors_changed_later(minor_ids: list[int]) -> None:
    """`minor_changed` for many minors at once (a ledger import of thousands of children): the handlers
    run in a Celery task once the transaction commits, rather than one by one inside the request."""
    if not _handlers or not minor_ids:
        return
    ids = list(minor_ids)

    def send() -> None:
        from cases.tasks import run_minor_changed_handlers

        run_minor_changed_handlers.delay(minor_ids=ids)

    transaction.on_commit(send)


def run_handlers(minor_ids: list[int]) -> None:
    """Every registered handler for each of these minors, each in its own transaction."""
    for minor_id in minor_ids:
        for handler in list(_handlers):
            _run(handler, minor_id)


def _run(handler: Callable[[int], None], minor_id: int) -> None:
    try:
        with transaction.atomic():
            handler(minor_id)
    except Exception:
        # The record is saved; a derived view failing must not hide that. It is logged, and
        # `manage.py refresh_referral_suggestions` catches up.
        logger.exception("minor_changed handler %s failed for minor %s", handler.__name__, minor_id)


# --- moves ---------------------------------------------------------------------------------------
# A move hands everything over in one transaction (issue 10 §5; domain.md §1.3 T-5): apps that keep
# something scoped by the child's place (the visit plan, the partner departments' view of referrals)
# register a handler that runs inside the move's own transaction, so a failing handler undoes the move.
_move_handlers: list[Callable[..., None]] = []


def on_minor_moved(handler: Callable[..., None]) -> Callable[..., None]:
    """Register `handler(minor_id, *, actor, from_region, to_region, reason)`, called within the move."""
    if handler not in _move_handlers:
        _move_handlers.append(handler)
    return handler


def minor_moved(*, minor_id: int, actor, from_region, to_region, reason: str) -> None:
    """Run every registered move handler now, in the caller's transaction (no error is swallowed)."""
    for handler in list(_move_handlers):
        handler(minor_id, actor=actor, from_region=from_region, to_region=to_region, reason=reason)

"""The one extension point of the registry: apps that derive something from a minor's record (the
referral rules, for instance) register a handler here in their AppConfig.ready(), and the services that
change a record's categories, guardians or assessments call `minor_changed`. Handlers run after the
transaction commits, each in its own transaction, so a failing handler never undoes the change itself.

This keeps dependencies pointing one way (STYLE.md: tiers ← cases ← screening, referrals): the registry
does not import the apps built on it; it only calls what they registered, explicitly and in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)
_handlers: list[Callable[[int], None]] = []


def on_minor_changed(handler: Callable[[int], None]) -> Callable[[int], None]:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def minor_changed(minor_id: int) -> None:
    """Run every registered handler for this minor once the current transaction commits."""
    for handler in list(_handlers):
        transaction.on_commit(lambda h=handler: _run(h, minor_id))


def _run(handler: Callable[[int], None], minor_id: int) -> None:
    try:
        with transaction.atomic():
            handler(minor_id)
    except Exception:
        # The record is saved; a derived view failing must not hide that. It is logged, and the daily
        # re-evaluation of the derived data catches up.
        logger.exception("minor_changed handler %s failed for minor %s", handler.__name__, minor_id)

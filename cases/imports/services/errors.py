"""What refuses a ledger import as a whole (issue 12 §1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tiers.errors import ActionNotAllowed


class LedgerFileError(ValidationError):
    """The file as a whole cannot be imported (not a ledger, no header, no rows): nothing is saved."""


class ImportPermissionDenied(ActionNotAllowed):
    """The actor may not import into this town."""

"""Writes to the registry of at-risk minors (STYLE.md rules 1, 4, 7).

Every function here is the only way its change happens: it validates, checks the actor's reach in
the administrative tree, writes in one transaction and records a MinorEvent for each change.
Rules come from domain.md: categories §2.2 (multi-valued), age limit §10.3 (cases.registry.rules),
unregistered minors §2.2 UNREGISTERED (no ID number, with a reason), baseline population §2.2 rule / §12.

One module per sub-topic: records (registering and changing a record), lifecycle (moving, closing,
restoring), baselines, grades; validation holds the form's rules and the duplicate checks, common what they
share. Callers use this package's names.
"""

from cases.registry.services.baselines import baseline_record
from cases.registry.services.common import (
    _GUARDIAN_DEFAULTS as _GUARDIAN_DEFAULTS,  # the ledger import (cases.imports) checks rows with the form's rules
)
from cases.registry.services.common import (
    GUARDIAN_FIELDS,
    MINOR_FIELDS,
    CategoryChoice,
    DuplicateIdNumber,
    PossibleDuplicate,
    registry_source,
)
from cases.registry.services.common import _is_system as _is_system  # the import and the grading services
from cases.registry.services.grades import minor_grade_record, minors_grade_record
from cases.registry.services.lifecycle import minor_close, minor_move, minor_reopen
from cases.registry.services.records import minor_register, minor_update
from cases.registry.services.validation import _clean_minor_data as _clean_minor_data  # the ledger import
from cases.registry.services.validation import _validate_guardians as _validate_guardians  # the ledger import
from cases.registry.services.validation import _validate_minor as _validate_minor  # the ledger import

__all__ = [
    "GUARDIAN_FIELDS",
    "MINOR_FIELDS",
    "CategoryChoice",
    "DuplicateIdNumber",
    "PossibleDuplicate",
    "baseline_record",
    "minor_close",
    "minor_grade_record",
    "minor_move",
    "minor_register",
    "minor_reopen",
    "minor_update",
    "minors_grade_record",
    "registry_source",
]

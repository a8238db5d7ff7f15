"""The current risk grade kept on the registry row (domain.md §3.1), written for the screening services."""

from __future__ import annotations

from django.utils import timezone

from cases.models import Minor


def minors_grade_record(*, grades: dict[str, list[int]], at) -> None:
    """`minor_grade_record` for many children at once (a ledger import): {grade: [minor ids]}, one
    UPDATE per grade. Called only by the screening services, after they wrote the GradeChange rows."""
    for grade, minor_ids in grades.items():
        Minor.objects.filter(pk__in=minor_ids).update(risk_grade=grade, risk_grade_since=at, updated_at=at)


def minor_grade_record(*, minor: Minor, grade: str, at=None) -> Minor:
    """Store a minor's current risk grade on the registry row, so the ledger can be filtered by it.

    Called only by the screening services, inside their transaction, after they have validated the
    change and written its GradeChange event (domain.md §3.1: the grade history is kept there)."""
    at = at or timezone.now()
    Minor.objects.filter(pk=minor.pk).update(risk_grade=grade, risk_grade_since=at, updated_at=at)
    minor.risk_grade, minor.risk_grade_since, minor.updated_at = grade, at, at

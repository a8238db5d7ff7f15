"""After a grade change, a helper, a response or a visit, the child's visit plan and alerts are brought
up to date at once, by Celery, after the transaction commits (STYLE.md rule 5).

Changes to many children in one transaction (an import, the demo seeder) send one pair of tasks for
all of them rather than a pair per child: the ids gather in one on-commit callback per transaction.
"""

from __future__ import annotations

from tiers.on_commit import batch_on_commit


class _Followup:
    def __init__(self) -> None:
        self.minor_ids: set[int] = set()
        self.escalate = False

    def __call__(self) -> None:
        from screening.tasks import escalate_minors, refresh_visit_plan

        ids = sorted(self.minor_ids)
        refresh_visit_plan.delay(minor_ids=ids)
        if self.escalate:
            escalate_minors.delay(minor_ids=ids)


def after_commit_update(*, minor_id: int, escalate: bool = True) -> None:
    """Refresh this child's visit plan (and re-evaluate its alerts) once the transaction commits."""

    def add(followup: _Followup) -> None:
        followup.minor_ids.add(minor_id)
        followup.escalate = followup.escalate or escalate

    batch_on_commit(_Followup, add)  # runs at once outside a transaction

"""Reads of the intake queue (STYLE.md rule 2): the one place that decides which reports a user sees.

Staff see the reports of the towns in their records reach (scope_q on the town's path) and those they
own; a partner sees the reports its organisation submitted, and of them only status and outcome.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from cases.privacy.sealing.selectors import sealed_visible_q
from referrals.intake import rules
from referrals.intake.models import Report, ReportEvent, ReportStatus
from tiers.models import Organisation
from tiers.roles import Capability, Role
from tiers.selectors import scope_q, user_can, user_posts


def partner_organisation(user) -> Organisation | None:
    """The organisation of the user's partner post (issue 5 §1), or None."""
    post = next((p for p in user_posts(user) if p.role == Role.PARTNER_STAFF and p.organisation_id), None)
    if post is None:
        return None
    return Organisation.objects.select_related("region").filter(pk=post.organisation_id).first()


def is_partner(user) -> bool:
    """A partner user (PARTNER_STAFF with an organisation) who holds no records post."""
    return partner_organisation(user) is not None and not user_can(user, Capability.VIEW_RECORDS)


def report_queue(*, user, status: str = "") -> QuerySet[Report]:
    """The staff intake queue: untriaged first, then the most recent."""
    queryset = Report.objects.filter(
        scope_q(user, Capability.VIEW_RECORDS, field="town__path") | Q(owner=user),
        # A report linked to a sealed record only for VIEW_SEALED holders of its subtree (issue 10 §3).
        Q(minor__isnull=True) | sealed_visible_q(user, "minor__"),
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("town", "village", "owner", "reporter_organisation").order_by(
        Case(
            When(triaged_at__isnull=True, status=ReportStatus.INTAKE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "triage_due_at",
        "-received_at",
        "-id",
    )


def report_get(*, user, pk: int) -> Report:
    report = report_queue(user=user).filter(pk=pk).select_related("minor__region").first()
    if report is None:
        raise Http404
    return report


def partner_report_list(*, user) -> QuerySet[Report]:
    """The reports the partner user's organisation submitted; nothing for anyone else."""
    organisation = partner_organisation(user)
    if organisation is None:
        return Report.objects.none()
    return (
        Report.objects.filter(reporter_organisation=organisation).select_related("town").order_by("-received_at", "-id")
    )


def partner_report_get(*, user, pk: int) -> Report:
    report = partner_report_list(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def report_history(*, report: Report) -> QuerySet[ReportEvent]:
    # The caller has already obtained `report` through report_get, which scoped it.
    return ReportEvent.objects.filter(report=report).select_related("actor").order_by("at", "id")


def report_is_overdue(report: Report, now=None) -> bool:
    return rules.is_overdue(
        status=report.status,
        triaged_at=report.triaged_at,
        triage_due_at=report.triage_due_at,
        now=now or timezone.now(),
    )

"""Referral and intake figures: referrals sent by kind of organisation and status, each organisation's
accept and feedback times, reports received by channel, their triage time and the queue now (domain.md §12)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F

from referrals.models import Referral, Report
from reporting.figures.common import LeafData, Period, in_subtree
from tiers.models import Region


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def collect_referrals(data: LeafData, root: Region, period: Period) -> None:
    end, start = period.as_of, period.start
    referrals = Referral.objects.filter(in_subtree("minor__region__path", root))
    sent = referrals.filter(sent_at__gte=start, sent_at__lt=end)
    data.add_rows(
        sent.annotate(leaf=F("minor__region_id"), kind=F("organisation__kind"))
        .values("leaf", "kind", "status")
        .annotate(n=Count("id")),
        lambda row: ("referral", row["kind"], row["status"]),
    )
    data.add_rows(
        sent.annotate(leaf=F("minor__region_id"), org=F("organisation_id"))
        .values("leaf", "org")
        .annotate(n=Count("id")),
        lambda row: ("org_sent", row["org"]),
    )
    for path, org, sent_at, accepted_at in referrals.filter(
        accepted_at__gte=start, accepted_at__lt=end, sent_at__isnull=False
    ).values_list("minor__region_id", "organisation_id", "sent_at", "accepted_at"):
        data.durations[path][("accept_hours", org)].append(_hours(accepted_at - sent_at))
    for path, org, sent_at, feedback_at in referrals.filter(
        feedback_at__gte=start, feedback_at__lt=end, sent_at__isnull=False
    ).values_list("minor__region_id", "organisation_id", "sent_at", "feedback_at"):
        data.durations[path][("feedback_days", org)].append(_hours(feedback_at - sent_at) / 24)

    # A village's reports are those naming it; a town's also those naming no village.
    reports = Report.objects.filter(in_subtree("town__path", root) | in_subtree("village__path", root))
    report_leaf = _report_leaf()
    for row in (
        reports.filter(received_at__gte=start, received_at__lt=end)
        .annotate(leaf=report_leaf)
        .values("leaf", "channel")
        .annotate(n=Count("id"))
    ):
        data.add(row["leaf"], ("report", row["channel"]), row["n"])
    for path, received_at, triaged_at in (
        reports.filter(triaged_at__gte=start, triaged_at__lt=end)
        .annotate(leaf=report_leaf)
        .values_list("leaf", "received_at", "triaged_at")
    ):
        data.durations[path][("triage_hours",)].append(_hours(triaged_at - received_at))
    if period.live:
        for row in (
            reports.filter(triaged_at__isnull=True).annotate(leaf=report_leaf).values("leaf").annotate(n=Count("id"))
        ):
            data.add(row["leaf"], ("untriaged_now",), row["n"])


def _report_leaf():
    """A report belongs to its village when one is named, otherwise to its town."""
    from django.db.models.functions import Coalesce

    return Coalesce(F("village_id"), F("town_id"))

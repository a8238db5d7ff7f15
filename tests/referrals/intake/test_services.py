"""Report intake and first-receiver responsibility (issue 5 §6; domain.md §7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Alert, Minor
from cases.registry.services import CategoryChoice
from referrals.intake import services as intake
from referrals.models import Report, ReportChannel, ReportEvent, ReportStatus
from tests.factories import guardian_payload, minor_payload
from tests.referrals.intake import personas as intake_personas
from tests.referrals.intake.personas import receive
from tiers.errors import ActionNotAllowed

# Shared fixtures of the intake tests.
teacher = intake_personas.teacher

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


def test_first_receiver_owns_the_report_and_triage_is_due_in_24_hours(tree, child_director):
    report = receive(actor=child_director, town=tree.town_a)

    assert report.owner == child_director
    assert report.status == ReportStatus.INTAKE
    assert report.triage_due_at - report.received_at == timedelta(hours=24)
    assert list(report.events.values_list("kind", flat=True)) == ["RECEIVED"]


def test_violence_shortens_the_triage_deadline_to_2_hours(tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a, violence_alleged=True)

    assert report.triage_due_at - report.received_at == timedelta(hours=2)


def test_hotline_report_needs_a_configured_number(tree, town_officer, settings):
    settings.MINORPROT_HOTLINES = ["12345", "96110"]
    with pytest.raises(ValidationError) as exc:
        receive(actor=town_officer, town=tree.town_a, channel=ReportChannel.HOTLINE, hotline="12355")
    assert codes(exc.value) == {"invalid_hotline"}

    report = receive(actor=town_officer, town=tree.town_a, channel=ReportChannel.HOTLINE, hotline="96110")
    assert report.hotline == "96110"


def test_partner_report_is_owned_by_the_town_office(tree, teacher, town_officer):
    report = receive(actor=teacher, town=tree.town_a)

    assert report.owner == town_officer
    assert report.channel == ReportChannel.PARTNER_API
    assert report.reporter_organisation.name == "青山镇中心小学"


def test_outsider_cannot_receive_in_another_town(tree, outsider):
    with pytest.raises(ActionNotAllowed):
        receive(actor=outsider, town=tree.town_a)


def test_owner_cannot_close_without_a_handling_record(tree, town_officer, minor_a1):
    report = receive(actor=town_officer, town=tree.town_a)
    intake.report_triage_link(actor=town_officer, report=report, minor=minor_a1)
    intake.report_advance(actor=town_officer, report=report)
    events_before = ReportEvent.objects.count()

    with pytest.raises(ValidationError) as exc:
        intake.report_close(actor=town_officer, report=report)

    assert codes(exc.value) == {"handling_record_required"}
    assert "处置情况" in str(exc.value)
    report.refresh_from_db()
    assert report.status == ReportStatus.INVESTIGATION
    assert report.closed_at is None
    assert ReportEvent.objects.count() == events_before


def test_database_refuses_a_closed_report_without_handling_or_transfer(tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED)


def test_report_closes_after_handling_with_outcome_for_the_reporter(tree, town_officer, minor_a1):
    report = receive(actor=town_officer, town=tree.town_a)
    intake.report_triage_link(actor=town_officer, report=report, minor=minor_a1)
    for _step in range(3):
        intake.report_advance(actor=town_officer, report=report, note="推进")
    intake.report_record_handling(actor=town_officer, report=report, handling_record="已上门核实并落实临时照料")

    report = intake.report_close(actor=town_officer, report=report, outcome_for_reporter="已核实并处置")

    assert report.status == ReportStatus.CLOSED
    assert report.outcome_for_reporter == "已核实并处置"
    assert list(report.events.values_list("kind", flat=True)) == [
        "RECEIVED",
        "LINKED",
        "ADVANCED",
        "ADVANCED",
        "ADVANCED",
        "HANDLING",
        "CLOSED",
    ]


def test_documented_transfer_allows_closing(tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a)
    with pytest.raises(ValidationError):
        intake.report_transfer(actor=town_officer, report=report, note=" ")

    intake.report_transfer(actor=town_officer, report=report, note="发生地在白水镇，已移交白水镇民政办")
    report = intake.report_close(actor=town_officer, report=report)

    assert report.status == ReportStatus.CLOSED


def test_triage_links_an_existing_minor_in_reach(tree, town_officer, minor_a1):
    report = receive(actor=town_officer, town=tree.town_a)

    report = intake.report_triage_link(actor=town_officer, report=report, minor=minor_a1)

    assert report.minor == minor_a1
    assert report.triaged_at is not None


def test_triage_cannot_link_a_minor_of_another_town(tree, town_officer, minor_b1):
    report = receive(actor=town_officer, town=tree.town_a)

    with pytest.raises(ValidationError) as exc:
        intake.report_triage_link(actor=town_officer, report=report, minor=minor_b1)

    assert codes(exc.value) == {"out_of_reach"}
    report.refresh_from_db()
    assert report.minor is None and report.triaged_at is None


def test_triage_registers_a_new_minor(tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a)

    report = intake.report_triage_register(
        actor=town_officer,
        report=report,
        region=tree.village_a1,
        data=minor_payload(name="王小明"),
        guardians=[guardian_payload()],
        categories=[CategoryChoice("LEFT_BEHIND")],
    )

    assert report.minor == Minor.objects.get(name="王小明")
    assert report.events.last().kind == "REGISTERED"


def test_triage_dismisses_with_a_reason(tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a)
    with pytest.raises(ValidationError):
        intake.report_dismiss(actor=town_officer, report=report, reason="")

    report = intake.report_dismiss(
        actor=town_officer, report=report, reason="经核实为成年人", outcome_for_reporter="不属于未成年人保护范围"
    )

    assert report.status == ReportStatus.DISMISSED
    assert report.outcome_for_reporter == "不属于未成年人保护范围"


def test_someone_else_in_the_town_cannot_work_the_owners_report(tree, child_director, neighbour_director):
    report = receive(actor=child_director, town=tree.town_a)

    with pytest.raises(ActionNotAllowed):
        intake.report_dismiss(actor=neighbour_director, report=report, reason="无")


def test_untriaged_report_raises_one_alert_however_often_the_job_runs(tree, town_officer, town_leader, clock):
    clock("2026-03-02", 9)
    report = receive(actor=town_officer, town=tree.town_a)
    clock("2026-03-03", 8, 59)
    assert intake.reports_escalate_untriaged()["created"] == 0

    clock("2026-03-03", 9, 1)
    intake.reports_escalate_untriaged()
    intake.reports_escalate_untriaged()
    clock("2026-03-03", 12)
    intake.reports_escalate_untriaged()

    alert = Alert.objects.get(rule=intake.UNTRIAGED_RULE)
    assert alert.subject_key == f"report:{report.pk}"
    assert set(alert.notifications.values_list("user__username", flat=True)) == {"town_officer", "town_leader"}


def test_violence_report_escalates_after_2_hours_and_resolves_when_triaged(tree, town_officer, minor_a1, clock):
    clock("2026-03-02", 9)
    report = receive(actor=town_officer, town=tree.town_a, violence_alleged=True)
    clock("2026-03-02", 11, 1)
    intake.reports_escalate_untriaged()
    assert Alert.objects.filter(rule=intake.UNTRIAGED_RULE, resolved_at__isnull=True).count() == 1

    intake.report_triage_link(actor=town_officer, report=report, minor=minor_a1)
    intake.reports_escalate_untriaged()

    assert Alert.objects.filter(rule=intake.UNTRIAGED_RULE, resolved_at__isnull=True).count() == 0


def test_escalation_task_runs_the_service(tree, town_officer, clock):
    from referrals.intake.tasks import escalate_untriaged_reports

    clock("2026-03-02", 9)
    receive(actor=town_officer, town=tree.town_a)
    clock("2026-03-04", 9)

    assert escalate_untriaged_reports()["created"] == 1


def test_the_reporting_partner_hears_each_step_through_its_webhook(tree, teacher, town_officer):
    from referrals.models import WebhookDelivery
    from referrals.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(actor=teacher, url="https://school.example.cn/minorprot-hook")
    report = receive(actor=teacher, town=tree.town_a)
    intake.report_dismiss(
        actor=town_officer, report=report, reason="经核实系误报", outcome_for_reporter="经核实，该生情况正常。"
    )

    deliveries = list(WebhookDelivery.objects.filter(event_type__startswith="report.").order_by("id"))
    assert deliveries, "no webhook delivery for the reporting partner"
    last = deliveries[-1].payload["report"]
    assert last["status"] == ReportStatus.DISMISSED and last["outcome_for_reporter"] == "经核实，该生情况正常。"

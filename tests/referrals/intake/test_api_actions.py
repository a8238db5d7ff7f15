"""Staff actions on `/api/v1/reports/{id}/…`: link, dismiss, advance, handling, transfer, close — each the
service the report page calls; partners and outsiders get 404, staff who may see but not act get 403."""

from __future__ import annotations

import pytest

from referrals.intake import services as intake
from referrals.models import Report, ReportEvent, ReportStatus
from tests.referrals.intake import personas as intake_personas
from tests.referrals.intake.personas import receive

pytestmark = pytest.mark.django_db
teacher = intake_personas.teacher

URL = "/api/v1/reports/"


def act(client, report, step, **data):
    return client.post(f"{URL}{report.pk}/{step}/", data, format="json")


def field_errors(response) -> dict[str, str]:
    body = response.json()
    assert body["type"] == "validation_error", body
    return {error["attr"]: error["code"] for error in body["errors"]}


def test_link_advance_handling_close_moves_the_report_to_closed(tree, town_officer, minor_a1, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_officer)

    linked = act(client, report, "link", minor=minor_a1.pk, note="同一儿童")
    advanced = act(client, report, "advance", note="开始核查")
    handled = act(client, report, "handling", handling_record="已上门核查，安排临时照料")
    closed = act(client, report, "close", outcome_for_reporter="已妥善处置", note="办结")

    assert linked.status_code == 200, linked.content
    assert linked.json()["minor"] == minor_a1.pk and linked.json()["triaged_at"]
    assert advanced.json()["status"] == ReportStatus.INVESTIGATION
    assert handled.json()["handling_record"] == "已上门核查，安排临时照料"
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == ReportStatus.CLOSED
    assert closed.json()["outcome_for_reporter"] == "已妥善处置"
    assert Report.objects.get(pk=report.pk).status == ReportStatus.CLOSED


def test_each_action_writes_a_report_event_as_the_page_does(tree, town_officer, minor_a1, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_officer)

    act(client, report, "link", minor=minor_a1.pk)
    act(client, report, "advance")
    act(client, report, "handling", handling_record="已处置")
    act(client, report, "close")

    events = list(ReportEvent.objects.filter(report=report).order_by("at", "id").values_list("kind", "actor"))
    assert events == [
        (intake.EventKind.RECEIVED, town_officer.pk),
        (intake.EventKind.LINKED, town_officer.pk),
        (intake.EventKind.ADVANCED, town_officer.pk),
        (intake.EventKind.HANDLING, town_officer.pk),
        (intake.EventKind.CLOSED, town_officer.pk),
    ]
    advanced = ReportEvent.objects.get(report=report, kind=intake.EventKind.ADVANCED)
    assert (advanced.from_status, advanced.to_status) == (ReportStatus.INTAKE, ReportStatus.INVESTIGATION)


def test_dismiss_without_a_reason_is_a_required_field_error(tree, town_officer, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)

    response = act(api_client_for(town_officer), report, "dismiss", reason="  ")

    assert response.status_code == 400
    assert field_errors(response) == {"reason": "required"}
    assert Report.objects.get(pk=report.pk).status == ReportStatus.INTAKE


def test_dismiss_with_a_reason_closes_triage(tree, town_officer, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)

    response = act(
        api_client_for(town_officer), report, "dismiss", reason="不属于保护范围", outcome_for_reporter="无需处理"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == ReportStatus.DISMISSED
    assert response.json()["dismiss_reason"] == "不属于保护范围"
    assert ReportEvent.objects.filter(report=report, kind=intake.EventKind.DISMISSED).count() == 1


def test_close_without_a_handling_record_is_refused_with_the_services_code(tree, town_officer, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)

    response = act(api_client_for(town_officer), report, "close", outcome_for_reporter="已处理")

    assert response.status_code == 400
    assert field_errors(response) == {"handling_record": "handling_record_required"}
    assert Report.objects.get(pk=report.pk).status == ReportStatus.INTAKE


def test_advance_before_triage_is_refused(tree, town_officer, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)

    response = act(api_client_for(town_officer), report, "advance")

    assert response.status_code == 400
    assert field_errors(response) == {"status": "not_triaged"}


def test_transfer_with_a_note_allows_closing(tree, town_officer, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_officer)

    transferred = act(client, report, "transfer", note="涉嫌犯罪，移交派出所", outcome_for_reporter="已移交")
    closed = act(client, report, "close")

    assert transferred.json()["status"] == ReportStatus.TRANSFERRED
    assert transferred.json()["transfer_note"] == "涉嫌犯罪，移交派出所"
    assert closed.json()["status"] == ReportStatus.CLOSED


def test_a_minor_of_another_town_cannot_be_linked_and_looks_like_an_unknown_id(
    tree, town_officer, minor_b1, api_client_for
):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_officer)

    other_town = act(client, report, "link", minor=minor_b1.pk)
    unknown = act(client, report, "link", minor=minor_b1.pk + 10_000)

    assert other_town.status_code == unknown.status_code == 400
    assert field_errors(other_town) == field_errors(unknown) == {"minor": "does_not_exist"}
    assert other_town.json() == unknown.json()
    assert Report.objects.get(pk=report.pk).minor_id is None


def test_outsider_from_another_town_gets_404_on_every_action(tree, town_officer, outsider, minor_a1, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(outsider)

    codes = {
        step: act(client, report, step, minor=minor_a1.pk, reason="无", handling_record="无", note="无").status_code
        for step in ("link", "dismiss", "advance", "handling", "transfer", "close")
    }

    assert codes == dict.fromkeys(codes, 404)
    assert ReportEvent.objects.filter(report=report).count() == 1


def test_partner_gets_404_on_actions_even_on_its_own_report(tree, teacher, town_officer, api_client_for):
    own = api_client_for(teacher).post(
        URL,
        {"town": tree.town_a.pk, "summary": "学生自述被殴打", "discovered_at": "2026-03-02T08:30:00+08:00"},
        format="json",
    )
    report = Report.objects.get(pk=own.json()["id"])
    client = api_client_for(teacher)

    assert client.get(f"{URL}{report.pk}/").status_code == 200
    assert act(client, report, "dismiss", reason="无").status_code == 404
    assert act(client, report, "handling", handling_record="无").status_code == 404
    assert Report.objects.get(pk=report.pk).status == ReportStatus.INTAKE


def test_partner_without_an_organisation_gets_404(tree, town_officer, partner_user, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)

    response = act(api_client_for(partner_user), report, "dismiss", reason="无")

    assert response.status_code == 404


def test_staff_who_may_see_but_not_work_the_report_get_403(tree, town_officer, town_leader, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_leader)

    assert client.get(f"{URL}{report.pk}/").status_code == 200
    response = act(client, report, "dismiss", reason="无")

    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == ReportStatus.INTAKE


def test_a_village_child_director_works_the_report_it_received(tree, child_director, minor_a1, api_client_for):
    report = receive(actor=child_director, town=tree.town_a)

    response = act(api_client_for(child_director), report, "link", minor=minor_a1.pk)

    assert response.status_code == 200, response.content
    assert response.json()["minor"] == minor_a1.pk

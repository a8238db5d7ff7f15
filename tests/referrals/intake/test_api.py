"""`/api/v1/reports/`: partners submit mandatory reports and poll them; staff read their towns' queue."""

from __future__ import annotations

import pytest

from referrals.intake import services as intake
from referrals.models import Report, ReportStatus
from tests.referrals.intake import personas as intake_personas
from tests.referrals.intake.personas import receive

pytestmark = pytest.mark.django_db
teacher = intake_personas.teacher
doctor = intake_personas.doctor

URL = "/api/v1/reports/"


def mandatory_report(**overrides):
    data = {
        "town": "330521100000",
        "village": "330521100201",
        "summary": "学生身上多处淤青，自述被家长殴打",
        "child_name": "王小明",
        "child_description": "四年级男生",
        "violence_alleged": True,
        "discovered_at": "2026-03-02T08:30:00+08:00",
    }
    data.update(overrides)
    return data


def test_partner_submits_a_report_and_polls_its_status_and_outcome(tree, teacher, town_officer, api_client_for):
    client = api_client_for(teacher)

    created = client.post(URL, mandatory_report(), format="json")

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "INTAKE"
    report = Report.objects.get(pk=created.json()["id"])
    assert report.owner == town_officer and report.violence_alleged
    intake.report_transfer(
        actor=town_officer, report=report, note="移交派出所", outcome_for_reporter="已移交派出所处理"
    )
    polled = client.get(f"{URL}{report.pk}/").json()
    assert polled["status"] == ReportStatus.TRANSFERRED
    assert polled["outcome_for_reporter"] == "已移交派出所处理"
    assert "summary" not in polled and "minor" not in polled and "owner" not in polled


def test_town_may_be_given_by_id(tree, teacher, town_officer, api_client_for):
    response = api_client_for(teacher).post(URL, mandatory_report(town=tree.town_a.pk, village=None), format="json")

    assert response.status_code == 201, response.content


def test_unknown_town_is_a_coded_field_error(tree, teacher, api_client_for):
    response = api_client_for(teacher).post(URL, mandatory_report(town="999999999999"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_region"


def test_partner_sees_nothing_of_another_partners_reports(tree, teacher, doctor, town_officer, api_client_for):
    mine = api_client_for(teacher).post(URL, mandatory_report(), format="json").json()
    doctor_client = api_client_for(doctor)

    assert doctor_client.get(f"{URL}{mine['id']}/").status_code == 404
    assert doctor_client.get(URL).json()["count"] == 0


def test_partner_does_not_see_reports_received_by_staff(tree, teacher, town_officer, api_client_for):
    staff_report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(teacher)

    assert client.get(f"{URL}{staff_report.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_staff_get_their_towns_queue_untriaged_first(tree, town_officer, minor_a1, api_client_for):
    triaged = receive(actor=town_officer, town=tree.town_a)
    intake.report_triage_link(actor=town_officer, report=triaged, minor=minor_a1)
    untriaged = receive(actor=town_officer, town=tree.town_a)

    rows = api_client_for(town_officer).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [untriaged.pk, triaged.pk]
    assert rows[0]["summary"]


def test_outsider_from_another_town_gets_404(tree, town_officer, outsider, api_client_for):
    report = receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(outsider)

    assert client.get(f"{URL}{report.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_staff_receive_a_hotline_report(tree, town_officer, api_client_for):
    response = api_client_for(town_officer).post(
        URL, mandatory_report(channel="HOTLINE", hotline="12345", village=None), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == "town_officer"


def test_list_query_count_is_fixed(tree, town_officer, api_client_for, django_assert_max_num_queries):
    for _index in range(5):
        receive(actor=town_officer, town=tree.town_a)
    client = api_client_for(town_officer)

    with django_assert_max_num_queries(6):
        assert client.get(URL).json()["count"] == 5

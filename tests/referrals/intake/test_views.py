"""Intake pages: the queue, a report's triage and workflow, partners' pages, the partner tokens page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from referrals.models import Report, ReportStatus
from tests.factories import make_user
from tests.referrals.intake import personas as intake_personas
from tests.referrals.intake.personas import receive
from tiers.models import ApiToken
from tiers.roles import Role
from tiers.services import token_issue

pytestmark = pytest.mark.django_db
teacher = intake_personas.teacher
doctor = intake_personas.doctor


def test_queue_shows_the_towns_reports_with_overdue_highlighted(client, tree, town_officer, clock):
    clock("2026-03-02", 9)
    receive(actor=town_officer, town=tree.town_a, summary="夜间有孩子独自在桥下", violence_alleged=True)
    clock("2026-03-02", 12)
    client.force_login(town_officer)

    page = client.get("/reports/").content.decode()

    assert "夜间有孩子独自在桥下" in page and "table-danger" in page and "报告受理" in page


def test_outsider_gets_404_on_a_report_page(client, tree, town_officer, outsider):
    report = receive(actor=town_officer, town=tree.town_a)
    client.force_login(outsider)

    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.post(f"/reports/{report.pk}/dismiss/", {"text": "无"}).status_code == 404


def test_staff_receive_a_walk_in_report_and_own_it(client, tree, child_director):
    client.force_login(child_director)

    response = client.post(
        "/reports/new/",
        {
            "town": tree.town_a.pk,
            "channel": "PUBLIC",
            "summary": "村民反映孩子辍学在家",
            "discovered_at": "2026-03-01T09:00",
        },
    )

    report = Report.objects.get()
    assert response.status_code == 302 and report.owner == child_director


def test_close_without_handling_record_is_refused_on_the_page(client, tree, town_officer):
    report = receive(actor=town_officer, town=tree.town_a)
    client.force_login(town_officer)

    page = client.post(f"/reports/{report.pk}/close/", follow=True).content.decode()

    assert "办结前请先填写处置情况" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.INTAKE


def test_triage_by_link_and_dismiss_from_the_page(client, tree, town_officer, minor_a1):
    linked = receive(actor=town_officer, town=tree.town_a)
    dismissed = receive(actor=town_officer, town=tree.town_a)
    client.force_login(town_officer)

    assert minor_a1.name in client.get(f"/reports/{linked.pk}/", {"q": minor_a1.name}).content.decode()
    client.post(f"/reports/{linked.pk}/link/", {"minor": minor_a1.pk})
    client.post(f"/reports/{dismissed.pk}/dismiss/", {"text": "重复报告"})

    linked.refresh_from_db()
    dismissed.refresh_from_db()
    assert linked.minor == minor_a1
    assert dismissed.status == ReportStatus.DISMISSED


def test_partner_submits_and_sees_only_its_reports(client, tree, teacher, doctor, town_officer):
    receive(actor=doctor, town=tree.town_b, summary="医生报告的线索")
    client.force_login(teacher)

    client.post(
        "/reports/new/",
        {
            "town": tree.town_a.pk,
            "summary": "学生自述被打",
            "violence_alleged": "on",
            "discovered_at": "2026-03-01T09:00",
        },
    )
    page = client.get("/reports/").content.decode()

    mine = Report.objects.get(reporter_organisation__name="青山镇中心小学")
    assert mine.channel == "PARTNER_API" and mine.owner == town_officer
    assert "受理" in page and "医生报告的线索" not in page
    assert client.get(f"/reports/{mine.pk}/").status_code == 404


def test_office_issues_and_revokes_a_partners_token(client, tree, town_officer, teacher):
    client.force_login(town_officer)

    page = client.post("/reports/partner-tokens/issue/", {"user": teacher.pk, "name": "学校系统"}).content.decode()
    token = ApiToken.objects.get(user=teacher, name="学校系统")
    key = page.split('data-testid="new-key">')[1].split("<code>")[1].split("</code>")[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/reports/").status_code == 200
    assert "学校系统" in client.get("/reports/partner-tokens/").content.decode()

    client.post(f"/reports/partner-tokens/{token.pk}/revoke/")

    assert api.get("/api/v1/reports/").status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_another_towns_office_cannot_see_or_revoke_the_tokens(client, tree, outsider, teacher):
    token, _key = token_issue(user=teacher, name="学校系统")
    client.force_login(outsider)

    assert "学校系统" not in client.get("/reports/partner-tokens/").content.decode()
    assert client.post(f"/reports/partner-tokens/{token.pk}/revoke/").status_code == 404
    assert client.post("/reports/partner-tokens/issue/", {"user": teacher.pk}).status_code == 404


def test_tokens_page_is_404_without_an_office_post(client, tree, child_director):
    client.force_login(child_director)

    assert client.get("/reports/partner-tokens/").status_code == 404


def test_partner_at_county_is_not_managed_by_a_town_office(client, tree, town_officer):
    county_partner = make_user(Role.PARTNER_STAFF, tree.county, username="county_partner")
    token_issue(user=county_partner, name="县级系统")
    client.force_login(town_officer)

    assert "县级系统" not in client.get("/reports/partner-tokens/").content.decode()


def test_a_partner_finds_the_mandatory_report_pages_in_the_navigation(client, teacher):
    client.force_login(teacher)
    page = client.get("/referrals/").content.decode()
    assert 'data-testid="nav-partner-reports"' in page

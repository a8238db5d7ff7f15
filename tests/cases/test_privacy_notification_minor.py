"""Notification.minor (issue 10 §3, §4, §5; domain.md §13): every notice about a child says which child, and who
may still read it is one condition on that child in the list and unread-count queries — no extra query, however
many records are sealed. A notice about a child leaves whoever may no longer see the child (sealed, out of
their reach); notices about no child stay. Old notices get their child from a data migration. Two towns, and a
second county for the emergency read."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.alerts.selectors import notification_list
from cases.alerts.services import notify
from cases.casework import services as cw
from cases.models import Alert, Notification
from cases.privacy.accesslog.services import emergency_access_open
from cases.privacy.sealing.services import minor_seal
from cases.registry.services import minor_close, minor_move
from tests.factories import make_user, register_minor
from tiers.models import StaffPost
from tiers.roles import Level, Role
from tiers.services import post_assign, post_remove, region_create

REASON = "法院通知：犯罪记录封存"
fill_migration = importlib.import_module("cases.migrations.0013_notification_minor_fill")


@pytest.fixture
def office_head(tree):
    return make_user(Role.TOWN_OFFICE_HEAD, tree.town_a, username="office_head")


@pytest.fixture
def director(tree):
    return make_user(Role.CHILD_DIRECTOR, tree.village_a1, username="director")


@pytest.fixture
def office_b(tree):
    return make_user(Role.TOWN_OFFICE, tree.town_b, username="office_b")


def _titles(user) -> list[str]:
    return sorted(n.title for n in notification_list(user=user))


# --- every notice about a child names it --------------------------------------------------------------------


def test_an_alerts_notice_takes_the_alerts_child(director, town_officer, minor_a1):
    from screening.visits.services.visits import visit_log

    visit_log(actor=director, minor=minor_a1, new_risk_found=True, concerns="家中无人照料")

    alert = Alert.objects.get(minor=minor_a1, rule="NEW_RISK_FOUND")
    notices = Notification.objects.filter(alert=alert)
    assert notices.filter(user=town_officer).exists()
    assert set(notices.values_list("minor_id", flat=True)) == {minor_a1.pk}


def test_a_record_closed_notice_names_its_child(town_officer, minor_a1):
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="监护缺失")
    minor_close(actor=town_officer, minor=minor_a1, reason="MOVED_AWAY", note="随父母外出务工")

    notice = Notification.objects.get(user=town_officer, url=reverse("case_detail", args=[case.pk]))
    assert notice.minor_id == minor_a1.pk


def test_an_emergency_read_notice_to_the_town_office_head_names_its_child(db, office_head, minor_a1):
    county = region_create(code="330522000000", name="邻县", level=Level.COUNTY)
    far = make_user(Role.COUNTY_CIVIL_AFFAIRS, county, username="far_county_officer")

    emergency_access_open(actor=far, minor=minor_a1, reason="接公安机关通报，该儿童在本县走失，需立即核实监护人")

    assert Notification.objects.get(user=office_head).minor_id == minor_a1.pk


def test_the_move_in_notice_to_the_new_town_names_its_child(tree, town_officer, office_b, minor_a1):
    minor_move(actor=town_officer, minor=minor_a1, region=tree.village_b1)

    notice = Notification.objects.get(user=office_b, url=reverse("minor_detail", args=[minor_a1.pk]))
    assert notice.minor_id == minor_a1.pk
    assert any("张三" in title for title in _titles(office_b))


# --- who may still read a notice about a child -------------------------------------------------------------


def test_a_town_officer_posted_to_another_town_no_longer_reads_the_old_towns_children(
    tree, town_officer, outsider, minor_a1
):
    notify(user_ids=[town_officer.pk], title="张三的档案有变更", url=f"/minors/{minor_a1.pk}/", minor=minor_a1)
    notify(user_ids=[town_officer.pk], title="台账导出已完成", url="/exports/")
    assert _titles(town_officer) == sorted(["张三的档案有变更", "台账导出已完成"])

    post_remove(post=StaffPost.objects.get(user=town_officer, region=tree.town_a))
    post_assign(user=town_officer, region=tree.town_b, role=Role.TOWN_OFFICE)

    assert _titles(town_officer) == ["台账导出已完成"]
    assert notification_list(user=town_officer).filter(read_at__isnull=True).count() == 1
    # The other town's officer never had them.
    assert _titles(outsider) == []


def test_a_figures_only_login_reads_no_notice_about_a_child(leadership_viewer, minor_a1):
    notify(user_ids=[leadership_viewer.pk], title="张三走访发现新的风险", minor=minor_a1)
    notify(user_ids=[leadership_viewer.pk], title="季度分析报告已回复", url="/analysis/")

    assert _titles(leadership_viewer) == ["季度分析报告已回复"]


def test_a_partner_reads_a_notice_about_a_child_until_the_record_is_sealed(
    office_head, town_officer, partner_user, minor_a1
):
    notify(user_ids=[partner_user.pk, town_officer.pk], title="张三的措施已逾期", minor=minor_a1)
    assert _titles(partner_user) == ["张三的措施已逾期"]

    minor_seal(actor=office_head, minor=minor_a1, reason=REASON)

    assert _titles(partner_user) == []
    assert _titles(town_officer) == ["张三的措施已逾期"]


def test_the_notification_page_costs_the_same_queries_when_records_are_sealed(
    client, tree, office_head, town_officer, partner_user, minor_a1, outsider
):
    other = register_minor(actor=outsider, region=tree.village_b1, name="李四")
    for minor in (minor_a1, other):
        notify(user_ids=[partner_user.pk], title=f"{minor.name}的措施已逾期", minor=minor)
    client.force_login(partner_user)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notification_list")).status_code == 200
        return len(queries)

    before = page_queries()
    minor_seal(actor=office_head, minor=minor_a1, reason=REASON)
    after = page_queries()

    assert after == before
    page = client.get(reverse("notification_list"))
    assert "张三" not in page.content.decode() and "李四" in page.content.decode()
    assert page.context["nav_unread_notifications"] == 1


# --- notices written before the field: the data migration -------------------------------------------------


def _as_before_the_field():
    # Rows written before Notification.minor existed had no child: the state the data migration starts from.
    Notification.objects.update(minor=None)


def test_the_data_migration_finds_the_child_of_old_notices_and_its_reverse_empties_it(
    tree, director, town_officer, minor_a1, outsider
):
    from referrals.intake.services import report_receive, report_triage_link
    from referrals.models import ReportChannel
    from screening.visits.services.visits import visit_log

    other = register_minor(actor=outsider, region=tree.village_b1, name="李四")
    visit_log(actor=director, minor=minor_a1, new_risk_found=True, concerns="家中无人照料")
    case = cw.case_open(actor=town_officer, minor=minor_a1, note="监护缺失")
    report = report_receive(
        actor=town_officer,
        town=tree.town_a,
        channel=ReportChannel.PUBLIC,
        summary="邻居反映张三长期无人照料",
        discovered_at=timezone.now() - timedelta(hours=2),
        violence_alleged=True,
    )
    report = report_triage_link(actor=town_officer, report=report, minor=minor_a1, note="同一儿童")
    links = {
        "record": f"/minors/{minor_a1.pk}/guardians/",
        "absolute": f"https://minorprot.example.org/minors/{other.pk}/",
        "case": reverse("case_detail", args=[case.pk]) + "#measures",
        "case referrals": f"/referrals/case/{case.pk}/",
        "opening form": f"/cases/open/{minor_a1.pk}/",
        "access log": f"/privacy/access-log/minors/{other.pk}/",
        "report": f"/reports/{report.pk}/",
        "export": "/exports/",
        "no such case": "/cases/999999/",
    }
    for title, url in links.items():
        notify(user_ids=[town_officer.pk], title=title, url=url)
    _as_before_the_field()

    fill_migration.fill(apps, None)

    found = dict(Notification.objects.filter(user=town_officer, alert__isnull=True).values_list("title", "minor_id"))
    assert found == {
        "record": minor_a1.pk,
        "absolute": other.pk,
        "case": minor_a1.pk,
        "case referrals": minor_a1.pk,
        "opening form": minor_a1.pk,
        "access log": other.pk,
        "report": minor_a1.pk,
        "export": None,
        "no such case": None,
    }
    alert_notices = Notification.objects.filter(alert__minor=minor_a1)
    assert alert_notices.exists() and set(alert_notices.values_list("minor_id", flat=True)) == {minor_a1.pk}

    fill_migration.empty(apps, None)

    assert not Notification.objects.filter(minor__isnull=False).exists()

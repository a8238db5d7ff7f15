"""A town officer opens a red child's case from the board, adds the first measure of the plan, and the
plan deadline warning gives way to the measure on its track (issue 4 §2, §6). Screenshots of the board
and the case page, on a desktop and on a phone, go to test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.casework import services as cw
from cases.models import Case, Measure
from screening.grading.services import assessment_record
from tests.browser.test_register_flow import log_in
from tests.factories import register_minor
from tiers.models import OrganisationKind
from tiers.services import organisation_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def casework(tree, town_officer):
    """Town A's groups; a red child whose case has no plan yet, and an orange child with an overdue measure."""
    for kind, name in (
        (OrganisationKind.CIVIL_AFFAIRS_OFFICE, "青山镇民政办"),
        (OrganisationKind.EDUCATION_CENTRE, "青山镇教管中心"),
        (OrganisationKind.HEALTH_CENTRE, "青山镇卫生院"),
    ):
        organisation_create(kind=kind, name=name, region=tree.town_a)
    cw.working_groups_ensure(region=tree.town_a)
    red = register_minor(actor=town_officer, region=tree.village_a1, name="陈小明")
    assessment_record(actor=town_officer, minor=red, kind="RISK_LEVEL", indicator_codes=["ONGOING_VIOLENCE"])
    orange = register_minor(actor=town_officer, region=tree.grid_a1, name="林小芳")
    assessment_record(actor=town_officer, minor=orange, kind="RISK_LEVEL", indicator_codes=["GUARDIAN_INCAPABLE"])
    orange_case = Case.objects.get(minor=orange)
    late = cw.measure_add(
        actor=town_officer,
        case=orange_case,
        track="EDUCATION_SUPPORT",
        title="劝返复学",
        due_on=timezone.localdate() + timedelta(days=1),
    )
    Measure.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=4))
    return {"red": Case.objects.get(minor=red), "orange": orange_case}


def test_town_officer_opens_a_case_and_adds_a_measure(town_officer, casework, live_server, browser, artifacts_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()

    log_in(page, live_server.url, "town_officer")
    page.get_by_test_id("nav-casework").get_by_role("button", name="个案").click()
    page.get_by_test_id("nav-case-board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("个案")
    table = page.get_by_test_id("case-table")
    expect(table).to_contain_text("陈小明")
    expect(table).to_contain_text("1 项逾期")
    page.screenshot(path=str(artifacts_dir / "case_board_desktop.png"), full_page=True)

    table.get_by_role("link", name="陈小明").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("个案：陈小明")
    expect(page.get_by_test_id("plan-warning")).to_contain_text("红色等级个案须在")
    form = page.get_by_test_id("measure-form")
    expect(form).to_be_visible()  # open at once: the plan is empty
    form.get_by_label("工作组").select_option("RESCUE_PROTECTION")
    form.get_by_label("措施").fill("安排临时照料，联系亲属")
    form.get_by_label("责任人姓名").fill("李主任")
    form.get_by_role("button", name="保存措施").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/#plan$"))
    expect(page.get_by_text("已添加措施：安排临时照料，联系亲属。")).to_be_visible()
    expect(page.get_by_test_id("track-RESCUE_PROTECTION")).to_contain_text("安排临时照料，联系亲属")
    expect(page.get_by_test_id("track-RESCUE_PROTECTION")).to_contain_text("青山镇救助保护组")
    expect(page.get_by_test_id("plan-warning")).to_have_count(0)
    expect(page.get_by_test_id("case-stage")).to_have_text("处置帮扶")

    # The ladder's usual action follows the chosen level until the officer writes their own.
    page.get_by_text("记录干预").click()
    intervention = page.get_by_test_id("intervention-form")
    intervention.get_by_label("干预层级").select_option("3")
    expect(intervention.get_by_label("干预措施")).to_have_value(re.compile("人身安全保护令"))
    page.screenshot(path=str(artifacts_dir / "case_page_desktop.png"), full_page=True)

    measure = Measure.objects.get(case=casework["red"])
    assert (measure.track, measure.responsible_name, measure.created_by) == (
        "RESCUE_PROTECTION",
        "李主任",
        town_officer,
    )
    context.close()


def test_the_board_and_the_case_page_fit_a_phone(town_officer, casework, live_server, browser, artifacts_dir):
    context = browser.new_context(**PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()

    log_in(page, live_server.url, "town_officer")
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_test_id("case-table")).to_contain_text("林小芳")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "case_board_phone.png"), full_page=True)

    page.goto(f"{live_server.url}/cases/{casework['orange'].pk}/")
    expect(page.get_by_test_id("track-EDUCATION_SUPPORT")).to_contain_text("已逾期")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "case_page_phone.png"), full_page=True)

    # The education group's page: its overdue measure first, with a progress form under the thumb.
    page.goto(f"{live_server.url}/cases/groups/{measure_group(casework['orange']).pk}/")
    expect(page.get_by_test_id("group-measure").first).to_contain_text("已逾期 4 天")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "group_page_phone.png"), full_page=True)
    context.close()


def measure_group(case):
    return case.measures.get().group

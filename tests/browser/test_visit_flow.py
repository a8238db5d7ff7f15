"""A village child director, on a phone, opens the worklist and logs a visit in a few taps (issue 3 §3:
"logs a visit in under a minute"); a town officer reads the grade, why, and its timeline on a desktop."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from screening.grading.services import assessment_record, grade_set
from screening.models import Visit
from screening.visits.services.plan import visit_plan_refresh
from tests.browser.test_register_flow import log_in
from tests.factories import register_minor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def village_children(tree, town_officer):
    """Yellow children of village A1: one graded 40 days ago (overdue), one 27 days ago (due this week)."""
    children = {}
    for name, days_ago, region in (("陈小明", 40, tree.village_a1), ("林小芳", 27, tree.grid_a1)):
        with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
            minor = register_minor(actor=town_officer, region=region, name=name)
            assessment_record(actor=town_officer, minor=minor, kind="RISK_LEVEL", indicator_codes=["LEFT_BEHIND"])
        children[name] = minor
    visit_plan_refresh()
    return children


def test_child_director_logs_a_visit_on_a_phone_in_a_few_taps(
    child_director, village_children, live_server, browser, artifacts_dir
):
    context = browser.new_context(**PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()

    log_in(page, live_server.url, "child_director")
    # The landing page leads straight to the worklist.
    page.get_by_test_id("visit-summary").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("走访任务")
    overdue = page.get_by_test_id("worklist-overdue")
    expect(overdue).to_contain_text("陈小明")
    expect(overdue).to_contain_text("已逾期 10 天")
    expect(page.get_by_test_id("worklist-due_this_week")).to_contain_text("林小芳")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "visit_worklist_phone.png"), full_page=True)

    # One tap on the row's button, the form is already filled in: one more tap saves.
    overdue.get_by_role("link", name="记录陈小明的走访").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("记录走访：陈小明")
    expect(page.get_by_label("入户走访")).to_be_checked()
    expect(page.get_by_label("见到本人")).to_be_checked()
    photo_input = page.locator("input[type='file'][name='photos']")
    expect(photo_input).to_have_attribute("capture", "environment")
    page.get_by_label("发现的问题").fill("祖母腿脚不便，做饭困难")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "visit_form_phone.png"), full_page=True)
    page.get_by_role("button", name="保存走访").tap()

    expect(page).to_have_url(re.compile(r"/visits/$"))
    expect(page.get_by_text("已记录陈小明的走访。")).to_be_visible()
    expect(page.get_by_test_id("worklist-overdue")).not_to_contain_text("陈小明")
    visit = Visit.objects.get()
    assert (visit.minor, visit.visitor, visit.kind, visit.seen_in_person) == (
        village_children["陈小明"],
        child_director,
        "HOME",
        True,
    )
    assert visit.concerns == "祖母腿脚不便，做饭困难"
    assert visit.on_time is False  # it answered a due date 10 days past
    page.screenshot(path=str(artifacts_dir / "visit_saved_phone.png"), full_page=True)
    context.close()


def test_town_officer_reads_the_grade_why_and_timeline_on_the_record(
    town_officer, village_children, live_server, browser, artifacts_dir
):
    minor = village_children["陈小明"]
    grade_set(actor=town_officer, minor=minor, grade="ORANGE", reason="祖母住院，暂无人照料")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()

    log_in(page, live_server.url, "town_officer")
    page.goto(f"{live_server.url}/minors/{minor.pk}/")

    card = page.get_by_test_id("grade-card")
    expect(card.locator(".grade-badge").first).to_have_text("橙色")
    expect(page.get_by_test_id("grade-why")).to_contain_text("祖母住院，暂无人照料")
    expect(card).to_contain_text("橙色等级须指定一对一帮扶人")
    expect(page.get_by_test_id("grade-timeline").locator("li")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "record_grade_desktop.png"), full_page=True)

    # The assessment form mirrors the server: ticking a red indicator shows red at once.
    page.get_by_role("link", name="评估定级").click()
    expect(page.locator("[data-computed-grade]")).to_have_text("黄色")
    expect(page.locator("[data-override-reason]")).to_be_hidden()
    page.get_by_label("正在遭受暴力、虐待或性侵害").check()
    expect(page.locator("[data-computed-grade]")).to_have_text("红色")
    page.get_by_label("确定等级").select_option("ORANGE")
    expect(page.locator("[data-override-reason]")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "assessment_form_desktop.png"), full_page=True)
    context.close()

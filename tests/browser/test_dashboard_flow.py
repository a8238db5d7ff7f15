"""A district leader opens the dashboard on a desktop: the charts are drawn by ECharts served from
static/ (no CDN), each beside its table, and a click on a town drills down to that town's villages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_register_flow import log_in
from tests.factories import register_minor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_district_leader_reads_the_charts_and_drills_down_to_a_town(
    tree, county_officer, town_officer, outsider, live_server, browser, artifacts_dir
):
    register_minor(actor=town_officer, region=tree.village_a1, name="张三")
    register_minor(actor=town_officer, region=tree.village_a2, name="王五")
    register_minor(actor=outsider, region=tree.village_b1, name="李四")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside_requests: list[str] = []
    page.on(
        "request",
        lambda request: outside_requests.append(request.url) if not request.url.startswith(live_server.url) else None,
    )

    log_in(page, live_server.url, "county_officer")
    page.goto(f"{live_server.url}/dashboard/")

    expect(page.get_by_test_id("dashboard-title")).to_contain_text("示范县")
    expect(page.get_by_test_id("headline-active")).to_have_text("3")
    # ECharts drew the charts as SVG inside their containers.
    expect(page.locator(".chart svg").first).to_be_visible()
    assert page.locator(".chart svg").count() >= 5
    expect(page.get_by_test_id("table-children")).to_contain_text("青山镇")
    page.screenshot(path=str(artifacts_dir / "dashboard_county.png"), full_page=True)

    page.get_by_test_id("table-children").get_by_role("link", name="青山镇").click()

    expect(page.get_by_test_id("dashboard-title")).to_contain_text("青山镇")
    expect(page.get_by_test_id("headline-active")).to_have_text("2")
    expect(page.get_by_test_id("table-children")).to_contain_text("东岭村")
    expect(page.get_by_test_id("table-children")).not_to_contain_text("河口村")
    assert errors == []
    assert outside_requests == []

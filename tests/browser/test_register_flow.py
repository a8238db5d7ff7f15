"""A town officer logs in, registers a minor with a guardian, finds the minor by pinyin initials and
opens the record (issue 2 "Must be true": the browser test later issues extend)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import AccessLog, Minor
from tests.factories import valid_id_number, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def test_town_officer_registers_a_minor_and_finds_the_record_by_pinyin_initials(
    tree, town_officer, live_server, browser, artifacts_dir
):
    birth = years_ago(8, days=30)
    id_number = valid_id_number(birth=birth, gender="F")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()

    log_in(page, live_server.url, "town_officer")

    # Register through the navigation, as people do.
    page.get_by_test_id("nav-ledger").get_by_role("button", name="台账").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登记未成年人").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记未成年人")
    form = page.locator("form.minor-form")
    form.locator("select[name='region']").select_option(label="青山镇 · 东岭村")
    form.locator("input[name='name']").fill("赵小雨")
    form.locator("input[name='id_number']").fill(id_number)
    form.locator("input[name='id_number']").blur()
    # The ID number carries the birth date and gender; the page fills them in.
    expect(page.locator("input[name='birth_date']")).to_have_value(birth.isoformat())
    expect(page.locator("select[name='gender']")).to_have_value("F")
    page.get_by_label("户籍地").fill("示范县青山镇东岭村")
    page.get_by_label("就学状况").select_option("PRIMARY")
    page.get_by_role("checkbox", name="农村留守儿童").check()
    page.locator("input[name='note_LEFT_BEHIND']").fill("父母在外省务工")
    guardian = page.locator("[data-guardian-form]").first
    guardian.locator("select[name='guardians-0-relation']").select_option("PATERNAL_GRANDMOTHER")
    guardian.locator("input[name='guardians-0-name']").fill("赵桂兰")
    guardian.locator("input[name='guardians-0-phone']").fill("13912345678")
    guardian.get_by_role("checkbox", name="外出务工").check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("赵小雨")
    expect(page.get_by_text("已登记未成年人：赵小雨。")).to_be_visible()
    minor = Minor.objects.get(name="赵小雨")
    assert minor.id_number == id_number
    assert [g.name for g in minor.guardians.all()] == ["赵桂兰"]

    # Find the record again in the list by pinyin initials.
    page.get_by_test_id("nav-ledger").get_by_role("button", name="台账").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="未成年人台账").click()
    page.get_by_role("searchbox").fill("zxy")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 人")
    page.get_by_role("link", name="赵小雨").click()

    expect(page).to_have_url(re.compile(rf"/minors/{minor.pk}/$"))
    expect(page.get_by_role("heading", name="监护人")).to_be_visible()
    expect(page.get_by_text("祖母 · 赵桂兰")).to_be_visible()
    expect(page.locator(".situation-flag")).to_have_text("外出务工")
    expect(page.locator(".category-list")).to_contain_text("父母在外省务工")
    page.screenshot(path=str(artifacts_dir / "register_flow.png"), full_page=True)
    # Every page that showed the child logged it, as what it was: the record twice (after saving, and after
    # finding it), the search that found it (each search response: the list also refreshes as one types).
    kinds = list(
        AccessLog.objects.filter(minor=minor, user=town_officer, channel=AccessLog.Channel.WEB)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert kinds.count(AccessLog.Action.VIEW) == 2, kinds
    assert AccessLog.Action.SEARCH in kinds, kinds
    assert kinds[0] == AccessLog.Action.FORM, kinds  # the registration form that saved it

    # The same record on a phone: the navigation collapses and the page still reads well.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        storage_state=context.storage_state(),
    )
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/minors/{minor.pk}/")
    expect(phone_page.get_by_role("button", name="展开菜单")).to_be_visible()
    expect(phone_page.get_by_role("link", name="修改档案")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=str(artifacts_dir / "register_flow_phone.png"), full_page=True)

    phone.close()
    context.close()

"""The front window applies for a resident who came in person (线上线下融合): the ID card checked, the
draft filled in from the registry, the few new facts typed with the resident, submitted, ready to accept."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import log_in_as_staff, on_phone, screenshot

NARROW = {"width": 360, "height": 640}
WANG_JIANGUO = {"name": "王建国", "id_number": "43020419660701901X"}  # demo resident born in 1966, about to retire


def test_the_clerk_applies_for_a_walk_in_resident_with_the_registry_s_data_filled_in(page, demo_server):
    page.set_viewport_size(NARROW)
    log_in_as_staff(page, demo_server, "clerk01", "/staff/walk-in")

    page.get_by_role("textbox", name="姓名").fill(WANG_JIANGUO["name"])
    page.get_by_role("textbox", name="身份证号码").fill(WANG_JIANGUO["id_number"])
    page.get_by_role("textbox", name="查找").fill("退休审批")
    page.get_by_role("radio", name="企业职工退休审批").click()
    on_phone(page)
    screenshot(page, "walk-in-1-who-and-what")
    page.get_by_role("button", name="核验身份并开始填写").click()

    # The draft: the registry's values locked, the rest typed at the window.
    expect(page.get_by_role("heading", level=2, name="企业职工退休审批")).to_be_visible()
    expect(page.get_by_text("窗口代办")).to_be_visible()
    name = page.locator(".form-field").filter(has=page.get_by_text("姓名", exact=True))
    expect(name.get_by_role("textbox")).to_have_value("王建国")
    expect(name).to_contain_text("已核验")
    expect(page.get_by_role("button", name="姓名信息有误")).to_have_count(0)  # the resident is here: no request
    start = page.get_by_label("参加工作时间", exact=True)
    start.fill("1986-09-01")
    start.blur()
    page.get_by_role("radiogroup", name="退休类别").get_by_role("radio", name="正常退休", exact=True).click()
    retire = page.get_by_label("申请退休日期", exact=True)
    retire.fill("2026-07-01")
    retire.blur()
    on_phone(page)
    screenshot(page, "walk-in-2-filled")
    page.get_by_role("button", name="提交申请").click()

    # Submitted at the window: it waits for acceptance, with the values typed.
    expect(page).to_have_url(re.compile(r"/staff/clerk/[^/]+$"))
    expect(page.get_by_role("heading", level=2, name="企业职工退休审批").locator("..")).to_contain_text("已提交")
    expect(page.get_by_text("正常退休")).to_be_visible()
    expect(page.get_by_role("button", name="受理", exact=True)).to_be_visible()
    screenshot(page, "walk-in-3-submitted")

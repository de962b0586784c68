"""办事 for a newcomer: from the home page to a bundle, filters, and a single item's guide."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import on_phone, screenshot

NARROW = {"width": 360, "height": 640}


def test_the_home_page_leads_to_the_one_thing_bundles(page, demo_server):
    page.set_viewport_size(NARROW)
    page.goto(demo_server + "/")

    bundles = page.get_by_role("region", name="一件事 一次办")
    expect(bundles.get_by_role("link")).to_have_count(5)
    on_phone(page)
    screenshot(page, "services-1-home")
    bundles.get_by_role("link", name=re.compile("新生儿出生一件事")).click()

    expect(page.get_by_role("heading", level=2, name="新生儿出生一件事")).to_be_visible()
    expect(page.get_by_role("tab", name="办事")).to_have_attribute("aria-selected", "true")


def test_items_are_filtered_by_who_they_are_for_and_their_tag_and_open_their_guide(page, demo_server):
    page.set_viewport_size(NARROW)
    page.goto(demo_server + "/services")
    page.get_by_role("tab", name="单个事项").click()
    page.get_by_role("button", name="个人事项").click()
    page.get_by_role("button", name="马上办").click()

    expect(page).to_have_url(re.compile(r"tab=items"))
    items = page.get_by_role("list", name="单个事项").get_by_role("listitem")
    expect(items.first).to_be_visible()
    expect(items.filter(has_not_text="马上办")).to_have_count(0)  # the filtered answer has replaced the list
    for text in items.all_inner_texts():
        assert "个人" in text and "马上办" in text
    expect(page.get_by_role("button", name="马上办")).to_have_attribute("aria-pressed", "true")
    on_phone(page)
    screenshot(page, "services-2-items")

    items.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=2)).to_be_visible()
    guide = page.get_by_role("region").filter(has=page.get_by_role("heading", level=2))
    expect(guide).to_contain_text("办理流程")
    expect(guide).to_contain_text("设定依据")
    expect(guide).to_contain_text("当场办结")
    on_phone(page)
    screenshot(page, "services-3-item-guide")

    page.get_by_role("button", name="返回").click()  # the filters are kept
    expect(page.get_by_role("button", name="马上办")).to_have_attribute("aria-pressed", "true")


def test_a_guest_starting_an_application_is_asked_to_log_in_first(page, demo_server):
    page.goto(demo_server + "/services/bundles/newborn")
    page.get_by_role("button", name="开始办理").click()

    expect(page).to_have_url(re.compile(r"/login\?redirect=/services/bundles/newborn$"))

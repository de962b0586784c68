"""Staff on their phones: the front window accepts an application, a department approves its item."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .one_thing import (
    FOOD_LICENCE_ITEM,
    li_na,
    log_in_as_staff,
    on_phone,
    screenshot,
    sub_of,
    submitted_restaurant,
)

NARROW = {"width": 360, "height": 640}
LICENCE_CHECK_ITEM = "430200-SCJG-001"  # 营业执照信息核验: promised the same day


def test_the_clerk_accepts_and_the_market_regulator_approves_the_food_licence(page, second_page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    application = submitted_restaurant(demo_app)

    # The front window (综合窗口): the queue, the application with its materials' trust, 受理.
    page.set_viewport_size(NARROW)
    log_in_as_staff(page, demo_server, "clerk01", "/staff/clerk")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("tab", name="工作台")).to_be_visible()
    page.get_by_role("link", name=re.compile(application["number"])).click()
    expect(page.get_by_role("heading", level=2, name="开办餐饮店一件事")).to_be_visible()
    materials = page.get_by_role("list", name="申请材料及可信等级")
    expect(materials.get_by_role("listitem", name="营业执照")).to_contain_text("可信等级 A 级")
    expect(materials.get_by_role("listitem", name="食品安全管理制度")).to_contain_text("可信等级 D 级")
    expect(materials.get_by_role("listitem", name="场所平面布置图和消防设施布置图")).to_contain_text("需核对原件")
    expect(page.get_by_role("region", name="经营场所", exact=True)).to_contain_text("李记湘菜馆")
    on_phone(page)
    screenshot(page, "staff-1-clerk-application")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("dialog").filter(has_text="受理申请").get_by_role("button", name="受理").click()
    expect(page).to_have_url(demo_server + "/staff/clerk")
    expect(page.get_by_role("link", name=re.compile(application["number"]))).to_have_count(0)

    # A same-day item left too long: the department's queue puts it first, flagged.
    late = sub_of(application, LICENCE_CHECK_ITEM)
    store["sub_applications"].update_one({"_id": late["id"]}, {"$set": {"deadline_on": "2026-01-05"}})

    # The market regulator (市场监管): the queue by deadline, the item, 批准.
    approver = second_page
    approver.set_viewport_size(NARROW)
    log_in_as_staff(approver, demo_server, "approver-scjg", "/staff/review")
    first = approver.get_by_role("list", name="审批事项").get_by_role("listitem").first
    expect(first).to_contain_text("营业执照信息核验")
    expect(first).to_contain_text("已超期")
    expect(first).to_contain_text("2026年1月5日")
    expect(approver.get_by_role("status")).to_contain_text("已超期")
    on_phone(approver)
    screenshot(approver, "staff-2-approver-queue")

    licence = sub_of(application, FOOD_LICENCE_ITEM)
    approver.locator(f'a[href="/staff/review/{licence["id"]}"]').click()
    expect(approver.get_by_role("heading", level=2, name="食品经营许可新办")).to_be_visible()
    expect(approver.get_by_text("办结期限")).to_contain_text("承诺 3 个工作日")
    trust = approver.get_by_role("list", name="申请材料及可信等级")
    expect(trust.get_by_role("listitem", name="经营场所平面布局图和设备布局、操作流程说明")).to_contain_text("C 级")
    expect(approver.get_by_role("region", name="经营场所", exact=True)).to_contain_text("热食类食品制售")
    expect(approver.get_by_role("region", name="户外招牌", exact=True)).to_have_count(0)  # another department's part of the form
    on_phone(approver)
    screenshot(approver, "staff-3-approver-item")

    approver.get_by_role("button", name="批准", exact=True).click()
    approver.get_by_role("dialog").filter(has_text="批准「食品经营许可新办」").get_by_role("button", name="批准").click()
    expect(approver.get_by_role("heading", level=2).locator("..")).to_contain_text("已出证")
    expect(approver.get_by_role("button", name="批准", exact=True)).to_have_count(0)
    screenshot(approver, "staff-4-approver-approved")

    # The licence is issued to the company, into its certificate wallet.
    certificates = li_na(demo_app).call("GET", "/me/certificates")
    issued = [c for c in certificates if c["application_id"] == application["id"]]
    assert [c["type_name"] for c in issued] == ["食品经营许可证"]


def test_a_guest_opening_a_staff_page_is_sent_to_the_staff_login(page, demo_server):
    page.goto(demo_server + "/staff/review")

    expect(page).to_have_url(re.compile(r"/staff-login\?redirect=/staff/review$"))
    expect(page.get_by_role("heading", level=2, name="工作人员登录")).to_be_visible()

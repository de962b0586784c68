"""信息有误 answered: the department that keeps a wrong value (here the legal-person registry, kept by
market regulation) opens the request, corrects its record and replies; the applicant reads the answer
under 我的 → 信息更正申请."""

from __future__ import annotations

from playwright.sync_api import expect

from .one_thing import BUNDLE, RESTAURANT, li_na, log_in_as_li_na, log_in_as_staff, on_phone, screenshot

NARROW = {"width": 360, "height": 640}
NEW_ADDRESS = "湖南省株洲市芦淞区样例街20号"


def test_the_market_regulator_answers_a_wrong_address_and_the_applicant_reads_the_answer(
    page, second_page, demo_server, demo_app
):
    applicant = li_na(demo_app)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": BUNDLE})
    address = next(f for f in draft["fields"] if f["label"] == "住所" and f["locked"])
    applicant.call(
        "POST",
        f"/applications/{draft['id']}/fields/{address['name']}/correction-requests",
        201,
        json={"reason": "门牌号已于今年更改", "proposed_value": NEW_ADDRESS},
    )

    # The market regulator's approver: the request in the department's list, opened whole, answered.
    approver = second_page
    approver.set_viewport_size(NARROW)
    log_in_as_staff(approver, demo_server, "approver-scjg", "/staff/corrections")
    request = approver.get_by_role("list", name="更正申请").get_by_role("link").filter(has_text=draft["number"])
    expect(request).to_contain_text("住所")
    expect(request).to_contain_text("处理中")
    request.click()
    expect(approver.get_by_role("heading", level=2, name="住所有误")).to_be_visible()
    expect(approver.get_by_text(RESTAURANT["registered_address"])).to_be_visible()  # whole, not masked
    expect(approver.get_by_text(NEW_ADDRESS)).to_be_visible()
    approver.get_by_role("button", name="提交答复").click()
    expect(approver.get_by_role("alert").filter(has_text="请选择处理结果")).to_be_visible()
    approver.get_by_role("radio", name="已更正").click()
    approver.get_by_role("textbox", name="答复").fill("已按变更登记档案更正住所，请重新打开申请")
    on_phone(approver)
    screenshot(approver, "correction-1-answer")
    approver.get_by_role("button", name="提交答复").click()
    expect(approver.get_by_role("heading", level=2, name="住所有误").locator("..")).to_contain_text("已更正")
    expect(approver.get_by_role("button", name="提交答复")).to_have_count(0)

    # The applicant, under 我的: the answer.
    page.set_viewport_size(NARROW)
    log_in_as_li_na(page, demo_server, demo_app.extensions["store"])
    page.get_by_role("button", name="信息更正申请").click()
    answered = page.get_by_role("list", name="更正申请").get_by_role("listitem", name="住所").first
    expect(answered).to_contain_text("已更正")
    expect(answered).to_contain_text("已按变更登记档案更正住所")
    expect(answered).to_contain_text("株洲市市场监督管理局")
    on_phone(page)
    screenshot(page, "correction-2-answered")

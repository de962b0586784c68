"""Paying a fee on the phone (缴费): the fee and its legal basis on the application, the QR code of the
order placed at the (sandbox) gateway, the payer's page that the QR code opens, the waiting screen that
turns to paid by itself, the receipt, and the results issued once the fee is paid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .identity import log_in_on_the_login_page
from .one_thing import decode_qr, on_phone, screenshot
from .paying import (
    ZHANG_PHONE,
    accepted_and_approved,
    paying_city,
    refunded_by_the_admin,
    run_payment_tasks,
    submitted_transfer,
)

NARROW = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def city(pwa_dist, tmp_path_factory):
    """(app, base URL) of the demo city with a sandbox payment gateway of its own."""
    with paying_city(tmp_path_factory.mktemp("e2e-paying") / "var", pwa_dist) as served:
        yield served


def test_a_resident_pays_the_registration_fee_by_qr_code_and_sees_it_paid_and_the_results_issued(page, second_page, city):
    app, base_url = city
    application = submitted_transfer(app)
    accepted_and_approved(app, application["id"])  # approved: the 不动产权证书 waits for the fee

    page.set_viewport_size(NARROW)
    page.goto(base_url + "/login")
    log_in_on_the_login_page(page, app.extensions["store"], ZHANG_PHONE)
    expect(page).to_have_url(base_url + "/me")
    page.goto(f"{base_url}/me/applications/{application['id']}")

    # The registration needs one visit (面签): booked from the application, for the application.
    page.get_by_role("button", name="预约到大厅办理存量房（二手房）转移登记").click()
    page.get_by_role("button", name=re.compile("株洲市民中心政务服务大厅")).click()
    page.get_by_role("group", name=re.compile("的时段$")).locator("button:enabled").first.click()
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_role("status").filter(has_text="预约成功")).to_be_visible()
    page.get_by_role("link", name="查看办件进度").click()
    visit = page.get_by_role("region", name="需到大厅办理 1 次")
    expect(visit).to_contain_text("已预约")
    expect(visit).to_contain_text("株洲市民中心政务服务大厅")

    # The fee on the application: the line, its legal basis, the amount in yuan, 去支付.
    fee = page.get_by_role("region", name="费用")
    expect(fee).to_contain_text("待缴费")
    line = fee.get_by_role("listitem", name="存量房（二手房）转移登记")
    expect(line).to_contain_text("¥80.00")
    expect(line).to_contain_text("收费依据：")
    expect(line).to_contain_text("2559号")
    on_phone(page)
    screenshot(page, "pay-1-fee")
    fee.get_by_role("button", name="去支付 ¥80.00").click()

    # The pay screen: the order placed, its QR code and, on a phone, the button that opens it.
    expect(page).to_have_url(f"{base_url}/me/applications/{application['id']}/pay")
    qr = page.get_by_role("img", name="微信支付二维码")
    expect(qr).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("正在等待支付结果")
    opener = page.get_by_role("link", name="打开支付页面")
    code_url = opener.get_attribute("href")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/pay/\S+", code_url), code_url
    qr.evaluate("code => code.scrollIntoView({ block: 'center' })")  # clear of the fixed bars
    assert decode_qr(page.screenshot(clip=qr.bounding_box())) == code_url  # the QR code is the same link
    on_phone(page)
    screenshot(page, "pay-2-qr")

    # The payer scans it on another phone: the gateway's payer page, 确认支付.
    second_page.goto(code_url)
    expect(second_page.get_by_text("¥80.00")).to_be_visible()
    second_page.get_by_role("button", name="确认支付").click()
    expect(second_page.locator("#result")).to_have_text("支付成功")

    # The waiting screen turns to paid by itself (the gateway's notification reached the callback).
    done = page.get_by_role("status").filter(has_text="支付成功")
    expect(done).to_contain_text("已支付 ¥80.00", timeout=10_000)
    receipt = page.get_by_role("region", name="非税收入电子票据（示例，非正式票据）")
    expect(receipt).to_contain_text("张晓明")
    expect(receipt).to_contain_text(application["number"])
    expect(receipt).to_contain_text("不是正式的财政电子票据")
    expect(page.get_by_role("img", name="微信支付二维码")).to_have_count(0)
    on_phone(page)
    screenshot(page, "pay-3-paid")

    # The payments worker issues what waited for the fee: the application shows its results issued.
    assert run_payment_tasks(app) >= 1
    page.get_by_role("button", name="返回办件").click()
    expect(page.get_by_role("heading", level=2, name="不动产转移登记一件事").locator("..")).to_contain_text("已出证")
    expect(page.get_by_role("region", name="费用")).to_contain_text("已缴费")
    expect(page.get_by_role("button", name="查看电子证照")).to_be_visible()
    expect(page.get_by_role("button", name="预约到大厅办理存量房（二手房）转移登记")).to_have_count(0)  # all issued
    on_phone(page)
    screenshot(page, "pay-4-issued")

    page.get_by_role("button", name="查看电子票据").click()
    expect(page.get_by_role("heading", level=2, name="非税收入电子票据（示例，非正式票据）")).to_be_visible()
    expect(page.get_by_text("¥80.00").first).to_be_visible()

    # A part of the fee refunded by an admin: where the refund is, on the application.
    refunded_by_the_admin(app, application["id"], 2000, "登记费多收部分退还")
    page.goto(f"{base_url}/me/applications/{application['id']}")
    refunds = page.get_by_role("list", name="退款记录")
    expect(refunds).to_contain_text("退款 ¥20.00")
    expect(refunds).to_contain_text("退款成功")
    expect(refunds).to_contain_text("登记费多收部分退还")
    expect(page.get_by_role("region", name="费用")).to_contain_text("已退款 ¥20.00（部分退款）")
    on_phone(page)
    screenshot(page, "pay-5-refunded")

"""Identity journeys in the browser: SMS login, real-name, devices, data-use log, reloads."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .identity import (
    account_of,
    add_person,
    clerk_looks_at,
    latest_code,
    log_in,
    log_in_on_the_login_page,
    masked,
    new_phone,
    with_wrong_check_digit,
)


def id_field(page):
    return page.locator(".van-field", has=page.get_by_role("textbox", name="身份证号"))


def test_logging_in_with_phone_and_sms_code_shows_the_masked_phone_and_level_1(page, live_server, store):
    phone = new_phone()
    page.goto(live_server + "/me")

    page.get_by_role("button", name="登录 / 注册").click()
    expect(page).to_have_url(re.compile(r"/login"))
    log_in_on_the_login_page(page, store, phone)

    expect(page).to_have_url(live_server + "/me")
    expect(page.get_by_role("heading", level=2)).to_have_text(masked(phone))
    expect(page.get_by_text("L1 手机已验证")).to_be_visible()
    expect(page.get_by_role("button", name="实名认证")).to_be_visible()
    expect(page.get_by_role("button", name="我的企业")).to_have_count(0)


def test_a_wrong_code_is_shown_under_the_code_field(page, live_server, store):
    phone = new_phone()
    page.goto(live_server + "/login")
    store["rate_limits"].delete_many({})
    page.get_by_role("textbox", name="手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("button", name="秒后重发")).to_be_disabled()

    wrong = "000000" if latest_code(store, phone) != "000000" else "111111"
    page.get_by_role("textbox", name="验证码").fill(wrong)
    page.get_by_role("button", name="登录", exact=True).click()

    code_field = page.locator(".van-field", has=page.get_by_role("textbox", name="验证码"))
    expect(code_field.get_by_role("alert")).to_have_text("验证码错误或已过期，请重新获取")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_real_name_shows_a_wrong_check_digit_under_the_id_field_then_reaches_level_2(page, live_server, store, live_app):
    person = add_person(live_app, "李春华")
    log_in(page, live_server, store, new_phone())

    page.get_by_role("button", name="实名认证").click()
    page.get_by_role("textbox", name="姓名").fill(person.name)
    page.get_by_role("textbox", name="身份证号").fill(with_wrong_check_digit(person.id_number))
    page.get_by_role("button", name="提交认证").click()
    expect(id_field(page).get_by_role("alert")).to_have_text("身份证号码校验码错误，请核对")

    page.get_by_role("textbox", name="身份证号").fill(person.id_number)
    page.get_by_role("button", name="提交认证").click()

    expect(page).to_have_url(live_server + "/me")
    expect(page.get_by_text("L2 已实名")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text("李春华")
    expect(page.get_by_role("button", name="实名认证")).to_have_count(0)


def test_the_sessions_page_marks_this_device_and_logging_out_returns_to_the_logged_out_me(page, live_server, store):
    log_in(page, live_server, store, new_phone())

    page.get_by_role("button", name="登录设备").click()
    devices = page.get_by_role("list", name="登录设备列表").get_by_role("listitem")
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("当前设备")
    expect(devices.first).to_contain_text("最近使用")

    page.get_by_role("button", name="返回").click()
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("dialog").get_by_role("button", name="退出").click()

    expect(page.get_by_role("button", name="登录 / 注册")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="登录 / 注册")).to_be_visible()


def test_a_reload_after_logging_in_keeps_the_person_logged_in(page, live_server, store):
    phone = new_phone()
    log_in(page, live_server, store, phone)

    page.reload()

    expect(page.get_by_role("heading", level=2)).to_have_text(masked(phone))
    expect(page.get_by_text("L1 手机已验证")).to_be_visible()
    # Nothing of the session is stored: only the phone's own visit count (the 添加到主屏幕 offer).
    stored = page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]")
    assert set(stored) <= {"onetrip.visits", "onetrip.visitCounted"}, stored


def test_a_page_that_needs_login_sends_to_login_and_comes_back_after(page, live_server, store):
    page.goto(live_server + "/me/sessions")

    expect(page).to_have_url(re.compile(r"/login\?redirect=%2Fme%2Fsessions$|/login\?redirect=/me/sessions$"))
    log_in_on_the_login_page(page, store, new_phone())

    expect(page).to_have_url(live_server + "/me/sessions")
    expect(page.get_by_text("当前设备")).to_be_visible()


def test_asking_for_another_code_too_soon_says_how_long_to_wait(page, live_server, store):
    phone = new_phone()
    store["rate_limits"].delete_many({})
    page.goto(live_server + "/login")
    page.get_by_role("textbox", name="手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("button", name="秒后重发")).to_be_disabled()

    page.reload()  # the countdown is gone, the server's limit is not
    page.get_by_role("textbox", name="手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()

    expect(page.get_by_text(re.compile(r"验证码发送太频繁.*还需等待 \d+ 秒"))).to_be_visible()
    expect(page.get_by_role("button", name="秒后重发")).to_be_disabled()


def test_show_full_information_reveals_the_whole_phone_number(page, live_server, store):
    phone = new_phone()
    log_in(page, live_server, store, phone)
    phone_cell = page.locator(".van-cell", has_text="手机号")
    expect(phone_cell).to_contain_text(masked(phone))

    page.get_by_role("switch", name="显示完整信息").click()

    expect(phone_cell).to_contain_text(phone)
    page.get_by_role("switch", name="显示完整信息").click()
    expect(phone_cell).to_contain_text(masked(phone))


def test_the_data_use_page_lists_a_clerk_looking_at_my_account(page, live_server, store, live_app):
    phone = new_phone()
    log_in(page, live_server, store, phone)
    clerk_looks_at(live_app, account_of(live_app, phone)["_id"])

    page.get_by_role("button", name="数据使用记录").click()

    records = page.get_by_role("group", name="数据使用记录")
    expect(records).to_contain_text("窗口核验身份")
    expect(records).to_contain_text("窗口工作人员 查看了：身份证号、姓名、手机号")


def test_logging_out_everywhere_ends_the_session_on_other_devices_too(page, live_server, store, browser):
    phone = new_phone()
    log_in(page, live_server, store, phone)
    other = browser.new_context(locale="zh-CN").new_page()
    log_in(other, live_server, store, phone)

    page.get_by_role("button", name="在所有设备上退出").click()
    page.get_by_role("dialog").get_by_role("button", name="全部退出").click()
    expect(page.get_by_role("button", name="登录 / 注册")).to_be_visible()

    other.get_by_role("button", name="登录设备").click()
    expect(other).to_have_url(re.compile(r"/login\?redirect="))
    other.context.close()


def test_an_expired_access_token_is_refreshed_once_and_the_request_asked_again(page, live_server, store):
    log_in(page, live_server, store, new_phone())
    expired = []

    def answer_expired_once(route):
        # What the API says 15 minutes after login; the page cannot be made to wait that long.
        if expired:
            route.continue_()
            return
        expired.append(route.request.url)
        route.fulfill(
            status=401,
            json={"status": 401, "code": "invalid_token", "message": "登录已过期或无效，请重新登录", "errors": {}},
        )

    page.route("**/api/v1/me/sessions", answer_expired_once)
    with page.expect_response("**/api/v1/auth/refresh") as refreshed:
        page.get_by_role("button", name="登录设备").click()

    assert refreshed.value.status == 200
    expect(page.get_by_text("当前设备")).to_be_visible()
    expect(page).to_have_url(live_server + "/me/sessions")
    assert len(expired) == 1

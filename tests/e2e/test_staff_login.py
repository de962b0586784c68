"""Staff log in with the username and password the operator gave them; the first login sets a new one."""

from __future__ import annotations

from playwright.sync_api import expect

from .identity import add_staff


def test_a_wrong_password_is_shown_under_the_password_field(page, live_server, live_app):
    add_staff(live_app, "clerk-wrong")
    page.goto(live_server + "/staff-login")

    page.get_by_role("textbox", name="用户名").fill("clerk-wrong")
    page.get_by_label("密码", exact=True).fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()

    password_field = page.locator(".van-field", has=page.get_by_label("密码", exact=True))
    expect(password_field.get_by_role("alert")).to_have_text("用户名或密码错误")


def test_the_first_staff_login_asks_for_a_new_password_then_logs_in(page, live_server, live_app):
    one_time = add_staff(live_app, "clerk-first", name="周敏")
    page.goto(live_server + "/me")
    page.get_by_role("link", name="工作人员登录").click()

    page.get_by_role("textbox", name="用户名").fill("clerk-first")
    page.get_by_label("密码", exact=True).fill(one_time)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_label("新密码", exact=True).fill("窗口-新密码-2026")
    page.get_by_label("确认新密码").fill("窗口-新密码-2026")
    page.get_by_role("button", name="设置新密码并登录").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("周敏")
    expect(page.get_by_text("工作人员", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="实名认证")).to_have_count(0)

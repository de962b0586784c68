"""The inbox (消息) in the browser: unread badges, the list, marking read, someone else's messages."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from notifications.channels.inbox import INBOX
from notifications.outbox import enqueue
from notifications.templates_zh import TEMPLATES

from .identity import account_of, latest_code, log_in, new_phone

_serial = itertools.count(1)


def notify(store, account_id: str, event: str, at: datetime) -> str:
    """An event for the account, in the outbox as the service that causes it writes it; returns the message id."""
    message = enqueue(store, event, account_id, TEMPLATES[event].sample, f"e2e-inbox:{next(_serial)}", now=at)
    return message["_id"]


def run_notifications_worker(app) -> None:
    """What `flask notifications-worker --once` does on the server: the inbox entries are written."""
    result = app.test_cli_runner().invoke(args=["notifications-worker", "--once"])
    assert result.exit_code == 0, result.output


def register(app, phone: str) -> str:
    """Another resident with an account of their own, through the real API; returns its id."""
    store = app.extensions["store"]
    store["rate_limits"].delete_many({})
    client = app.test_client()
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "login"})
    assert sent.status_code < 300, sent.get_json()
    login = client.post("/api/v1/auth/login", json={"phone": phone, "code": latest_code(store, phone)})
    assert login.status_code == 200, login.get_json()
    return login.get_json()["account"]["id"]


def come_back_to_the_app(page) -> None:
    """The phone shows the app again after another app was in front (visibilitychange)."""
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


def unread(title: str) -> re.Pattern:
    """The accessible name of an unread notification: the hidden 未读 before its title."""
    return re.compile(rf"^未读，\s*{title}$")


def me_tab(page):
    return page.get_by_role("navigation", name="主导航").get_by_role("tab", name="我的")


def test_two_delivered_messages_show_as_unread_and_opening_one_marks_it_read(page, live_server, store, live_app):
    phone = new_phone()
    log_in(page, live_server, store, phone)
    me = account_of(live_app, phone)["_id"]
    someone_else = register(live_app, new_phone())
    submitted = notify(store, me, "application.submitted", datetime(2026, 5, 3, 6, 30, tzinfo=UTC))
    notify(store, me, "application.accepted", datetime(2026, 5, 3, 7, 0, tzinfo=UTC))
    notify(store, someone_else, "application.rejected", datetime(2026, 5, 3, 7, 30, tzinfo=UTC))
    run_notifications_worker(live_app)

    come_back_to_the_app(page)

    expect(me_tab(page)).to_have_attribute("aria-label", "我的，2条未读消息")
    expect(me_tab(page).locator(".van-badge")).to_have_text("2")
    messages_cell = page.get_by_role("button", name="消息")
    expect(messages_cell).to_contain_text("2")
    expect(messages_cell).to_contain_text("2条未读消息")

    messages_cell.click()
    expect(page).to_have_url(live_server + "/me/messages")
    notifications = page.get_by_role("feed", name="消息列表").get_by_role("article")
    expect(notifications).to_have_count(2)
    newest, oldest = notifications.nth(0), notifications.nth(1)
    expect(newest).to_have_accessible_name(unread("申请已受理"))
    expect(newest).to_contain_text("2026/05/03 15:00")  # Beijing time
    expect(newest).to_contain_text("承诺15个工作日内办结")
    expect(oldest).to_have_accessible_name(unread("申请已提交"))
    expect(oldest).to_contain_text("2026/05/03 14:30")
    expect(page.get_by_text("申请未通过")).to_have_count(0)

    oldest.get_by_role("button").click()

    # It opens its application's page (the sample message names an application that is not there).
    expect(page).to_have_url(re.compile(r"/me/applications/app_\w+$"))
    expect(page.get_by_text("找不到该申请")).to_be_visible()
    expect(me_tab(page)).to_have_attribute("aria-label", "我的，1条未读消息")
    expect(me_tab(page).locator(".van-badge")).to_have_text("1")
    assert store[INBOX].find_one({"_id": submitted})["read_at"] is not None

    page.get_by_role("button", name="返回").click()
    expect(oldest).to_have_accessible_name("申请已提交")
    expect(newest).to_have_accessible_name(unread("申请已受理"))


def test_the_unread_badge_is_there_again_after_a_reload(page, live_server, store, live_app):
    phone = new_phone()
    log_in(page, live_server, store, phone)
    notify(store, account_of(live_app, phone)["_id"], "application.approved", datetime(2026, 5, 4, 2, 0, tzinfo=UTC))
    run_notifications_worker(live_app)

    page.reload()

    expect(me_tab(page)).to_have_attribute("aria-label", "我的，1条未读消息")
    expect(page.get_by_role("button", name="消息")).to_contain_text("1条未读消息")


def test_an_account_without_messages_sees_no_badge_and_an_empty_inbox(page, live_server, store):
    log_in(page, live_server, store, new_phone())

    come_back_to_the_app(page)
    expect(me_tab(page)).to_have_accessible_name("我的")
    expect(me_tab(page).locator(".van-badge")).to_have_count(0)
    page.get_by_role("button", name="消息").click()

    expect(page.get_by_text("暂无消息")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(0)

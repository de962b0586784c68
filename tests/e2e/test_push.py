"""Push on a phone: asked only after the first submitted application, subscribed with the server's VAPID
key, the server holds the subscription; a push shows a notification that opens the right page; logging
out removes the subscription.

Headless Chromium has no push service here (it would talk to Google's): the page's
PushManager.subscribe answers a subscription made up by the test, with keys the server accepts, and
the push reaches the service worker through DevTools (ServiceWorker.deliverPushMessage) with the
payload the server's Web Push channel builds."""

from __future__ import annotations

import base64
import io
import json
import os

import pytest
from playwright.sync_api import expect

from notifications.channels.webpush import WebPushChannel
from notifications.subscriptions import SUBSCRIPTIONS, subscription_id
from notifications.templates import Rendered

from .one_thing import BUNDLE, PDF, SHOP, act_for_the_restaurant, li_na, log_in_as_li_na, screenshot
from .test_install import BROWSER_OFFERS_INSTALL


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ENDPOINT = f"https://fcm.googleapis.com/fcm/send/e2e-{os.urandom(6).hex()}"
KEYS = {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))}

# The browser's side of a push service: subscribe() remembers what it was asked with and answers the
# test's subscription; getSubscription() finds it again until unsubscribe().
FAKE_PUSH_SERVICE = """
((made) => {
  if (!('PushManager' in self)) return
  const subscription = (options) => ({
    endpoint: made.endpoint,
    options,
    toJSON() { return { endpoint: this.endpoint, keys: made.keys } },
    async unsubscribe() { localStorage.removeItem('e2e.push'); return true },
  })
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey)
    const asked = { userVisibleOnly: options.userVisibleOnly, keyLength: key.length, first: key[0] }
    localStorage.setItem('e2e.push', JSON.stringify(asked))
    return subscription(options)
  }
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem('e2e.push') ? subscription({}) : null
  }
})(%s)
"""

SHOWN = """() => navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((shown) => shown.map((n) => ({ title: n.title, body: n.body, url: n.data && n.data.url })))"""


@pytest.fixture
def push_app(own_demo_app):
    return own_demo_app


@pytest.fixture
def push_server(own_demo_server):
    return own_demo_server


def ready_to_submit(app) -> dict:
    """李娜's 开办餐饮店 draft with every value and material: only 提交申请 is left."""
    applicant = li_na(app)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": BUNDLE})
    draft = applicant.call("PATCH", f"/applications/{draft['id']}", json={"values": SHOP, "version": draft["version"]})
    for material in draft["materials"]:
        base = f"/applications/{draft['id']}/materials/{material['code']}"
        if material["source"] == "form":
            draft = applicant.call("POST", f"{base}/declaration", json={"version": draft["version"]})
        elif material["source"] == "upload":
            form = {"version": str(draft["version"]), "file": (io.BytesIO(PDF), "plan.pdf")}
            draft = applicant.call("POST", f"{base}/upload", data=form, content_type="multipart/form-data")
    return draft


def deliver_push(page, payload: str) -> None:
    """What the browser's push service would do: hand the payload to the app's service worker."""
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    origin = page.evaluate("location.origin")
    registration = next(r for r in registrations if r["scopeURL"].startswith(origin) and not r["isDeleted"])
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration["registrationId"], "data": payload},
    )


def test_after_the_first_submission_the_app_asks_for_progress_notifications_and_shows_a_push(page, push_server, push_app):
    store = push_app.extensions["store"]
    draft = ready_to_submit(push_app)
    page.context.grant_permissions(["notifications"], origin=push_server)
    page.add_init_script(FAKE_PUSH_SERVICE.replace("%s", json.dumps({"endpoint": ENDPOINT, "keys": KEYS})))
    act_for_the_restaurant(page)
    log_in_as_li_na(page, push_server, store)
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    expect(page.get_by_role("dialog").filter(has_text="办理进度通知")).to_have_count(0)  # never on a first visit

    page.goto(f"{push_server}/services/apply/{draft['id']}?step=review")
    page.get_by_role("button", name="提交申请").click()
    ask = page.get_by_role("dialog").filter(has_text="办理进度通知")
    expect(ask).to_contain_text("进度会及时提醒您")
    screenshot(page, "push-1-asked-after-submitting")
    ask.get_by_role("button", name="开启通知").click()
    expect(ask).to_be_hidden()

    sub_id = subscription_id(ENDPOINT)
    page.wait_for_function("localStorage.getItem('e2e.push') !== null")
    asked = json.loads(page.evaluate("localStorage.getItem('e2e.push')"))
    assert asked == {"userVisibleOnly": True, "keyLength": 65, "first": 4}  # the server's VAPID key, uncompressed P-256
    for _ in range(50):
        saved = store[SUBSCRIPTIONS].find_one({"_id": sub_id})
        if saved:
            break
        page.wait_for_timeout(100)
    assert saved and saved["endpoint"] == ENDPOINT and saved["keys"] == KEYS
    applicant_id = saved["account_id"]

    # The server's own payload for a notification about this application.
    application_link = f"/applications/{draft['id']}"
    rendered = Rendered(title="申请已受理", body="您的开办餐饮店一件事申请已受理。", sms=None, link=application_link)
    payload = WebPushChannel._payload(None, {"_id": "ntf_e2e", "event": "application.accepted"}, rendered)
    deliver_push(page, payload)
    for _ in range(50):
        shown = page.evaluate(SHOWN)
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [{"title": "申请已受理", "body": "您的开办餐饮店一件事申请已受理。", "url": application_link}]

    # A tap opens the link's page in the open window (the event as the worker receives it on a tap;
    # focusing needs a real tap, so it may be refused here); a link elsewhere opens 消息 instead.
    worker = page.context.service_workers[0]
    page.goto(push_server + "/me")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    worker.evaluate("""async () => {
      const [shown] = await self.registration.getNotifications()
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown }))
    }""")
    expect(page).to_have_url(f"{push_server}/me/applications/{draft['id']}")
    expect(page.get_by_role("heading", level=2, name="开办餐饮店一件事")).to_be_visible()
    screenshot(page, "push-2-opened-from-the-notification")
    assert worker.evaluate(f"self.onetripNotificationTarget({application_link!r})") == application_link
    assert worker.evaluate("self.onetripNotificationTarget('https://evil.example/x')") == "/me/messages"
    assert worker.evaluate("self.onetripNotificationTarget('//evil.example/x')") == "/me/messages"
    assert worker.evaluate("self.onetripNotificationTarget(null)") == "/me/messages"

    # The first submission also makes the app worth offering for the home screen.
    page.evaluate(BROWSER_OFFERS_INSTALL)
    expect(page.get_by_role("region", name="添加到主屏幕")).to_be_visible()

    # Logging out: the server stops pushing to this phone for her.
    page.goto(push_server + "/me")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("dialog").get_by_role("button", name="退出").click()
    expect(page.get_by_text("已退出登录")).to_be_visible()
    assert store[SUBSCRIPTIONS].count_documents({"_id": sub_id, "account_id": applicant_id}) == 0
    assert page.evaluate("localStorage.getItem('e2e.push')") is None

"""The inbox and push-subscription endpoints under /api/v1/me/, as a logged-in resident uses them."""

import base64
import json

import pytest

from notifications.channels.inbox import INBOX, InboxChannel
from notifications.channels.sms import latest_sms
from notifications.outbox import OUTBOX
from notifications.subscriptions import SUBSCRIPTIONS

from .conftest import T0, Clock, make_message, make_worker
from .test_webpush import Browser


@pytest.fixture
def deliver(store):
    """deliver(account_id, n) puts n notifications, a minute apart, into the account's inbox."""

    def make(account_id="acc-1", n=1, event="application.submitted"):
        clock = Clock(T0)
        ids = []
        for i in range(n):
            ids.append(make_message(store, event, account_id=account_id, key=f"{account_id}-{event}-{i}", now=clock.now)["_id"])
            clock.advance(60)
        store[OUTBOX].update_many({}, {"$unset": {"channels.webpush": ""}})
        make_worker(store, {"inbox": InboxChannel(store)}, clock).drain()
        return ids

    return make


def test_my_notifications_are_listed_newest_first_one_page_at_a_time(client, auth_header, deliver):
    ids = deliver("acc-1", 3)
    first = client.get("/api/v1/me/notifications?page=1&page_size=2", headers=auth_header("acc-1"))
    second = client.get("/api/v1/me/notifications?page=2&page_size=2", headers=auth_header("acc-1"))
    assert first.status_code == 200
    assert [item["id"] for item in first.json + second.json] == list(reversed(ids))
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    item = first.json[0]
    assert item["title"] == "申请已提交" and item["read_at"] is None and item["link"].startswith("/applications/")
    assert set(item) == {"id", "event", "title", "body", "link", "created_at", "read_at"}


def test_i_see_only_my_own_notifications(client, auth_header, deliver):
    deliver("acc-2", 2)
    mine = deliver("acc-1", 1)
    response = client.get("/api/v1/me/notifications", headers=auth_header("acc-1"))
    assert [item["id"] for item in response.json] == mine


def test_marking_a_notification_read_lowers_the_unread_count_and_is_idempotent(client, auth_header, deliver):
    ids = deliver("acc-1", 2)
    headers = auth_header("acc-1")
    assert client.get("/api/v1/me/notifications/unread-count", headers=headers).json == {"unread": 2}
    first = client.post(f"/api/v1/me/notifications/{ids[0]}/read", headers=headers)
    again = client.post(f"/api/v1/me/notifications/{ids[0]}/read", headers=headers)
    assert first.status_code == 200 and first.json["read_at"] is not None
    assert again.status_code == 200 and again.json["read_at"] == first.json["read_at"]
    assert client.get("/api/v1/me/notifications/unread-count", headers=headers).json == {"unread": 1}


def test_another_accounts_notification_is_not_found_and_stays_unread(client, auth_header, deliver, store):
    theirs = deliver("acc-2", 1)[0]
    response = client.post(f"/api/v1/me/notifications/{theirs}/read", headers=auth_header("acc-1"))
    assert response.status_code == 404 and response.json["code"] == "notification_not_found"
    assert store[INBOX].find_one({"_id": theirs})["read_at"] is None


def test_a_notification_id_that_does_not_exist_is_not_found(client, auth_header):
    assert client.post("/api/v1/me/notifications/msg_nope/read", headers=auth_header("acc-1")).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/notifications"),
        ("get", "/api/v1/me/notifications/unread-count"),
        ("post", "/api/v1/me/notifications/msg_x/read"),
        ("post", "/api/v1/me/push-subscriptions"),
        ("delete", "/api/v1/me/push-subscriptions"),
    ],
)
def test_my_endpoints_need_a_login(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401 and response.json["code"] == "unauthenticated"


def push_body(endpoint="http://127.0.0.1:9/push/1"):
    return {"endpoint": endpoint, "keys": Browser().keys, "expirationTime": None}


def test_subscribing_this_browser_to_web_push_stores_the_subscription_for_me(client, auth_header, store):
    response = client.post("/api/v1/me/push-subscriptions", json=push_body(), headers=auth_header("acc-1"))
    assert response.status_code == 201 and response.json["endpoint"] == "http://127.0.0.1:9/push/1"
    assert store[SUBSCRIPTIONS].find_one({"_id": response.json["id"]})["account_id"] == "acc-1"


def test_unsubscribing_removes_my_subscription_and_is_idempotent(client, auth_header, store):
    headers = auth_header("acc-1")
    client.post("/api/v1/me/push-subscriptions", json=push_body(), headers=headers)
    for _ in range(2):
        response = client.delete("/api/v1/me/push-subscriptions", json={"endpoint": "http://127.0.0.1:9/push/1"}, headers=headers)
        assert response.status_code == 204
    assert store[SUBSCRIPTIONS].count_documents({}) == 0


@pytest.mark.parametrize(
    "body",
    [
        push_body("https://attacker.example/collect"),
        {"endpoint": "http://127.0.0.1:9/push/1"},
        {**push_body(), "keys": {"p256dh": "A" * 87, "auth": "B" * 22}},
        {"endpoint": "not a url", "keys": Browser().keys},
    ],
)
def test_a_subscription_that_is_not_a_real_push_service_subscription_is_refused_and_not_stored(client, auth_header, store, body):
    response = client.post("/api/v1/me/push-subscriptions", json=body, headers=auth_header("acc-1"))
    assert response.status_code == 422 and response.json["errors"]
    assert store[SUBSCRIPTIONS].count_documents({}) == 0


def test_the_vapid_public_key_is_public_and_is_a_p256_point(client):
    response = client.get("/api/v1/push/vapid-public-key")
    assert response.status_code == 200
    assert base64.urlsafe_b64decode(response.json["public_key"] + "=")[0] == 4


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/me/notifications",
        "/api/v1/me/notifications/unread-count",
        "/api/v1/me/notifications/{notification_id}/read",
        "/api/v1/me/push-subscriptions",
        "/api/v1/push/vapid-public-key",
    ):
        assert path in paths


def test_the_worker_command_sends_what_is_due(app, store):
    make_message(store, "verification_code", account_id=None, phone="13800138000")
    result = app.test_cli_runner().invoke(args=["notifications-worker", "--once"])
    assert result.exit_code == 0 and "sent 1 message(s)" in result.output
    assert latest_sms(store, "13800138000")["text"].startswith("【一次办】您的验证码是")
    assert store["sms_log"].count_documents({}) == 1

"""Subscription messages of the mini-program, through the real worker against the WeChat sandbox over
loopback: permissions counted per template from wx.requestSubscribeMessage's result and consumed one per
message, the configured fallback (SMS) when none is left or the user refused (43101: spent), and values
cut to the platform's per-type rules."""

from __future__ import annotations

import pytest

from api import create_app
from auth.crypto import field_cipher
from notifications.channels.sms import latest_sms
from notifications.miniprogram_permissions import PERMISSIONS, SENDS
from notifications.miniprogram_templates import DEFAULTS, ELLIPSIS, fit, load
from notifications.outbox import OUTBOX
from notifications.settings import NotificationSettings
from notifications.worker import Worker
from tests.notifications.conftest import make_message
from tests.wechat.conftest import login_code, phone_code, wechat_sandbox  # noqa: F401 - the sandbox fixture
from wechat.sandbox.app import openid_for
from wechat.sandbox.fields import invalid_field

SUBSCRIPTIONS = "/api/v1/notifications/miniprogram/subscriptions"
ACCEPTED = DEFAULTS["application.accepted"]["template_id"]
APPROVED = DEFAULTS["application.approved"]["template_id"]
LONG_NAME = "公众聚集场所投入使用营业前消防安全检查一件事"  # 22 characters: longer than a thing field's 20


@pytest.fixture
def app(tmp_path, wechat_sandbox):  # noqa: F811 - the imported fixture
    return create_app({"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING", "QUIET_HOURS": "off",
                       "WECHAT_API_BASE": wechat_sandbox.url})  # fmt: skip


@pytest.fixture
def store(app):
    return app.extensions["store"]


class Resident:
    def __init__(self, client, token: str, account_id: str, openid: str, phone: str | None):
        self.client, self.account_id, self.openid, self.phone = client, account_id, openid, phone
        self.headers = {"Authorization": f"Bearer {token}"}

    def report(self, result: dict):
        return self.client.post(SUBSCRIPTIONS, json={"errMsg": "requestSubscribeMessage:ok", **result}, headers=self.headers)

    def permissions(self) -> dict[str, int]:
        response = self.client.get(SUBSCRIPTIONS, headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return {entry["template_id"]: entry["count"] for entry in response.get_json()}


@pytest.fixture
def resident(app):
    """resident(who, phone) -> someone logged in to the mini-program (wx.login through the sandbox), with the
    phone the platform verified bound to the account unless `phone` is None."""

    def make(who: str = "alice", phone: str | None = "13900000001") -> Resident:
        client = app.test_client()
        body = client.post("/api/v1/auth/miniprogram/login", json={"code": login_code(who)}).get_json()
        token = body["access_token"]
        if phone:
            bound = client.post("/api/v1/auth/miniprogram/phone", json={"code": phone_code(phone)},
                                headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert bound.status_code == 200, bound.get_json()
            token = bound.get_json()["access_token"]
        openid = openid_for(app.config["WECHAT_APPID"], who)
        return Resident(client, token, body["account"]["id"], openid, phone)

    return make


def worker(app, **config) -> Worker:
    """The worker with its production channels, as `flask notifications-worker` builds it."""
    settings = NotificationSettings.from_config({**app.config, **config})
    with app.app_context():
        cipher = field_cipher()
    return Worker.from_settings(settings, app.extensions["store"], cipher=cipher)


def channel_of(store, message: dict) -> dict:
    return store[OUTBOX].find_one({"_id": message["_id"]})["channels"]["miniprogram"]


def test_each_accept_adds_one_permission_to_its_template_and_the_counts_are_listed(resident):
    alice = resident(phone=None)

    first = alice.report({ACCEPTED: "accept", APPROVED: "reject"})
    alice.report({ACCEPTED: "accept", APPROVED: "accept"})

    assert first.status_code == 200
    assert {e["template_id"]: e["count"] for e in first.get_json()}[ACCEPTED] == 1
    counts = alice.permissions()
    assert counts[ACCEPTED] == 2 and counts[APPROVED] == 1 and len(counts) == len(DEFAULTS)
    assert next(e for e in first.get_json() if e["template_id"] == ACCEPTED)["events"] == ["application.accepted"]


def test_permissions_are_each_accounts_own_and_a_ban_spends_them(resident):
    alice, bob = resident("alice", phone=None), resident("bob", phone=None)
    alice.report({ACCEPTED: "accept"})
    alice.report({ACCEPTED: "accept", APPROVED: "accept"})

    bob.report({ACCEPTED: "accept"})
    alice.report({ACCEPTED: "ban"})

    assert alice.permissions()[ACCEPTED] == 0 and alice.permissions()[APPROVED] == 1
    assert bob.permissions()[ACCEPTED] == 1


def test_a_message_takes_one_permission_however_often_it_asks_on_each_engine(engine_store):
    from notifications import miniprogram_permissions as permissions

    permissions.record_results(engine_store, "acc-1", {ACCEPTED: "accept"})
    permissions.record_results(engine_store, "acc-1", {ACCEPTED: "accept"})

    assert [permissions.take(engine_store, "msg-1", "acc-1", ACCEPTED) for _ in range(3)] == ["taken"] * 3
    permissions.sent(engine_store, "msg-1")
    assert permissions.take(engine_store, "msg-1", "acc-1", ACCEPTED) == "sent"
    assert permissions.take(engine_store, "msg-2", "acc-1", ACCEPTED) == "taken"
    assert permissions.take(engine_store, "msg-3", "acc-1", ACCEPTED) is None  # none left: never below 0
    permissions.give_back(engine_store, "msg-2")
    assert permissions.counts(engine_store, "acc-1") == {ACCEPTED: 1}


def test_an_unknown_template_or_result_is_refused_with_422_and_nothing_is_counted(resident, store):
    alice = resident(phone=None)

    unknown = alice.report({ACCEPTED: "accept", "not-our-template": "accept"})
    odd = alice.report({ACCEPTED: "maybe"})
    empty = alice.report({})

    assert [r.status_code for r in (unknown, odd, empty)] == [422, 422, 422]
    assert "not-our-template" in unknown.get_json()["errors"]
    assert store[PERMISSIONS].count_documents({}) == 0


def test_a_message_is_sent_through_the_sandbox_while_a_permission_is_left_and_takes_one(app, resident, store, wechat_sandbox):  # noqa: F811
    alice = resident()
    alice.report({ACCEPTED: "accept"})
    alice.report({ACCEPTED: "accept"})
    message = make_message(store, "application.accepted", alice.account_id, bundle_name=LONG_NAME)

    worker(app).drain()

    sent = wechat_sandbox.control("GET", "/messages")
    assert len(sent) == 1 and sent[0]["touser"] == alice.openid and sent[0]["template_id"] == ACCEPTED
    assert sent[0]["page"] == f"pages/applications/detail?id={message['data']['application_id']}"
    assert sent[0]["data"]["thing1"]["value"] == LONG_NAME[:19] + ELLIPSIS  # cut to 20 characters, the last an ellipsis
    assert sent[0]["data"]["character_string2"]["value"] == message["data"]["application_no"]
    assert sent[0]["data"]["thing4"]["value"] == "承诺15个工作日内办结" and sent[0]["miniprogram_state"] == "formal"
    assert channel_of(store, message)["state"] == "sent" and alice.permissions()[ACCEPTED] == 1
    assert store["inbox"].find_one({"_id": message["_id"]}) is not None  # the inbox has it as always


def test_a_message_retried_after_the_platform_was_unreachable_takes_its_permission_once(app, resident, store, wechat_sandbox):  # noqa: F811
    alice = resident()
    alice.report({ACCEPTED: "accept"})
    alice.report({ACCEPTED: "accept"})
    message = make_message(store, "application.accepted", alice.account_id)

    worker(app, WECHAT_API_BASE="http://127.0.0.1:9").drain()  # nobody listens there
    first = channel_of(store, message)
    store[OUTBOX].update_one({"_id": message["_id"]}, {"$set": {"due_at": message["due_at"]}})  # due again now
    worker(app).drain()

    assert first["state"] == "pending" and "unavailable" in first["last_error"]
    assert channel_of(store, message)["state"] == "sent" and len(wechat_sandbox.control("GET", "/messages")) == 1
    assert alice.permissions()[ACCEPTED] == 1  # two permissions, one message, however many tries
    assert store[SENDS].find_one({"_id": message["_id"]})["state"] == "sent"


def test_without_a_permission_the_message_falls_back_to_an_sms_to_the_accounts_phone(app, resident, store, wechat_sandbox):  # noqa: F811
    alice = resident()
    message = make_message(store, "application.approved", alice.account_id)

    worker(app).drain()

    channel = channel_of(store, message)
    assert channel["state"] == "skipped" and channel["detail"]["fallback"] == "sms"
    assert channel["detail"]["reason"] == "no permission left"
    assert wechat_sandbox.control("GET", "/messages") == []
    assert "已办结" in latest_sms(store, alice.phone)["text"]


def test_a_refusal_43101_spends_the_templates_permissions_and_falls_back(app, resident, store, wechat_sandbox):  # noqa: F811
    alice = resident()
    for _ in range(3):
        alice.report({APPROVED: "accept"})
    wechat_sandbox.control("POST", "/refusals", json={"openid": alice.openid, "template_id": APPROVED})
    message = make_message(store, "application.approved", alice.account_id)

    worker(app).drain()

    channel = channel_of(store, message)
    assert channel["detail"] == {**channel["detail"], "fallback": "sms", "reason": "43101 user refused"}
    assert alice.permissions()[APPROVED] == 0
    assert latest_sms(store, alice.phone) is not None


def test_with_the_inbox_as_fallback_no_sms_is_sent(app, resident, store):
    alice = resident()
    message = make_message(store, "application.approved", alice.account_id)

    worker(app, MINIPROGRAM_FALLBACK="inbox").drain()

    assert channel_of(store, message)["detail"] == {"fallback": "inbox", "reason": "no permission left"}
    assert latest_sms(store, alice.phone) is None and store["inbox"].find_one({"_id": message["_id"]}) is not None


def test_an_account_not_bound_to_the_miniprogram_gets_no_subscription_message(store):
    message = make_message(store, "application.approved", "acc-pwa-only")

    assert set(message["channels"]) == {"inbox", "webpush"}


@pytest.mark.parametrize(
    ("kind", "value", "fitted"),
    [
        ("thing", "一" * 20, "一" * 20),
        ("thing", "一" * 21, "一" * 19 + ELLIPSIS),
        ("thing", "第一行\n第二行  很长", "第一行 第二行 很长"),
        ("character_string", "YC2026-05-03/000123号" + "9" * 20, "YC2026-05-03/000123" + "9" * 13),
        ("number", "共 1,234.5 件", "1234.5"),
        ("phrase", "办结（已完成）", "办结已完成"),
        ("phrase", "已经全部办结了", "已经全部办"),
        ("name", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜"),
        ("name", "Alexander-Maximilian-Longname", "Alexander-Maximilian"),
        ("letter", "abc123def", "abcdef"),
        ("symbol", "!!-//**", "!!-//"),
    ],
)
def test_a_value_is_cut_to_its_field_types_rule(kind, value, fitted):
    assert fit(kind, value) == fitted


def test_every_default_template_renders_its_events_sample_within_the_platforms_rules():
    from notifications.templates_zh import TEMPLATES

    for event, template in load().items():
        page, data = template.render(TEMPLATES[event].sample)
        assert invalid_field(data) is None, (event, data)
        assert page.startswith("pages/") and "{" not in page


def test_a_template_that_uses_data_its_event_does_not_have_is_refused_at_start_up():
    from notifications.templates import TemplateError

    with pytest.raises(TemplateError):
        load({"payment.due": {"template_id": "t", "page": "", "data": {"thing1": "{no_such_field}"}}})
    with pytest.raises(TemplateError):
        load('{"payment.due": {"template_id": "t", "page": "", "data": {"keyword1": "{bundle_name}"}}}')

"""Web Push: encrypted, VAPID-signed pushes to a loopback push service; a 404/410 removes the subscription."""

import base64
import json
import os

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api.errors import Invalid
from notifications import subscriptions, vapid
from notifications.channels.webpush import WebPushChannel
from notifications.outbox import OUTBOX, RETRY, SENT

from .conftest import RecordingChannel, make_message, make_worker
from .stubs import StubServer

LOOPBACK = ("127.0.0.1",)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Browser:
    """The browser side of a subscription: its ECDH key pair and auth secret, to decrypt what arrives."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.private_key.public_key()
        public = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.keys = {"p256dh": b64(public), "auth": b64(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
def keys_dir(tmp_path):
    return str(tmp_path / "keys")


@pytest.fixture
def push_service():
    with StubServer(status=201) as stub:
        yield stub


def subscribe(store, push_service, path="/push/1", account_id="acc-1", browser=None):
    browser = browser or Browser()
    subscriptions.subscribe(store, account_id, push_service.url(path), browser.keys, LOOPBACK)
    return browser


def worker_with_push(store, keys_dir, clock):
    push = WebPushChannel(store, keys_dir, "mailto:ops@onetrip.invalid", LOOPBACK, timeout=2)
    return make_worker(store, {"inbox": RecordingChannel("inbox"), "webpush": push}, clock)


def test_a_push_arrives_encrypted_for_the_browser_and_signed_with_our_vapid_key(sqlite_store, keys_dir, push_service, clock):
    browser = subscribe(sqlite_store, push_service)
    message = make_message(sqlite_store)
    worker_with_push(sqlite_store, keys_dir, clock).drain()

    request = push_service.requests[0]
    assert request["headers"]["content-encoding"] == "aes128gcm"
    payload = browser.decrypt(request["body"])
    assert payload["id"] == message["_id"] and payload["title"] == "申请已提交"
    assert payload["link"] == "/applications/app_0123456789abcdefghijkl"

    scheme, _, params = request["headers"]["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == vapid.public_key_b64(keys_dir)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), base64.urlsafe_b64decode(fields["k"] + "=="))
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=push_service.url("").rstrip("/"))
    assert claims["sub"] == "mailto:ops@onetrip.invalid"
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["channels"]["webpush"]["state"] == "sent"


def test_a_410_from_the_push_service_removes_the_subscription_and_the_message_is_still_sent(
    sqlite_store, keys_dir, push_service, clock
):
    subscribe(sqlite_store, push_service, "/push/gone")
    subscribe(sqlite_store, push_service, "/push/alive")
    push_service.statuses["/push/gone"] = 410
    message = make_message(sqlite_store)
    worker_with_push(sqlite_store, keys_dir, clock).drain()
    remaining = [s["endpoint"] for s in subscriptions.for_account(sqlite_store, "acc-1")]
    assert remaining == [push_service.url("/push/alive")]
    after = sqlite_store[OUTBOX].find_one({"_id": message["_id"]})
    gone = subscriptions.subscription_id(push_service.url("/push/gone"))
    assert after["state"] == SENT and after["channels"]["webpush"]["detail"]["removed"] == [gone]


def test_a_404_removes_the_only_subscription_and_the_channel_is_skipped(sqlite_store, keys_dir, push_service, clock):
    subscribe(sqlite_store, push_service)
    push_service.status = 404
    message = make_message(sqlite_store)
    worker_with_push(sqlite_store, keys_dir, clock).drain()
    assert subscriptions.for_account(sqlite_store, "acc-1") == []
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["channels"]["webpush"]["state"] == "skipped"


def test_a_push_service_error_keeps_the_subscription_and_retries_only_the_browsers_not_yet_reached(
    sqlite_store, keys_dir, push_service, clock
):
    subscribe(sqlite_store, push_service, "/push/ok")
    subscribe(sqlite_store, push_service, "/push/flaky")
    push_service.statuses["/push/flaky"] = 503
    message = make_message(sqlite_store)
    worker = worker_with_push(sqlite_store, keys_dir, clock)
    worker.drain()
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["state"] == RETRY
    assert len(subscriptions.for_account(sqlite_store, "acc-1")) == 2
    push_service.statuses["/push/flaky"] = 201
    clock.advance(30)
    worker.drain()
    paths = [request["path"] for request in push_service.requests]
    assert sorted(paths) == ["/push/flaky", "/push/flaky", "/push/ok"]
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["state"] == SENT


def test_an_account_without_subscriptions_skips_web_push(sqlite_store, keys_dir, clock):
    message = make_message(sqlite_store)
    worker_with_push(sqlite_store, keys_dir, clock).drain()
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["channels"]["webpush"]["state"] == "skipped"


def test_the_vapid_key_is_created_once_in_the_keys_directory_readable_by_the_owner_only(keys_dir):
    first = vapid.public_key_b64(keys_dir)
    vapid.private_key.cache_clear()
    assert vapid.public_key_b64(keys_dir) == first
    assert len(base64.urlsafe_b64decode(first + "=")) == 65
    assert oct(os.stat(os.path.join(keys_dir, vapid.KEY_FILE)).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://evil.example.com/push",
        "http://fcm.googleapis.com/fcm/send/x",  # push services only over https
        "https://fcm.googleapis.com.evil.example/x",
        "https://user:pw@fcm.googleapis.com/x",
        "http://10.0.0.1/x",
        "file:///etc/passwd",
    ],
)
def test_an_endpoint_that_is_not_a_known_push_service_is_refused(endpoint):
    from notifications.settings import PUSH_SERVICE_HOSTS

    assert not subscriptions.endpoint_allowed(endpoint, PUSH_SERVICE_HOSTS)


def test_the_browsers_own_push_services_are_allowed():
    from notifications.settings import PUSH_SERVICE_HOSTS

    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ):
        assert subscriptions.endpoint_allowed(endpoint, PUSH_SERVICE_HOSTS), endpoint


def test_keys_that_are_not_a_browsers_push_keys_are_refused(sqlite_store, push_service):
    not_a_point = {"p256dh": b64(b"x" * 65), "auth": b64(b"a" * 16)}
    with pytest.raises(Invalid):
        subscriptions.subscribe(sqlite_store, "acc-1", push_service.url("/p"), not_a_point, LOOPBACK)


def test_subscribing_the_same_browser_again_keeps_one_subscription_owned_by_the_last_account(sqlite_store, push_service):
    browser = Browser()
    subscribe(sqlite_store, push_service, account_id="acc-1", browser=browser)
    subscribe(sqlite_store, push_service, account_id="acc-2", browser=browser)
    assert subscriptions.for_account(sqlite_store, "acc-1") == []
    assert len(subscriptions.for_account(sqlite_store, "acc-2")) == 1


def test_an_account_cannot_unsubscribe_another_accounts_browser(sqlite_store, push_service):
    subscribe(sqlite_store, push_service, account_id="acc-1")
    assert subscriptions.unsubscribe(sqlite_store, "acc-2", push_service.url("/push/1")) is False
    assert subscriptions.unsubscribe(sqlite_store, "acc-1", push_service.url("/push/1")) is True

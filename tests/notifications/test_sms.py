"""SMS: the console provider keeps what it 'sent'; the HTTP provider signs each request."""

import hashlib
import hmac
import json
import logging
import time

import pytest

from auth.crypto import cipher_for_store
from notifications.channels.base import RetryLater, Undeliverable
from notifications.channels.sms import SMS_LOG, ConsoleSmsProvider, HttpSmsProvider, SmsChannel, latest_sms, sign_request
from notifications.outbox import OUTBOX, SENT
from notifications.settings import NotificationSettings
from notifications.worker import Worker

from .conftest import make_message, make_worker
from .stubs import StubServer

SECRET = "test-sms-secret"


class SmsGatewayStub(StubServer):
    """Answers 401 unless the HMAC signature over timestamp, nonce and body is right and fresh."""

    def answer(self, path, headers, raw):
        timestamp, nonce, signature = headers.get("X-Timestamp", ""), headers.get("X-Nonce", ""), headers.get("X-Signature", "")
        expected = hmac.new(SECRET.encode(), f"{timestamp}\n{nonce}\n".encode() + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature) or abs(time.time() - int(timestamp or 0)) > 300:
            return 401
        return super().answer(path, headers, raw)


def test_the_console_provider_logs_the_text_and_keeps_it_for_tests_and_the_demo(sqlite_store, clock, caplog):
    message = make_message(sqlite_store, "verification_code", account_id=None, phone="13800138000", code="654321")
    with caplog.at_level(logging.INFO, logger="onetrip.notifications.sms"):
        make_worker(sqlite_store, {"sms": SmsChannel(ConsoleSmsProvider(sqlite_store))}, clock).drain()
    text = latest_sms(sqlite_store, "13800138000")["text"]
    assert text == "【一次办】您的验证码是654321，5分钟内有效。工作人员不会索要验证码，请勿告诉他人。"
    assert "654321" in caplog.text and "138****8000" in caplog.text and "13800138000" not in caplog.text
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["channels"]["sms"]["detail"]["segments"] == 1


def test_once_the_code_is_sent_no_stored_document_and_no_log_line_holds_the_phone_unmasked(sqlite_store, clock, caplog):
    make_message(sqlite_store, "verification_code", account_id=None, phone="13800138000", code="654321")
    with caplog.at_level(logging.DEBUG, logger="onetrip"):  # every logger of ours, whatever propagates
        make_worker(sqlite_store, {"sms": SmsChannel(ConsoleSmsProvider(sqlite_store))}, clock).drain()
    assert sqlite_store[SMS_LOG].count_documents({}) == 1
    for name in sqlite_store.list_collection_names():
        for document in sqlite_store[name].find({}):
            assert "13800138000" not in json.dumps(document, ensure_ascii=False), name
    assert "13800138000" not in caplog.text and "138****8000" in caplog.text


def test_a_message_queued_with_a_plaintext_phone_before_the_upgrade_is_still_sent(sqlite_store, clock):
    message = make_message(sqlite_store, "verification_code", account_id=None, phone="13800138000")
    legacy = {"account_id": None, "phone": "13800138000"}
    sqlite_store[OUTBOX].update_one({"_id": message["_id"]}, {"$set": {"recipient": legacy}})
    make_worker(sqlite_store, {"sms": SmsChannel(ConsoleSmsProvider(sqlite_store))}, clock).drain()
    assert sqlite_store[OUTBOX].find_one({"_id": message["_id"]})["state"] == SENT
    assert latest_sms(sqlite_store, "13800138000") is not None


def test_a_recipient_that_does_not_decrypt_is_dead_lettered_not_retried_forever(sqlite_store, clock):
    message = make_message(sqlite_store, "verification_code", account_id=None, phone="13800138000")
    sqlite_store[OUTBOX].update_one({"_id": message["_id"]}, {"$set": {"recipient.phone_enc": "v1.k1.AAAA"}})
    make_worker(sqlite_store, {"sms": SmsChannel(ConsoleSmsProvider(sqlite_store))}, clock).drain()
    after = sqlite_store[OUTBOX].find_one({"_id": message["_id"]})
    assert after["state"] == "dead" and after["last_error"].startswith("recipient:")
    assert sqlite_store[SMS_LOG].count_documents({}) == 0


def test_the_console_provider_keeps_one_copy_when_a_message_is_sent_again(sqlite_store):
    provider = ConsoleSmsProvider(sqlite_store)
    provider.send("13800138000", "【一次办】测试", "msg-1")
    provider.send("13800138000", "【一次办】测试", "msg-1")
    assert sqlite_store[SMS_LOG].count_documents({}) == 1


def test_the_sms_log_keeps_the_phone_encrypted_and_finds_it_by_blind_index(sqlite_store):
    cipher = cipher_for_store(sqlite_store)
    ConsoleSmsProvider(sqlite_store).send("13800138000", "【一次办】测试", "msg-1")
    entry = sqlite_store[SMS_LOG].find_one({})
    assert "13800138000" not in json.dumps(entry, ensure_ascii=False)
    assert cipher.decrypt(entry["phone_enc"], "sms_log.phone") == "13800138000"
    assert entry["phone_bi"] == cipher.blind_index("phone", "13800138000")
    assert latest_sms(sqlite_store, "13800138000")["_id"] == "msg-1"


def test_latest_sms_is_the_newest_text_to_that_phone(sqlite_store):
    provider = ConsoleSmsProvider(sqlite_store)
    provider.send("13800138000", "第一条", "msg-1")
    time.sleep(0.002)
    provider.send("13800138000", "第二条", "msg-2")
    provider.send("13900139000", "别人的", "msg-3")
    assert latest_sms(sqlite_store, "13800138000")["text"] == "第二条"


def test_the_http_provider_posts_a_signed_request_that_the_gateway_verifies():
    with SmsGatewayStub(status=200, body={"id": "gw-42"}) as gateway:
        provider_id = HttpSmsProvider(gateway.url("/sms"), SECRET, timeout=2).send("13800138000", "【一次办】你好", "msg-1")
    assert provider_id == "gw-42"
    body = json.loads(gateway.requests[0]["body"])
    assert body == {"phone": "13800138000", "text": "【一次办】你好", "sign": "一次办", "reference": "msg-1"}


def test_a_request_signed_with_another_secret_is_refused_by_the_gateway_and_not_retried():
    with SmsGatewayStub(status=200) as gateway, pytest.raises(Undeliverable, match="401"):
        HttpSmsProvider(gateway.url("/sms"), "wrong-secret", timeout=2).send("13800138000", "【一次办】你好", "msg-1")


def test_the_signature_covers_the_body():
    assert sign_request(SECRET, "1", "n", b'{"a":1}') != sign_request(SECRET, "1", "n", b'{"a":2}')


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_gateway_that_is_busy_or_down_means_retry_later(status):
    with SmsGatewayStub(status=status) as gateway, pytest.raises(RetryLater):
        HttpSmsProvider(gateway.url("/sms"), SECRET, timeout=2).send("13800138000", "【一次办】你好", "msg-1")


def test_an_unreachable_gateway_means_retry_later():
    with StubServer() as stub:
        url = stub.url("/sms")
    with pytest.raises(RetryLater, match="unreachable"):
        HttpSmsProvider(url, SECRET, timeout=1).send("13800138000", "【一次办】你好", "msg-1")


def test_the_worker_sends_through_the_http_provider_chosen_by_the_settings(sqlite_store, tmp_path):
    with SmsGatewayStub(status=200, body={"id": "gw-1"}) as gateway:
        config = {"SMS_PROVIDER": "http", "SMS_HTTP_URL": gateway.url("/sms"), "SMS_HTTP_SECRET": SECRET}
        settings = NotificationSettings.from_config({**config, "KEYS_DIR": str(tmp_path / "keys")})
        message = make_message(sqlite_store, "verification_code", account_id=None, phone="13800138000")
        Worker.from_settings(settings, sqlite_store).drain()
    after = sqlite_store[OUTBOX].find_one({"_id": message["_id"]})
    assert after["state"] == SENT and after["channels"]["sms"]["detail"]["provider_id"] == "gw-1"
    assert sqlite_store[SMS_LOG].count_documents({}) == 0


def test_the_http_provider_without_url_or_secret_is_refused_at_start_up():
    with pytest.raises(ValueError, match="SMS_HTTP"):
        NotificationSettings.from_config({"SMS_PROVIDER": "http", "SMS_HTTP_URL": "https://sms.example"})

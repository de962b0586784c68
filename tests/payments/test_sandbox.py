"""The sandbox gateway behaves as the real one where our code depends on it: it refuses requests not
signed by the merchant, signs its answers (and our client believes no other), keeps the refund rules,
and retries an unanswered notification on its schedule, then gives up."""

from __future__ import annotations

import dataclasses
import time

import pytest
import requests

from payments import protocol
from payments.port import ProviderError, ProviderUnavailable
from payments.wechatpay import WeChatPayClient
from tests.payments.conftest import FAST_SCHEDULE, ok, order_state, pay_on_the_payer_page, submitted_transfer, wait_for


def test_a_request_without_the_merchants_signature_is_refused_with_a_signed_answer(sandbox):
    body = {"appid": sandbox.settings.appid, "mchid": sandbox.settings.mchid, "description": "x", "out_trade_no": "OT1234567",
            "notify_url": "http://127.0.0.1:9/notify", "amount": {"total": 1, "currency": "CNY"}}  # fmt: skip

    answer = requests.post(sandbox.settings.base_url + "/v3/pay/transactions/native", json=body, timeout=5)

    assert answer.status_code == 401 and answer.json()["code"] == "SIGN_ERROR"
    protocol.check_platform_signature(answer.headers, answer.text, sandbox.settings.platform_key.public_key(),
                                      sandbox.settings.platform_serial)  # fmt: skip


def test_our_client_believes_no_answer_signed_by_another_platform_key(app, sandbox, worker):
    other = protocol.load_private_key(protocol.new_rsa_pem()).public_key()
    client = WeChatPayClient(dataclasses.replace(worker.real.settings, platform_public_key=other))

    with pytest.raises(ProviderUnavailable) as raised:
        client.query("OT" + "0" * 30)

    assert raised.value.code == "SIGN_ERROR"  # not "ORDER_NOT_EXIST": an unverified refusal is no answer either


def test_the_gateway_refunds_no_more_than_was_paid(buyer, sandbox, worker, store):
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    wait_for(lambda: order_state(store, app_id) == "paid")
    client = worker.real.provider

    first = client.refund(payment["out_trade_no"], "RF-TEST-1", 5000, 8000, "测试")
    same = client.refund(payment["out_trade_no"], "RF-TEST-1", 5000, 8000, "测试")
    with pytest.raises(ProviderError) as too_much:
        client.refund(payment["out_trade_no"], "RF-TEST-2", 3001, 8000, "测试")

    assert first["refund_id"] == same["refund_id"] and first["status"] == "PROCESSING"
    assert too_much.value.code == "INVALID_REQUEST"


def test_an_unanswered_notification_is_retried_on_the_schedule_then_given_up(sandbox):
    sandbox.notifier.paused = True
    sandbox.ledger.queue_notice("transaction", "pay:test", sandbox.settings.mchid, "http://127.0.0.1:9/nobody-listens",
                                "TRANSACTION.SUCCESS", "支付成功", {"algorithm": "AEAD_AES_256_GCM"})  # fmt: skip
    sandbox.notifier.paused = False

    notices = sandbox.ledger.store["sb_notices"]
    notice = wait_for(lambda: (n := notices.find_one({"_id": "pay:test"}))["state"] == "given_up" and n, timeout=15)

    assert notice["attempts"] == len(FAST_SCHEDULE) + 1
    times = [time.mktime(time.strptime(entry["at"][:19], "%Y-%m-%dT%H:%M:%S")) for entry in notice["log"]]
    assert times[-1] - times[0] >= sum(FAST_SCHEDULE) - 1

"""Our payment callback, fed notifications built here from the public v3 documents with the sandbox's
platform key and APIv3 key (an independent implementation: `cryptography` only, none of payments/),
sent over HTTP to the app serving on loopback."""

from __future__ import annotations

import base64
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from notifications.outbox import OUTBOX
from payments.orders import ALERTS, ATTEMPTS, FEE_ORDERS
from payments.tasks import TASKS
from tests.payments.conftest import ok, order_state, submitted_transfer, unchanged

WATCHED = (FEE_ORDERS, ATTEMPTS, OUTBOX, TASKS, "application_events")


def transaction(sandbox, out_trade_no: str, total: int = 8000, **changes) -> dict:
    settings = sandbox.settings
    body = {
        "appid": settings.appid,
        "mchid": settings.mchid,
        "out_trade_no": out_trade_no,
        "transaction_id": "4200002026050312345678901234",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": "2026-05-03T14:30:00+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
    }
    return {**body, **changes}


def notification(sandbox, resource: dict, *, key=None, timestamp: int | None = None) -> tuple[bytes, dict]:
    """Body and headers as the gateway sends them: AEAD_AES_256_GCM resource, SHA256withRSA over ts\\nnonce\\nbody\\n."""
    settings = sandbox.settings
    nonce12 = secrets.token_hex(6)
    sealed = AESGCM(settings.apiv3_key).encrypt(nonce12.encode(), json.dumps(resource).encode(), b"transaction")
    body = json.dumps({
        "id": "EV-2018022511223320873",
        "create_time": "2026-05-03T14:30:01+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(), "associated_data": "transaction", "nonce": nonce12},
    }, ensure_ascii=False).encode()  # fmt: skip
    stamp, nonce = str(timestamp or int(time.time())), secrets.token_hex(16).upper()
    signed = f"{stamp}\n{nonce}\n{body.decode()}\n".encode()
    signature = (key or settings.platform_key).sign(signed, padding.PKCS1v15(), hashes.SHA256())
    headers = {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": settings.platform_serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return body, headers


@pytest.fixture
def awaiting(buyer, sandbox, servers):
    """An application whose QR code is shown: (application id, out_trade_no, callback URL)."""
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    return app_id, payment["out_trade_no"], servers[0].url + "/api/v1/payments/wechatpay/notify"


def post(url: str, body: bytes, headers: dict) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_twenty_concurrent_copies_of_a_notification_mark_the_order_paid_once(awaiting, sandbox, store):
    app_id, out_trade_no, url = awaiting
    body, headers = notification(sandbox, transaction(sandbox, out_trade_no))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: post(url, body, headers), range(20)))

    assert [a.status_code for a in answers] == [204] * 20  # a duplicate is answered as a success
    assert time.monotonic() - started < 5
    assert order_state(store, app_id) == "paid"
    assert store[OUTBOX].count_documents({"event": "payment.received", "data.application_id": app_id}) == 1
    assert store[TASKS].count_documents({"kind": "issue_results", "data.application_id": app_id}) == 1
    assert store["application_events"].count_documents({"application_id": app_id, "action": "pay"}) == 1
    assert store[FEE_ORDERS].find_one({"application_id": app_id})["version"] == 3  # created, QR shown, paid: once


@pytest.mark.parametrize(
    "spoil",
    ["tampered body", "wrong signature", "stale timestamp", "unknown key serial"],
)
def test_a_notification_that_does_not_verify_is_refused_and_changes_nothing(awaiting, sandbox, store, spoil):
    app_id, out_trade_no, url = awaiting
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if spoil == "wrong signature" else None
    stamp = int(time.time()) - 301 if spoil == "stale timestamp" else None
    body, headers = notification(sandbox, transaction(sandbox, out_trade_no), key=key, timestamp=stamp)
    if spoil == "tampered body":
        body = body.replace(b'"summary": "', b'"summary": "x')
    if spoil == "unknown key serial":
        headers["Wechatpay-Serial"] = "PUB_KEY_ID_0000000000000000000000000000000"

    with unchanged(store, *WATCHED):
        answer = post(url, body, headers)

    assert answer.status_code == 401
    assert answer.json()["code"] == "FAIL" and answer.json()["message"]
    assert order_state(store, app_id) == "pending"


@pytest.mark.parametrize(
    "changes",
    [{"total": 1}, {"mchid": "1900000001"}, {"appid": "wx0000000000000000"}, {"out_trade_no": "OT" + "0" * 30}],
    ids=["wrong amount", "other merchant", "other app", "unknown order"],
)
def test_a_verified_notification_that_does_not_match_our_order_is_refused_alerted_and_changes_nothing(
    awaiting, sandbox, store, changes
):
    app_id, out_trade_no, url = awaiting
    changes = dict(changes)
    total, out_trade_no = changes.pop("total", 8000), changes.pop("out_trade_no", out_trade_no)
    body, headers = notification(sandbox, transaction(sandbox, out_trade_no, total=total, **changes))

    with unchanged(store, *WATCHED):
        answer = post(url, body, headers)

    assert answer.status_code == 400 and answer.json()["code"] == "FAIL"
    assert store[ALERTS].count_documents({"kind": "notification_mismatch"}) == 1
    assert order_state(store, app_id) == "pending"


def test_a_resource_encrypted_under_another_key_is_refused(awaiting, sandbox, store):
    app_id, out_trade_no, url = awaiting
    real_key = sandbox.settings.apiv3_key
    sandbox.settings.apiv3_key = b"A" * 32
    try:
        body, headers = notification(sandbox, transaction(sandbox, out_trade_no))
    finally:
        sandbox.settings.apiv3_key = real_key

    with unchanged(store, *WATCHED):
        answer = post(url, body, headers)

    assert answer.status_code == 401 and order_state(store, app_id) == "pending"

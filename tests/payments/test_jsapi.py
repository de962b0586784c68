"""A resident pays a fee inside the mini-program (JSAPI), over loopback HTTP: our client places the
JSAPI order at the sandbox for the account's openid, the API hands back wx.requestPayment's
parameters signed by the merchant key, the sandbox's "phone" checks them and pays, and the same
signed, encrypted notification as for a QR code marks the order paid once. PWA sessions keep the QR code."""

from __future__ import annotations

import base64

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from api.config import load_config
from notifications.outbox import OUTBOX
from payments import orders
from payments.settings import MERCHANT_KEY_FILE
from tests.applications.conftest import Caller
from tests.payments.conftest import ok, order_state, pay_on_the_payer_page, submitted_transfer, unchanged, wait_for
from tests.wechat.conftest import SandboxServer, login_code
from wechat.sandbox import Sandbox
from wechat.sandbox.app import openid_for

MINI_APPID = "wx5ca1ab1e5ca1ab1e"  # the mini-program: not the app of the Native orders


@pytest.fixture
def mini_platform():
    """The WeChat platform's sandbox for our mini-program, whose app id is not the Native orders' one."""
    server = SandboxServer(Sandbox.from_config({**load_config(environ={}), "WECHAT_APPID": MINI_APPID}))
    yield server
    server.stop()


@pytest.fixture
def config(config, mini_platform):
    return {**config, "WECHAT_APPID": MINI_APPID, "WECHAT_API_BASE": mini_platform.url}


@pytest.fixture
def in_miniprogram(app):
    """in_miniprogram(caller) -> the same person logged in to the mini-program: wx.login's code sent with their
    PWA token binds their WeChat user (the sandbox's) to the account, and the new session is `chan: miniprogram`.
    in_miniprogram(caller, bound=False): a mini-program session whose account has no openid (unbound since)."""

    def make(caller: Caller, bound: bool = True) -> Caller:
        client = app.test_client()
        who = f"payer{caller.person.id_number[-6:]}"
        login = client.post("/api/v1/auth/miniprogram/login", json={"code": login_code(who)}, headers=caller.headers)
        assert login.status_code == 200, login.get_json()
        mini = Caller(client, {"Authorization": f"Bearer {login.get_json()['access_token']}"}, caller.account_id, caller.person)
        if not bound:
            app.extensions["store"]["wechat_accounts"].delete_many({"account_id": caller.account_id})
        mini.extra["openid"] = openid_for(MINI_APPID, who)
        return mini

    return make


def merchant_public_key(config):
    """The merchant's PUBLIC key, read with cryptography alone: what the payment app verifies paySign with."""
    with open(f"{config['DATA_DIR']}/keys/{MERCHANT_KEY_FILE}", "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), password=None).public_key()


def pays_on_the_phone(sandbox, request_payment: dict, payer: Caller, **changes) -> requests.Response:
    """What wx.requestPayment does inside the messaging app of `payer`, as the sandbox plays it."""
    call = {**request_payment, "appId": MINI_APPID, "openid": payer.extra["openid"], **changes}
    return requests.post(sandbox.settings.base_url + "/_sandbox/request-payment", json=call, timeout=5)


def test_a_miniprogram_session_pays_a_fee_order_by_jsapi_and_the_order_is_paid_exactly_once(
    buyer, in_miniprogram, sandbox, worker, store, config
):
    applicant = in_miniprogram(buyer())
    app_id = submitted_transfer(applicant)["id"]

    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]

    assert payment["kind"] == "jsapi" and "code_url" not in payment and payment["amount_fen"] == 8000
    params = payment["request_payment"]
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["package"] == f"prepay_id={payment['prepay_id']}" and params["signType"] == "RSA"
    assert params["timeStamp"].isdigit() and len(params["nonceStr"]) == 32
    signed = f"{MINI_APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    merchant_public_key(config).verify(base64.b64decode(params["paySign"]), signed, padding.PKCS1v15(), hashes.SHA256())
    placed = worker.real.provider.query(payment["out_trade_no"])
    assert placed["trade_type"] == "JSAPI" and placed["appid"] == MINI_APPID and placed["trade_state"] == "NOTPAY"
    assert ok(applicant.post(f"/applications/{app_id}/payment"))["payment"] == payment  # the same prepay, asked again
    assert ok(applicant.get(f"/applications/{app_id}/payment"))["payment"] == payment

    answer = pays_on_the_phone(sandbox, params, applicant)

    assert answer.json() == {"errMsg": "requestPayment:ok"}
    paid = wait_for(lambda: (view := ok(applicant.get(f"/applications/{app_id}/payment")))["state"] == "paid" and view)
    assert paid["paid_fen"] == 8000 and paid["receipt"]["out_trade_no"] == payment["out_trade_no"]
    assert worker.real.provider.query(payment["out_trade_no"])["payer"] == {"openid": applicant.extra["openid"]}
    notice = wait_for(lambda: next(iter(sandbox.ledger.store["sb_notices"].find({"state": "delivered"})), None))
    assert all(sandbox.notifier.deliver({**notice, "attempts": 0}) for _ in range(3))  # duplicates, each taken (204)
    assert [m["event"] for m in store[OUTBOX].find({"data.application_id": app_id})].count("payment.received") == 1
    attempt = store[orders.ATTEMPTS].find_one({"out_trade_no": payment["out_trade_no"]})
    assert attempt["state"] == "paid" and attempt["settled_by"] == "notification"
    assert attempt["payer_openid"] == applicant.extra["openid"]


def test_a_miniprogram_session_without_a_bound_openid_is_refused_and_nothing_is_stored(buyer, in_miniprogram, sandbox, store):
    applicant = in_miniprogram(buyer("13800000021", "王芳"), bound=False)
    app_id = submitted_transfer(applicant)["id"]

    with unchanged(store, orders.ATTEMPTS, orders.FEE_ORDERS):
        refused = applicant.post(f"/applications/{app_id}/payment")

    assert refused.status_code == 409 and refused.get_json()["code"] == "wechat_not_bound"
    assert "小程序" in refused.get_json()["message"]
    assert sandbox.ledger.store["sb_orders"].count_documents({}) == 0


def test_the_phone_pays_only_with_the_merchants_signature_and_as_the_orders_payer(buyer, in_miniprogram, sandbox, store):
    applicant = in_miniprogram(buyer("13800000022", "李娜"))
    app_id = submitted_transfer(applicant)["id"]
    params = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]["request_payment"]
    forged = base64.b64encode(b"\x00" * 256).decode()

    refusals = [
        pays_on_the_phone(sandbox, params, applicant, paySign=forged),
        pays_on_the_phone(sandbox, params, applicant, timeStamp=str(int(params["timeStamp"]) + 1)),  # signed over another moment
        pays_on_the_phone(sandbox, params, applicant, openid="oSomeoneElse"),
        pays_on_the_phone(sandbox, params, applicant, action="cancel"),
    ]

    assert [r.status_code for r in refusals] == [400, 400, 403, 200]
    assert refusals[0].json()["errMsg"] == "requestPayment:fail 支付验证签名失败"
    assert refusals[3].json()["errMsg"] == "requestPayment:fail cancel"
    assert order_state(store, app_id) == "pending"
    assert pays_on_the_phone(sandbox, params, applicant).json()["errMsg"] == "requestPayment:ok"
    assert pays_on_the_phone(sandbox, params, applicant).status_code == 409  # paid: not a second time
    wait_for(lambda: order_state(store, app_id) == "paid")


def test_a_pwa_session_still_gets_the_native_qr_code_and_closes_the_miniprograms_open_prepay(
    buyer, in_miniprogram, sandbox, worker, store
):
    pwa = buyer("13800000023", "赵磊")
    mini = in_miniprogram(pwa)
    app_id = submitted_transfer(pwa)["id"]
    prepay = ok(mini.post(f"/applications/{app_id}/payment"))["payment"]

    qr = ok(pwa.post(f"/applications/{app_id}/payment"))["payment"]
    worker.run_tasks()

    assert qr["kind"] == "native" and qr["code_url"].startswith(sandbox.settings.base_url + "/pay/")
    assert qr["qr_svg"].startswith("<svg") and qr["out_trade_no"] != prepay["out_trade_no"]
    assert worker.real.provider.query(prepay["out_trade_no"])["trade_state"] == "CLOSED"
    assert ok(mini.get(f"/applications/{app_id}/payment"))["payment"] is None  # the live one is a QR code now
    assert pays_on_the_phone(sandbox, prepay["request_payment"], mini).status_code == 409
    pay_on_the_payer_page(qr["code_url"])
    wait_for(lambda: order_state(store, app_id) == "paid")


def test_pay_sign_is_the_documents_four_lines_signed_by_the_merchant_key(app):
    from payments.jsapi import request_payment
    from payments.settings import settings_for

    settings = settings_for(app)
    params = request_payment(settings, "wx201410272009395522657a690389285100", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")
    signed = b"wx5ca1ab1e5ca1ab1e\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"

    settings.merchant_key.public_key().verify(base64.b64decode(params["paySign"]), signed, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        settings.merchant_key.public_key().verify(base64.b64decode(params["paySign"]), signed.replace(b"1414", b"1415"),
                                                  padding.PKCS1v15(), hashes.SHA256())  # fmt: skip

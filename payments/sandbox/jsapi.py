"""The sandbox's JSAPI side: `POST /v3/pay/transactions/jsapi` (JSAPI下单, the mini-program's orders) and
what the payment app does when the mini-program calls `wx.requestPayment`.

The order is checked like a Native one (the merchant's signature, mchid, an appid bound to the
merchant, amount, notify_url) and also needs `payer.openid`; the answer is a prepay_id, the same one
for the same out_trade_no and parameters, valid 2 hours.

`POST /_sandbox/request-payment` stands for the payer's phone (a test-control endpoint: it has no
counterpart at the real gateway). Its body is wx.requestPayment's parameters as our API returned
them, plus `appId` (the mini-program the call is made in) and `openid` (who is logged in to the
messaging app). As the payment app does, it refuses a paySign that does not verify with the
merchant's public key, a payer who is not the order's, and an order that is paid, closed or past
its time; otherwise the payer pays (`"action": "cancel"`: the payer closes the sheet, nothing
happens) and the same signed, encrypted TRANSACTION.SUCCESS notification as for a QR code is queued.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, jsonify

from .. import protocol
from . import ledger as books
from .gateway import GatewayError, SandboxSettings, _signed, expired, json_body, pay, place_order

PREPAY_SECONDS = 7200  # a prepay_id is valid for 2 hours


def new_prepay_id() -> str:
    """wx + the moment (Beijing time) + 20 hex characters: 36 characters, the form of the documents' example."""
    return "wx" + dt.datetime.now(protocol.SHANGHAI).strftime("%Y%m%d%H%M%S") + secrets.token_hex(10)


def jsapi_routes(app: Flask, settings: SandboxSettings, ledger: books.Ledger) -> None:
    @app.post("/v3/pay/transactions/jsapi")
    def jsapi():
        body = json_body()
        openid = (body.get("payer") or {}).get("openid") if isinstance(body.get("payer"), dict) else None
        if not isinstance(openid, str) or not 1 <= len(openid) <= 128:
            raise GatewayError(400, "PARAM_ERROR", "payer.openid 不能为空")
        if body.get("appid") != settings.miniprogram_appid:
            raise GatewayError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        order = place_order(settings, ledger, body, "JSAPI", openid, {"prepay_id": new_prepay_id()})
        return _signed(settings, 200, {"prepay_id": order["prepay_id"]})

    @app.post("/_sandbox/request-payment")
    def request_payment():
        outcome, status = _request_payment(settings, ledger, json_body())
        return jsonify(errMsg=f"requestPayment:{outcome}"), status


def _request_payment(settings: SandboxSettings, ledger: books.Ledger, call: dict) -> tuple[str, int]:
    """What the payment app answers the mini-program: ("ok", 200) or ("fail <reason>", 4xx)."""
    fields = {name: call.get(name) for name in ("appId", "timeStamp", "nonceStr", "package", "signType", "paySign")}
    if not all(isinstance(value, str) and value for value in fields.values()):
        return "fail 参数缺失", 400
    if fields["signType"] != "RSA":
        return "fail signType 仅支持 RSA", 400
    message = protocol.pay_sign_message(fields["appId"], fields["timeStamp"], fields["nonceStr"], fields["package"])
    if not protocol.verify(settings.merchant_public_key, message, fields["paySign"]):
        return "fail 支付验证签名失败", 400
    order = ledger.order_by_prepay_id(fields["package"].removeprefix("prepay_id="))
    if order is None or order["appid"] != fields["appId"]:
        return "fail prepay_id 不存在", 404
    if call.get("openid") != order["payer_openid"]:
        return "fail 当前微信用户不是下单用户", 403
    if order["trade_state"] != "NOTPAY" or expired(order) or _prepay_expired(order):
        return "fail 订单已支付、已关闭或已过期", 409
    if call.get("action") == "cancel":
        return "fail cancel", 200
    paid = pay(settings, ledger, order)
    return ("ok", 200) if paid is not None else ("fail 订单已支付", 409)


def _prepay_expired(order: dict) -> bool:
    return protocol.parse_rfc3339(order["created"]).timestamp() + PREPAY_SECONDS < books.now()

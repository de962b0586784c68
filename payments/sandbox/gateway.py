"""The sandbox gateway: the WeChat Pay API v3 endpoints we use, on loopback, with a platform key of its own.

Native orders here; JSAPI orders (the mini-program) and the payer's wx.requestPayment in jsapi.py.

It checks each merchant request as the real gateway does (Authorization scheme, mchid, serial, a
fresh timestamp, the SHA256withRSA signature over the request), signs each response with its
platform key, serves a payer page at each order's code_url (确认支付 / 模拟失败) and sends signed,
encrypted notifications to the order's notify_url (notifier.py). Started by `make run` on
127.0.0.1:8010 (`python -m payments.sandbox`); tests run it in a thread.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, abort, request

from .. import protocol
from ..settings import apiv3_key, merchant_key_pem, platform_serial_of, sandbox_platform_key_pem
from . import ledger as books
from .pages import payer_page, result_page

OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-*|]{6,32}$")
OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-*|]{1,64}$")


@dataclass
class SandboxSettings:
    base_url: str
    mchid: str
    appid: str
    miniprogram_appid: str  # the mini-program bound to the merchant: JSAPI orders name it
    platform_key: Any
    platform_serial: str
    merchant_public_key: Any
    merchant_serial: str
    apiv3_key: bytes
    ledger_path: str
    schedule: tuple[float, ...]
    refund_delay: float = 1.0

    @classmethod
    def from_config(cls, config) -> SandboxSettings:
        platform_key = protocol.load_private_key(sandbox_platform_key_pem(config))
        merchant_key = protocol.load_private_key(merchant_key_pem(config))
        schedule = tuple(float(step) for step in str(config["SANDBOX_NOTIFY_SCHEDULE"]).split(",") if step.strip())
        return cls(
            base_url=str(config["WECHATPAY_BASE_URL"]).rstrip("/"),
            mchid=str(config["WECHATPAY_MCHID"]),
            appid=str(config["WECHATPAY_APPID"]),
            miniprogram_appid=str(config.get("WECHAT_APPID") or config["WECHATPAY_APPID"]),
            platform_key=platform_key,
            platform_serial=config.get("WECHATPAY_PLATFORM_SERIAL") or platform_serial_of(platform_key.public_key()),
            merchant_public_key=merchant_key.public_key(),
            merchant_serial=config.get("WECHATPAY_MERCHANT_SERIAL") or protocol.key_fingerprint(merchant_key.public_key()),
            apiv3_key=apiv3_key(config),
            ledger_path=f"{config['DATA_DIR']}/wechatpay-sandbox.sqlite3",
            schedule=schedule,
        )


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _signed(settings: SandboxSettings, status: int, body: dict | None = None) -> Response:
    """A response with the platform's signature headers, as every answer of the real gateway."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
    headers = protocol.signed_headers(settings.platform_key, settings.platform_serial, text)
    return Response(text, status=status, headers=headers, content_type="application/json" if text else None)


def create_gateway(settings: SandboxSettings) -> Flask:
    app = Flask("payments.sandbox", static_folder=None)
    app.json.ensure_ascii = False
    ledger = books.Ledger(settings.ledger_path)
    app.extensions["sandbox"] = {"settings": settings, "ledger": ledger}

    @app.errorhandler(GatewayError)
    def gateway_error(error: GatewayError):
        return _signed(settings, error.status, {"code": error.code, "message": error.message})

    @app.before_request
    def check_merchant():
        if request.path.startswith("/v3/"):
            _check_merchant_signature(settings)

    from .jsapi import jsapi_routes

    _order_routes(app, settings, ledger)
    jsapi_routes(app, settings, ledger)
    _refund_and_bill_routes(app, settings, ledger)
    _payer_routes(app, settings, ledger)
    return app


def _order_routes(app: Flask, settings: SandboxSettings, ledger: books.Ledger) -> None:
    @app.post("/v3/pay/transactions/native")
    def native():
        order = place_order(settings, ledger, json_body(), "NATIVE")
        return _signed(settings, 200, {"code_url": f"{settings.base_url}/pay/{order['pay_token']}"})

    @app.get("/v3/pay/transactions/out-trade-no/<out_trade_no>")
    def query(out_trade_no: str):
        if request.args.get("mchid") != settings.mchid:
            raise GatewayError(400, "PARAM_ERROR", "mchid 与请求方不一致")
        return _signed(settings, 200, transaction_view(_order(ledger, settings, out_trade_no)))

    @app.post("/v3/pay/transactions/out-trade-no/<out_trade_no>/close")
    def close(out_trade_no: str):
        if json_body().get("mchid") != settings.mchid:
            raise GatewayError(400, "PARAM_ERROR", "mchid 与请求方不一致")
        order = _order(ledger, settings, out_trade_no)
        if order["trade_state"] in ("SUCCESS", "REFUND"):
            raise GatewayError(400, "ORDERPAID", "订单已支付")
        if order["trade_state"] == "NOTPAY" and not ledger.change_order(order, "NOTPAY", {"trade_state": "CLOSED"}):
            raise GatewayError(400, "ORDERPAID", "订单已支付")  # paid in the meantime
        return _signed(settings, 204)


def _refund_and_bill_routes(app: Flask, settings: SandboxSettings, ledger: books.Ledger) -> None:
    from .refunds import refund_view, request_refund, settle_due_refunds

    @app.post("/v3/refund/domestic/refunds")
    def refund():
        return _signed(settings, 200, request_refund(settings, ledger, json_body()))

    @app.get("/v3/refund/domestic/refunds/<out_refund_no>")
    def query_refund(out_refund_no: str):
        settle_due_refunds(settings, ledger)
        found = ledger.refund(settings.mchid, out_refund_no)
        if found is None:
            raise GatewayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return _signed(settings, 200, refund_view(found))

    @app.get("/v3/bill/tradebill")
    def tradebill():
        bill_date = request.args.get("bill_date", "")
        try:
            day = dt.date.fromisoformat(bill_date)
        except ValueError:
            raise GatewayError(400, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-DD") from None
        if day > dt.datetime.now(protocol.SHANGHAI).date():
            raise GatewayError(400, "NO_STATEMENT_EXIST", "账单日期不能晚于今天")
        bill = ledger.make_bill(settings.mchid, bill_date)
        url = f"{settings.base_url}/v3/billdownload/file?token={bill['token']}"
        return _signed(settings, 200, {"hash_type": "SHA1", "hash_value": bill["hash_value"], "download_url": url})

    @app.get("/v3/billdownload/file")
    def bill_file():
        text = ledger.bill(request.args.get("token", ""))
        if text is None:
            raise GatewayError(404, "RESOURCE_NOT_EXISTS", "账单下载地址已失效")
        return Response(text.encode("utf-8"), content_type="text/plain; charset=utf-8")  # the file itself is not signed


def _payer_routes(app: Flask, settings: SandboxSettings, ledger: books.Ledger) -> None:
    """The page a payer reaches from the QR code: 确认支付 pays, 模拟失败 fails this try (the order stays payable)."""

    def order_for(token: str) -> dict:
        order = ledger.order_by_token(token)
        if order is None:
            abort(404)
        return order

    @app.get("/pay/<token>")
    def pay_page(token: str):
        return payer_page(order_for(token), expired(order_for(token)))

    @app.post("/pay/<token>/confirm")
    def confirm(token: str):
        order = order_for(token)
        if order["trade_state"] != "NOTPAY" or expired(order):
            return result_page(order, ok=False, reason="订单已关闭或已支付，无法再次支付")
        paid = pay(settings, ledger, order)
        return result_page(paid or ledger.order(order["mchid"], order["out_trade_no"]), ok=paid is not None)

    @app.post("/pay/<token>/fail")
    def fail(token: str):
        return result_page(order_for(token), ok=False, reason="模拟失败：零钱余额不足，本次未扣款，可重新扫码支付")


def pay(settings: SandboxSettings, ledger: books.Ledger, order: dict) -> dict | None:
    """The payer pays: the order becomes SUCCESS once, and its notification is queued."""
    changes = {
        "trade_state": "SUCCESS",
        "transaction_id": "4200" + dt.datetime.now(protocol.SHANGHAI).strftime("%Y%m%d") + f"{secrets.randbelow(10**16):016d}",
        "success_time": books.stamp(),
        "payer": {"openid": order.get("payer_openid") or "oSandbox" + secrets.token_urlsafe(12)},
        "bank_type": "OTHERS",
    }
    paid = ledger.change_order(order, "NOTPAY", changes)
    if paid is not None:
        resource = json.dumps(transaction_view(paid), ensure_ascii=False, separators=(",", ":"))
        sealed = protocol.encrypt_resource(settings.apiv3_key, resource, "transaction", "transaction")
        ledger.queue_notice("transaction", f"pay:{paid['_id']}", paid["mchid"], paid["notify_url"], "TRANSACTION.SUCCESS",
                            "支付成功", sealed)  # fmt: skip
    return paid


def transaction_view(order: dict) -> dict:
    view = {
        "appid": order["appid"],
        "mchid": order["mchid"],
        "out_trade_no": order["out_trade_no"],
        "trade_type": order.get("trade_type", "NATIVE"),
        "trade_state": order["trade_state"],
        "trade_state_desc": _STATE_DESC[order["trade_state"]],
        "attach": order.get("attach", ""),
        "amount": {"total": order["amount"]["total"], "currency": "CNY", "payer_currency": "CNY"},
    }
    if order.get("transaction_id"):
        view.update(transaction_id=order["transaction_id"], bank_type=order["bank_type"], success_time=order["success_time"],
                    payer=order["payer"])  # fmt: skip
        view["amount"]["payer_total"] = order["amount"]["total"]
    return view


_STATE_DESC = {"NOTPAY": "未支付", "SUCCESS": "支付成功", "CLOSED": "已关闭", "REFUND": "转入退款", "PAYERROR": "支付失败"}


def expired(order: dict) -> bool:
    expire = order.get("time_expire")
    return bool(expire) and protocol.parse_rfc3339(expire).timestamp() < books.now()


def json_body() -> dict:
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        raise GatewayError(400, "PARAM_ERROR", "请求体不是合法的JSON") from None
    if not isinstance(body, dict):
        raise GatewayError(400, "PARAM_ERROR", "请求体应为JSON对象")
    return body


def _order(ledger: books.Ledger, settings: SandboxSettings, out_trade_no: str) -> dict:
    order = ledger.order(settings.mchid, out_trade_no)
    if order is None:
        raise GatewayError(404, "ORDER_NOT_EXIST", "订单不存在")
    return order


def _check_merchant_signature(settings: SandboxSettings) -> None:
    try:
        fields = protocol.parse_authorization(request.headers.get("Authorization", ""))
        if fields["mchid"] != settings.mchid:
            raise protocol.ProtocolError("mchid unknown")
        if fields["serial_no"] != settings.merchant_serial:
            raise protocol.ProtocolError("serial_no is not the merchant certificate's")
        protocol.check_fresh(fields["timestamp"])
        url = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        message = protocol.request_message(request.method, url, fields["timestamp"], fields["nonce_str"],
                                           request.get_data(as_text=True))  # fmt: skip
        if not protocol.verify(settings.merchant_public_key, message, fields["signature"]):
            raise protocol.ProtocolError("signature does not verify")
    except protocol.ProtocolError as exc:
        raise GatewayError(401, "SIGN_ERROR", f"签名错误：{exc}") from None


def place_order(settings: SandboxSettings, ledger: books.Ledger, body: dict, trade_type: str,
                payer_openid: str | None = None, new_fields: dict | None = None) -> dict:  # fmt: skip
    """A new order (with `new_fields`), or the same order again for the same out_trade_no and parameters."""
    _check_order_body(settings, body)
    existing = ledger.order(settings.mchid, body["out_trade_no"])
    if existing is not None:
        same = existing["amount"]["total"] == body["amount"]["total"] and existing["description"] == body["description"]
        same = same and existing.get("trade_type", "NATIVE") == trade_type and existing.get("payer_openid") == payer_openid
        if not same:
            raise GatewayError(400, "INVALID_REQUEST", "商户订单号重复，且参数与原订单不一致")
        if existing["trade_state"] in ("SUCCESS", "REFUND"):
            raise GatewayError(400, "ORDERPAID", "该订单已支付")
        if existing["trade_state"] == "CLOSED":
            raise GatewayError(400, "ORDER_CLOSED", "订单已关闭")
        return existing
    return ledger.add_order(
        {"appid": body["appid"], "mchid": body["mchid"], "out_trade_no": body["out_trade_no"], "description": body["description"],
         "attach": body.get("attach", ""), "notify_url": body["notify_url"], "time_expire": body.get("time_expire"),
         "amount": {"total": body["amount"]["total"], "currency": "CNY"}, "trade_state": "NOTPAY", "created": books.stamp(),
         "trade_type": trade_type, "payer_openid": payer_openid, **(new_fields or {})}
    )  # fmt: skip


def _check_order_body(settings: SandboxSettings, body: dict) -> None:
    if body.get("appid") not in (settings.appid, settings.miniprogram_appid) or body.get("mchid") != settings.mchid:
        raise GatewayError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
    if not OUT_TRADE_NO.match(str(body.get("out_trade_no", ""))):
        raise GatewayError(400, "PARAM_ERROR", "out_trade_no 格式不正确")
    description = body.get("description")
    if not isinstance(description, str) or not description or len(description) > 127:
        raise GatewayError(400, "PARAM_ERROR", "description 长度应为1-127")
    amount = body.get("amount") or {}
    total = amount.get("total")
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0 or amount.get("currency", "CNY") != "CNY":
        raise GatewayError(400, "PARAM_ERROR", "amount.total 应为正整数（分），currency 为 CNY")
    if not str(body.get("notify_url", "")).startswith(("http://", "https://")):
        raise GatewayError(400, "PARAM_ERROR", "notify_url 不正确")
    if body.get("time_expire"):
        try:
            protocol.parse_rfc3339(body["time_expire"])
        except ValueError:
            raise GatewayError(400, "PARAM_ERROR", "time_expire 应为 rfc3339 格式") from None

"""The WeChat Pay API v3 merchant client (Native and JSAPI), written from the public protocol documents.

Every request is signed with the merchant key; every answer (a refusal too) must carry a fresh
platform signature by the configured platform public key, or it is not believed (ProviderUnavailable: the
caller retries with the same out_trade_no / out_refund_no, which the gateway treats idempotently).
Why not the `wechatpayv3` SDK: see docs/payments.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
from urllib.parse import quote, urlencode, urlsplit

import requests

from . import protocol
from .port import ProviderError, ProviderUnavailable
from .settings import PaymentSettings

log = logging.getLogger("onetrip.payments.wechatpay")


def dumps(body: dict) -> str:
    """The exact JSON text sent and signed (UTF-8, no spaces)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class WeChatPayClient:
    def __init__(self, settings: PaymentSettings, session: requests.Session | None = None):
        self.settings = settings
        self.http = session or requests.Session()

    # -- the wire ------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: dict | None = None, query: dict | None = None) -> tuple[int, dict]:
        url = path + ("?" + urlencode(query) if query else "")
        text = dumps(body) if body is not None else ""
        headers = {
            "Authorization": protocol.authorization(
                self.settings.mchid, self.settings.merchant_serial, self.settings.merchant_key, method, url, text
            ),
            "Accept": "application/json",
            "User-Agent": "onetrip-payments/1",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(
                method, self.settings.base_url + url, data=text.encode("utf-8") if body is not None else None,
                headers=headers, timeout=(min(2.0, self.settings.timeout), self.settings.timeout), allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            raise ProviderUnavailable(0, "NETWORK", type(exc).__name__) from None
        return self._answer(response)

    def _answer(self, response: requests.Response) -> tuple[int, dict]:
        text = response.content.decode("utf-8", errors="replace")
        if response.status_code >= 500:
            raise ProviderUnavailable(response.status_code, *_error(text))
        if response.status_code == 401 and not response.headers.get("Wechatpay-Signature"):
            raise ProviderError(401, *_error(text))  # our own signature was refused: the gateway signs no answer then
        try:
            protocol.check_platform_signature(
                response.headers, text, self.settings.platform_public_key, self.settings.platform_serial
            )
        except protocol.ProtocolError as exc:  # an answer we cannot believe changes nothing: like no answer at all
            log.error("gateway response not trusted", extra={"reason": str(exc), "status": response.status_code})
            raise ProviderUnavailable(response.status_code, "SIGN_ERROR", str(exc)) from None
        if response.status_code >= 400:
            raise ProviderError(response.status_code, *_error(text))
        try:
            return response.status_code, (json.loads(text) if text else {})
        except ValueError:
            raise ProviderUnavailable(response.status_code, "BAD_BODY", "response is not JSON") from None

    # -- the API ------------------------------------------------------------------------------

    def _order_body(self, appid: str, out_trade_no: str, description: str, amount_fen: int, time_expire: str,
                    attach: str) -> dict:  # fmt: skip
        body = {
            "appid": appid,
            "mchid": self.settings.mchid,
            "description": description[:127],
            "out_trade_no": out_trade_no,
            "time_expire": time_expire,
            "notify_url": self.settings.notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
        }
        if attach:
            body["attach"] = attach[:128]
        return body

    def create_native(self, out_trade_no: str, description: str, amount_fen: int, time_expire: str, attach: str = "") -> str:
        body = self._order_body(self.settings.appid, out_trade_no, description, amount_fen, time_expire, attach)
        _, answer = self._request("POST", "/v3/pay/transactions/native", body)
        if not answer.get("code_url"):
            raise ProviderUnavailable(200, "BAD_BODY", "no code_url in the answer")
        return answer["code_url"]

    def create_jsapi(self, out_trade_no: str, description: str, amount_fen: int, time_expire: str, payer_openid: str,
                     attach: str = "") -> str:  # fmt: skip
        """JSAPI下单 for the mini-program: the appid is the mini-program's, the payer its openid there."""
        body = self._order_body(self.settings.miniprogram_appid, out_trade_no, description, amount_fen, time_expire, attach)
        body["payer"] = {"openid": payer_openid}
        _, answer = self._request("POST", "/v3/pay/transactions/jsapi", body)
        if not answer.get("prepay_id"):
            raise ProviderUnavailable(200, "BAD_BODY", "no prepay_id in the answer")
        return answer["prepay_id"]

    def query(self, out_trade_no: str) -> dict:
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}"
        return self._request("GET", path, query={"mchid": self.settings.mchid})[1]

    def close(self, out_trade_no: str) -> None:
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}/close"
        self._request("POST", path, {"mchid": self.settings.mchid})

    def refund(self, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str) -> dict:
        body = {
            "out_trade_no": out_trade_no,
            "out_refund_no": out_refund_no,
            "reason": reason[:80],
            "notify_url": self.settings.refund_notify_url,
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        return self._request("POST", "/v3/refund/domestic/refunds", body)[1]

    def query_refund(self, out_refund_no: str) -> dict:
        return self._request("GET", f"/v3/refund/domestic/refunds/{quote(out_refund_no, safe='')}")[1]

    def trade_bill(self, bill_date: str) -> str:
        """Apply for the day's bill, then download it from the address given and check its SHA1."""
        _, answer = self._request("GET", "/v3/bill/tradebill", query={"bill_date": bill_date, "bill_type": "ALL"})
        location = urlsplit(answer.get("download_url") or "")
        if f"{location.scheme}://{location.netloc}" != self.settings.base_url:
            raise ProviderUnavailable(200, "BAD_BODY", "download_url is not on the gateway")  # never sign for another host
        path = location.path + (f"?{location.query}" if location.query else "")
        auth = protocol.authorization(self.settings.mchid, self.settings.merchant_serial, self.settings.merchant_key, "GET",
                                      path, "")  # fmt: skip
        try:
            response = self.http.get(self.settings.base_url + path, headers={"Authorization": auth},
                                     timeout=(2.0, self.settings.timeout * 6), allow_redirects=False)  # fmt: skip
        except requests.RequestException as exc:
            raise ProviderUnavailable(0, "NETWORK", type(exc).__name__) from None
        if response.status_code != 200:
            raise ProviderUnavailable(response.status_code, *_error(response.text))
        if hashlib.sha1(response.content, usedforsecurity=False).hexdigest() != (answer.get("hash_value") or "").lower():
            raise ProviderUnavailable(200, "HASH_MISMATCH", "the bill does not match its digest")
        return response.content.decode("utf-8")


def _error(text: str) -> tuple[str, str]:
    try:
        body = json.loads(text)
        return str(body.get("code") or "ERROR"), str(body.get("message") or "")[:200]
    except (ValueError, AttributeError):
        return "ERROR", text[:200]

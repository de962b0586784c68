"""The payment provider port: what the fee-order rules need from a payment gateway.

One adapter today, `payments.wechatpay.WeChatPayClient` (WeChat Pay API v3: Native for the PWA,
JSAPI for the mini-program). The rules
in orders.py, refunds.py and reconciliation.py talk to this port only, and the callback of each
adapter turns the gateway's notification into the same plain dictionaries.
"""

from __future__ import annotations

from typing import Protocol


class ProviderError(Exception):
    """The gateway refused the request (4xx): `code` and `message` as it sent them."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ProviderUnavailable(ProviderError):
    """No trustworthy answer (network failure, time-out, 5xx, a response whose signature does not
    verify): the request may or may not have taken effect, so it is retried with the same ids."""


class PaymentProvider(Protocol):
    def create_native(self, out_trade_no: str, description: str, amount_fen: int, time_expire: str, attach: str = "") -> str:
        """Place an order; return the code_url to show as a QR code. Idempotent by out_trade_no."""

    def create_jsapi(self, out_trade_no: str, description: str, amount_fen: int, time_expire: str, payer_openid: str,
                     attach: str = "") -> str:  # fmt: skip
        """Place an order paid inside the mini-program by `payer_openid`; return its prepay_id. Idempotent by out_trade_no."""

    def query(self, out_trade_no: str) -> dict:
        """The transaction as the gateway knows it (trade_state SUCCESS, NOTPAY, CLOSED, REFUND, …)."""

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order; ProviderError ORDER_PAID if it was paid meanwhile."""

    def refund(self, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int, reason: str) -> dict:
        """Ask for a (partial) refund; idempotent by out_refund_no. Returns the refund (status PROCESSING, SUCCESS…)."""

    def query_refund(self, out_refund_no: str) -> dict:
        """The refund as the gateway knows it."""

    def trade_bill(self, bill_date: str) -> str:
        """The day's trade bill (Asia/Shanghai date YYYY-MM-DD) as text, its digest checked."""

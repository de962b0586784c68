"""The gateway's notifications to us: verified, decrypted, checked against our records, applied once.

Answers follow the v3 protocol: 204 with no body when the notification was taken (including a
duplicate of one taken before: it changes nothing and is answered the same); a 4xx/5xx with
{"code": "FAIL", "message": …} when it was not, so that the gateway sends it again later. Anything
that may take long (issuing results, messages, refunds) is queued in the same transaction, so the
answer comes well within the 5 seconds the gateway waits.
"""

from __future__ import annotations

import json
import logging

from . import orders, protocol, refunds
from .settings import PaymentSettings

log = logging.getLogger("onetrip.payments.callbacks")


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def open_notification(settings: PaymentSettings, headers, body: bytes, expected_type: str) -> tuple[dict, dict]:
    """(the notification, its decrypted resource), or Rejected: signature, freshness, format, decryption."""
    try:
        text = body.decode("utf-8")
        protocol.check_platform_signature(headers, text, settings.platform_public_key, settings.platform_serial)
        notice = json.loads(text)
        if not isinstance(notice, dict) or notice.get("resource_type") != "encrypt-resource":
            raise protocol.ProtocolError("not an encrypted-resource notification")
        if notice.get("resource", {}).get("original_type") not in (None, expected_type):
            raise protocol.ProtocolError("unexpected original_type")
        resource = json.loads(protocol.decrypt_resource(settings.apiv3_key, notice["resource"]))
    except (UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise Rejected(400, f"malformed notification: {type(exc).__name__}") from None
    except protocol.ProtocolError as exc:
        raise Rejected(401, str(exc)) from None
    if not isinstance(resource, dict):
        raise Rejected(400, "resource is not an object")
    return notice, resource


def on_transaction(store, settings: PaymentSettings, headers, body: bytes) -> str:
    """A payment notification (TRANSACTION.SUCCESS): mark the order paid exactly once."""
    notice, transaction = open_notification(settings, headers, body, "transaction")
    if notice.get("event_type") != "TRANSACTION.SUCCESS" or transaction.get("trade_state") != "SUCCESS":
        return "ignored"  # only successes are notified; anything else is taken and changes nothing
    attempt = orders.attempt_of(store, transaction.get("out_trade_no"))
    try:
        orders.check_transaction(settings, attempt, transaction)
    except orders.Mismatch as exc:
        detail = {"out_trade_no": str(transaction.get("out_trade_no"))[:64], "reason": str(exc),
                  "notification_id": str(notice.get("id"))[:64]}  # fmt: skip
        orders.alert(store, "notification_mismatch", detail)
        raise Rejected(400, f"does not match our order: {exc}") from None
    return orders.settle(store, attempt, transaction, "notification")


def on_refund(store, settings: PaymentSettings, headers, body: bytes) -> str:
    """A refund notification (REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED)."""
    notice, resource = open_notification(settings, headers, body, "refund")
    refund = refunds.refund_by_out_refund_no(store, str(resource.get("out_refund_no", "")))
    reason = None
    if resource.get("mchid") != settings.mchid:
        reason = "mchid"
    elif refund is None or refund["out_trade_no"] != resource.get("out_trade_no"):
        reason = "out_refund_no unknown"
    elif (resource.get("amount") or {}).get("refund") != refund["amount_fen"]:
        reason = "amount"
    if reason:
        orders.alert(store, "refund_notification_mismatch", {"out_refund_no": str(resource.get("out_refund_no"))[:64],
                                                             "reason": reason})  # fmt: skip
        raise Rejected(400, f"does not match our refund: {reason}")
    status = resource.get("refund_status") or notice.get("event_type", "").removeprefix("REFUND.")
    return refunds.apply_gateway_refund(store, refund, {**resource, "status": status})

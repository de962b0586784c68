"""The recovery job: payments whose notification never came are found by asking the gateway, unpaid
orders past their expiry are closed, refunds left waiting are asked after.

Run by the payments worker every minute (and by `flask payments-recover`). Each step is a
conditional update, so two workers running it at once change each thing once.
"""

from __future__ import annotations

import datetime as dt
import logging

from api.clock import now_iso, to_iso, utcnow

from . import orders, refunds
from .port import ProviderError
from .settings import PaymentSettings

log = logging.getLogger("onetrip.payments.recovery")


def recover(store, provider, settings: PaymentSettings, limit: int = 200) -> dict:
    counts = {"queried": 0, "settled": 0, "closed": 0, "refunds_checked": 0}
    _query_quiet_attempts(store, provider, settings, limit, counts)
    _close_expired_orders(store, provider, settings, limit, counts)
    _query_waiting_refunds(store, provider, settings, limit, counts)
    if any(counts.values()):
        log.info("payment recovery", extra=counts)
    return counts


def _query_quiet_attempts(store, provider, settings: PaymentSettings, limit: int, counts: dict) -> None:
    """Attempts shown for longer than RECOVERY_AFTER without a notification: ask how they stand."""
    cutoff = to_iso(utcnow() - dt.timedelta(seconds=settings.recovery_after))
    quiet = store[orders.ATTEMPTS].find(
        {"state": {"$in": [orders.CREATING, orders.CREATED]}, "created_at": {"$lte": cutoff},
         "$or": [{"checked_at": {"$exists": False}}, {"checked_at": {"$lte": cutoff}}]}
    ).sort("created_at", 1).limit(limit)  # fmt: skip
    for attempt in list(quiet):
        store[orders.ATTEMPTS].update_one({"_id": attempt["_id"]}, {"$set": {"checked_at": now_iso()}})
        counts["queried"] += 1
        try:
            outcome = orders.apply_gateway_state(store, provider, settings, attempt)
        except ProviderError as exc:
            log.warning("recovery query failed", extra={"out_trade_no": attempt["out_trade_no"], "error": str(exc)})
            continue
        if outcome in ("paid", "refunding"):
            counts["settled"] += 1
        elif outcome == "NOTPAY" and orders.utcnow() >= orders.from_iso(attempt["expires_at"]):
            orders.close_at_gateway(store, provider, settings, attempt["out_trade_no"])


def _close_expired_orders(store, provider, settings: PaymentSettings, limit: int, counts: dict) -> None:
    """Pending past expires_at: the live QR code is closed at the gateway first (if it turns out paid,
    the order is paid, not closed), then the order."""
    expired = store[orders.FEE_ORDERS].find({"state": orders.PENDING, "expires_at": {"$lte": now_iso()}}).limit(limit)
    for order in list(expired):
        if order.get("out_trade_no"):
            try:
                orders.close_at_gateway(store, provider, settings, order["out_trade_no"])
            except ProviderError as exc:
                log.warning(
                    "could not close at the gateway yet", extra={"out_trade_no": order["out_trade_no"], "error": str(exc)}
                )
                continue
        if orders.close_order(store, {**order, "out_trade_no": None}, "逾期未缴费，缴费单已关闭"):
            counts["closed"] += 1


def _query_waiting_refunds(store, provider, settings: PaymentSettings, limit: int, counts: dict) -> None:
    cutoff = to_iso(utcnow() - dt.timedelta(seconds=settings.recovery_after))
    waiting = store[refunds.REFUNDS].find({"state": refunds.PROCESSING, "updated_at": {"$lte": cutoff}}).limit(limit)
    for refund in list(waiting):
        counts["refunds_checked"] += 1
        try:
            answer = provider.query_refund(refund["out_refund_no"])
        except ProviderError as exc:
            log.warning("refund query failed", extra={"out_refund_no": refund["out_refund_no"], "error": str(exc)})
            continue
        store[refunds.REFUNDS].update_one(
            {"_id": refund["_id"], "state": refunds.PROCESSING}, {"$set": {"updated_at": now_iso()}}
        )
        refunds.apply_gateway_refund(store, refund, answer)

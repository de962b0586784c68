"""Fee orders (缴费单) and their payment attempts: the rules, on the store and the provider port.

A fee order is created with the application at submission (api.applications.service._fee_order):
one per application, `amount_fen` the sum of its items' fees, one line per item with a fee.

    pending ──paid──► paid ──refund asked──► refunding ──refunds settled──► refunded (full | partial)
       └──past expires_at, or withdrawn──► closed

Each time the payer is shown a QR code it belongs to a payment attempt (`payment_attempts`), with its
own `out_trade_no` (unique, 32 characters, 120 random bits: nobody can guess another's). An attempt
is `created` → `paid` | `closed`. Its `kind` is `native` (a QR code, for the PWA) or `jsapi` (paid
inside the mini-program by one payer's openid: the client gets wx.requestPayment's parameters, jsapi.py).
The fee order is marked paid by one conditional update on `state: pending`, so it happens once however
many notifications, queries and threads race for it; money that arrives for an order that is not
pending any more (a second attempt paid, a payment after closing) is refunded automatically: nothing
is charged twice and no payment is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from pymongo import ReturnDocument

from api.clock import from_iso, now_iso, to_iso, utcnow
from api.errors import Conflict, NotFound, Unavailable
from api.store import new_id
from notifications import enqueue

from . import protocol
from .port import ProviderError, ProviderUnavailable
from .settings import PaymentSettings
from .tasks import enqueue_task

log = logging.getLogger("onetrip.payments")

FEE_ORDERS = "fee_orders"  # the collection api.applications.service writes at submission
ATTEMPTS = "payment_attempts"
ALERTS = "payment_alerts"

PENDING, PAID, CLOSED, REFUNDING, REFUNDED, NOT_REQUIRED = "pending", "paid", "closed", "refunding", "refunded", "not_required"
SETTLED = (PAID, REFUNDING, REFUNDED)  # money was received for the order
STATE_LABELS = {
    PENDING: "待缴费", PAID: "已缴费", CLOSED: "已关闭", REFUNDING: "退款中", REFUNDED: "已退款", NOT_REQUIRED: "无需缴费",
}  # fmt: skip
CREATING, CREATED, ATTEMPT_PAID, ATTEMPT_CLOSED = "creating", "created", "paid", "closed"
NATIVE, JSAPI = "native", "jsapi"  # an attempt's kind: QR code (PWA) or 小程序调起支付
QR_MIN_SECONDS = 120  # an attempt closer than this to its end is not shown again: a new one is made


class Mismatch(Exception):
    """What the gateway says about a payment does not match our order: never marked paid, alerted."""


_ORDER_TTL = {"seconds": 86400}


def configure(order_ttl_seconds: int) -> None:
    """PAYMENT_ORDER_TTL_SECONDS, set at start-up (the applications service creates orders without the app's config)."""
    _ORDER_TTL["seconds"] = int(order_ttl_seconds)


def on_fee_order_created(store, application: dict, order: dict, session=None) -> dict:
    """Called at submission for an order with a fee: its expiry, and the payer is told what is due by when."""
    expires_at = to_iso(from_iso(order["created_at"]) + dt.timedelta(seconds=_ORDER_TTL["seconds"]))
    data = {"application_id": application["_id"], "application_no": application["number"], "bundle_name": application["name"],
            "amount_fen": order["amount_fen"], "due_at": expires_at}  # fmt: skip
    enqueue(store, "payment.due", application["applicant_id"], data, f"payment.due:{application['_id']}", session=session)
    return {"expires_at": expires_at, "out_trade_no": None, "paid_fen": 0, "refunded_fen": 0, "refund_requested_fen": 0,
            "refund_count": 0}  # fmt: skip


def new_out_trade_no() -> str:
    return "OT" + secrets.token_hex(15).upper()  # 32 characters of [0-9A-Z]


def order_of(store, application_id: str) -> dict:
    order = store[FEE_ORDERS].find_one({"application_id": application_id})
    if order is None:
        raise NotFound("该申请没有缴费单")
    return order


def attempt_of(store, out_trade_no: str | None) -> dict | None:
    return store[ATTEMPTS].find_one({"out_trade_no": out_trade_no}) if out_trade_no else None


def alert(store, kind: str, detail: dict) -> None:
    """Something about money does not add up: logged at error level for the operators, and kept."""
    log.error("payment alert", extra={"alert": kind, **{k: v for k, v in detail.items() if isinstance(v, str | int)}})
    store[ALERTS].insert_one({"_id": new_id("alr_"), "kind": kind, "detail": detail, "created_at": now_iso()})


# -- paying --------------------------------------------------------------------------------------


def start_payment(store, provider, settings: PaymentSettings, application: dict,
                  payer_openid: str | None = None) -> tuple[dict, dict]:  # fmt: skip
    """The QR code (or, given the mini-program payer's openid, the JSAPI prepay) to pay the application's
    fee order: the live attempt's if it is of that kind and payer, or a new attempt's.

    Placing the order at the gateway is the one provider call made while the payer waits (they
    need the code_url / prepay_id now). It is idempotent by out_trade_no: if it fails, the attempt
    stays `creating` and the next request places the same out_trade_no again.
    """
    order = order_of(store, application["_id"])
    if order["state"] != PENDING:
        raise Conflict(f"缴费单{STATE_LABELS.get(order['state'], order['state'])}，无需支付", code="not_payable",
                       errors={"state": [order["state"]]})  # fmt: skip
    if from_iso(order["expires_at"]) <= utcnow():
        raise Conflict("缴费单已过期，将自动关闭", code="order_expired")
    payer = {"kind": JSAPI, "payer_openid": payer_openid, "appid": settings.miniprogram_appid} if payer_openid else {
        "kind": NATIVE, "appid": settings.appid}  # fmt: skip
    attempt = attempt_of(store, order.get("out_trade_no"))
    if attempt is None or not _still_usable(attempt, payer):
        attempt = _new_attempt(store, order, attempt, payer)
    if attempt["state"] == CREATING:
        attempt = _place(store, provider, settings, application, attempt)
    return store[FEE_ORDERS].find_one({"_id": order["_id"]}), attempt


def kind_of(attempt: dict) -> str:
    return attempt.get("kind", NATIVE)  # attempts from before JSAPI are all QR codes


def _still_usable(attempt: dict, payer: dict) -> bool:
    if attempt["state"] not in (CREATING, CREATED):
        return False
    if kind_of(attempt) != payer["kind"] or attempt.get("payer_openid") != payer.get("payer_openid"):
        return False  # paying on the other channel (or as another payer) takes a new attempt; the old one is closed
    return from_iso(attempt["expires_at"]) > utcnow() + dt.timedelta(seconds=QR_MIN_SECONDS)


def _new_attempt(store, order: dict, previous: dict | None, payer: dict) -> dict:
    now = now_iso()
    expires = min(from_iso(order["expires_at"]), utcnow() + dt.timedelta(hours=2))
    attempt = {
        "_id": new_id("pay_"),
        "out_trade_no": new_out_trade_no(),
        "fee_order_id": order["_id"],
        "application_id": order["application_id"],
        "amount_fen": order["amount_fen"],
        **payer,
        "state": CREATING,
        "expires_at": to_iso(expires),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    store[ATTEMPTS].insert_one(attempt)
    # one live attempt per order: whoever swaps the order's out_trade_no first wins; a loser uses the winner's
    swapped = store[FEE_ORDERS].find_one_and_update(
        {"_id": order["_id"], "state": PENDING, "out_trade_no": order.get("out_trade_no")},
        {"$set": {"out_trade_no": attempt["out_trade_no"], "updated_at": now}, "$inc": {"version": 1}},
    )
    if swapped is None:
        store[ATTEMPTS].update_one({"_id": attempt["_id"]}, {"$set": {"state": ATTEMPT_CLOSED, "closed_reason": "superseded"}})
        current = store[FEE_ORDERS].find_one({"_id": order["_id"]})
        winner = attempt_of(store, current.get("out_trade_no"))
        if current["state"] != PENDING or winner is None or kind_of(winner) != payer["kind"]:
            raise Conflict("缴费单状态已变化，请刷新", code="not_payable")
        return winner
    if previous is not None and previous["state"] in (CREATING, CREATED):
        enqueue_task(store, "close_attempt", f"close:{previous['out_trade_no']}", {"out_trade_no": previous["out_trade_no"]})
    return attempt


def _place(store, provider, settings: PaymentSettings, application: dict, attempt: dict) -> dict:
    from .jsapi import request_payment

    description = f"一次办-{application['name']}"[:127]
    expire = protocol.rfc3339(from_iso(attempt["expires_at"]))
    try:
        if kind_of(attempt) == JSAPI:
            prepay_id = provider.create_jsapi(attempt["out_trade_no"], description, attempt["amount_fen"], expire,
                                              attempt["payer_openid"], attach=application["number"])  # fmt: skip
            placed = {"prepay_id": prepay_id, "request_payment": request_payment(settings, prepay_id)}
        else:
            placed = {"code_url": provider.create_native(attempt["out_trade_no"], description, attempt["amount_fen"],
                                                         expire, attach=application["number"])}  # fmt: skip
    except ProviderUnavailable as exc:
        log.warning("gateway unavailable placing an order", extra={"out_trade_no": attempt["out_trade_no"], "error": str(exc)})
        error = Unavailable("支付服务暂时不可用，请稍后重试", code="payment_gateway_unavailable")
        error.retry_after = 5
        raise error from None
    except ProviderError as exc:
        log.error("gateway refused an order", extra={"out_trade_no": attempt["out_trade_no"], "error": str(exc)})
        raise Conflict("支付下单失败，请稍后重试", code="payment_order_refused") from None
    placed = store[ATTEMPTS].find_one_and_update(
        {"_id": attempt["_id"], "state": CREATING},
        {"$set": {"state": CREATED, **placed, "updated_at": now_iso()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    return placed or store[ATTEMPTS].find_one({"_id": attempt["_id"]})


# -- settling ------------------------------------------------------------------------------------


def check_transaction(settings: PaymentSettings, attempt: dict | None, transaction: dict) -> None:
    """The gateway's word on a payment must be about our merchant, our app, this attempt and its amount."""
    if transaction.get("mchid") != settings.mchid:
        raise Mismatch("mchid")
    if transaction.get("appid") not in (settings.appid, settings.miniprogram_appid):
        raise Mismatch("appid")
    if attempt is None:
        raise Mismatch("out_trade_no unknown")
    if transaction.get("appid") != attempt.get("appid", settings.appid):
        raise Mismatch("appid")  # a QR code's payment in the mini-program's name, or the other way round
    amount = transaction.get("amount") or {}
    if amount.get("total") != attempt["amount_fen"] or amount.get("currency", "CNY") != "CNY":
        raise Mismatch("amount")
    if not transaction.get("transaction_id"):
        raise Mismatch("transaction_id missing")


def settle(store, attempt: dict, transaction: dict, source: str) -> str:
    """Record a successful payment of `attempt` (already checked); returns what it did:
    "paid" (the order is paid now), "duplicate" (this payment was recorded before: nothing to do),
    or "refunding" (the order did not want this money: it goes back)."""
    from . import refunds

    now = now_iso()
    with store.transaction() as session:
        marked = store[ATTEMPTS].find_one_and_update(
            {"_id": attempt["_id"], "state": {"$in": [CREATING, CREATED, ATTEMPT_CLOSED]}},
            {"$set": {"state": ATTEMPT_PAID, "transaction_id": transaction["transaction_id"], "paid_at": now,
                      "success_time": transaction.get("success_time"), "settled_by": source, "updated_at": now},
             "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER, session=session,
        )  # fmt: skip
        if marked is None:
            return "duplicate"
        order = store[FEE_ORDERS].find_one_and_update(
            {"_id": attempt["fee_order_id"], "state": PENDING},
            {"$set": {"state": PAID, "paid_at": now, "paid_fen": attempt["amount_fen"],
                      "paid_out_trade_no": attempt["out_trade_no"], "transaction_id": transaction["transaction_id"],
                      "refunded_fen": 0, "updated_at": now},
             "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER, session=session,
        )  # fmt: skip
        if order is None:
            refunds.refund_unwanted(store, marked, "订单已缴费或已关闭，重复支付原路退回", session)
            return "refunding"
        _after_paid(store, order, source, session)
        if order["paid_fen"] > order["amount_fen"]:  # a fee item was rejected while this QR code was open
            refunds.refund_excess(store, order, session)
    return "paid"


def _after_paid(store, order: dict, source: str, session) -> None:
    """In the same transaction: the results wait no longer, the payer is told, the case records it."""
    from api.applications.service import APPLICATIONS, record_event

    application = store[APPLICATIONS].find_one({"_id": order["application_id"]}, session=session)
    enqueue_task(store, "issue_results", f"issue:{order['_id']}", {"application_id": order["application_id"]}, session=session)
    data = {"application_id": application["_id"], "application_no": application["number"], "bundle_name": application["name"],
            "amount_fen": order["paid_fen"]}  # fmt: skip
    enqueue(store, "payment.received", application["applicant_id"], data, f"payment.received:{order['_id']}", session=session)
    record_event(store, application["_id"], "system", "system", "pay", application["state"], application["state"],
                 comment=f"缴费{order['paid_fen'] / 100:.2f}元（{source}）", session=session)  # fmt: skip


def apply_gateway_state(store, provider, settings: PaymentSettings, attempt: dict) -> str:
    """Ask the gateway how an attempt stands and follow it (the recovery of a missing notification)."""
    try:
        transaction = provider.query(attempt["out_trade_no"])
    except ProviderError as exc:
        if exc.code == "ORDER_NOT_EXIST" and attempt["state"] == CREATING:
            return "never placed"
        raise
    state = transaction.get("trade_state")
    if state in ("SUCCESS", "REFUND"):
        try:
            check_transaction(settings, attempt, transaction)
        except Mismatch as exc:
            alert(store, "query_mismatch", {"out_trade_no": attempt["out_trade_no"], "reason": str(exc)})
            return "mismatch"
        return settle(store, attempt, transaction, "query")
    if state in ("CLOSED", "REVOKED", "PAYERROR"):
        close_attempt_record(store, attempt, state.lower())
    return state or "unknown"


def close_attempt_record(store, attempt: dict, reason: str) -> None:
    store[ATTEMPTS].update_one(
        {"_id": attempt["_id"], "state": {"$in": [CREATING, CREATED]}},
        {"$set": {"state": ATTEMPT_CLOSED, "closed_reason": reason, "updated_at": now_iso()}, "$inc": {"version": 1}},
    )


def close_at_gateway(store, provider, settings: PaymentSettings, out_trade_no: str) -> str:
    """Close an attempt at the gateway; if it was paid meanwhile, settle it instead (and refund if unwanted)."""
    attempt = attempt_of(store, out_trade_no)
    if attempt is None or attempt["state"] == ATTEMPT_PAID:
        return "nothing to close"
    try:
        provider.close(out_trade_no)
    except ProviderError as exc:
        if exc.code in ("ORDERPAID", "ORDER_PAID"):
            return apply_gateway_state(store, provider, settings, attempt)
        if exc.code != "ORDER_NOT_EXIST":
            raise
    close_attempt_record(store, attempt, "closed")
    return "closed"


def close_order(store, order: dict, reason: str, session=None) -> bool:
    """pending → closed (expired or withdrawn); its live attempt is closed at the gateway by a task."""
    closed = store[FEE_ORDERS].find_one_and_update(
        {"_id": order["_id"], "state": PENDING},
        {
            "$set": {"state": CLOSED, "closed_reason": reason, "closed_at": now_iso(), "updated_at": now_iso()},
            "$inc": {"version": 1},
        },
        session=session,
    )
    if closed is not None and order.get("out_trade_no"):
        enqueue_task(store, "close_attempt", f"close:{order['out_trade_no']}", {"out_trade_no": order["out_trade_no"]},
                     session=session)  # fmt: skip
    return closed is not None

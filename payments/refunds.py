"""Refunds (退款): automatic when a paid fee item is rejected or a paid application withdrawn, for
money the order did not want (a second payment), and by an admin with a reason.

A refund is asked for once per cause (`cause` is unique: "reject:<sub id>", "withdraw:<application id>",
"duplicate:<out_trade_no>", "admin:<request id>"); its `out_refund_no` is fixed when it is written, so
the task that sends it to the gateway may run any number of times. The gateway's limits are checked
first: at most 50 refunds per payment, within 365 days of it, never more than was paid.

    requested ──gateway accepted──► processing ──► succeeded | closed | abnormal
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from pymongo import ReturnDocument

from api.clock import from_iso, now_iso, utcnow
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id
from notifications import enqueue

from .orders import (
    FEE_ORDERS,
    PAID,
    PENDING,
    REFUNDED,
    REFUNDING,
    SETTLED,
    alert,
    close_order,
)
from .port import ProviderError, ProviderUnavailable
from .tasks import enqueue_task

log = logging.getLogger("onetrip.payments.refunds")

REFUNDS = "payment_refunds"
REQUESTED, PROCESSING, SUCCEEDED, REFUND_CLOSED, ABNORMAL = "requested", "processing", "succeeded", "closed", "abnormal"
IN_FLIGHT = (REQUESTED, PROCESSING)
MAX_REFUNDS = 50
REFUND_DAYS = 365
STATE_LABELS = {
    REQUESTED: "退款申请中",
    PROCESSING: "退款处理中",
    SUCCEEDED: "退款成功",
    REFUND_CLOSED: "退款关闭",
    ABNORMAL: "退款异常",
}


def new_out_refund_no() -> str:
    return "RF" + secrets.token_hex(15).upper()


def refunds_of(store, fee_order_id: str) -> list[dict]:
    return list(store[REFUNDS].find({"fee_order_id": fee_order_id}).sort("created_at", 1))


def _refund_doc(order: dict, out_trade_no: str, total_fen: int, amount_fen: int, reason: str, cause: str, kind: str,
                lines: list[str], actor: tuple[str, str]) -> dict:  # fmt: skip
    now = now_iso()
    return {
        "_id": new_id("rfd_"),
        "out_refund_no": new_out_refund_no(),
        "fee_order_id": order["_id"],
        "application_id": order["application_id"],
        "out_trade_no": out_trade_no,
        "total_fen": total_fen,
        "amount_fen": amount_fen,
        "reason": reason,
        "cause": cause,
        "kind": kind,
        "lines": lines,
        "requested_by": actor[0],
        "requested_role": actor[1],
        "state": REQUESTED,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def request_order_refund(store, order: dict, amount_fen: int, reason: str, cause: str, *, lines: list[str] | None = None,
                         actor: tuple[str, str] = ("system", "system"), session=None) -> dict:  # fmt: skip
    """Refund part of what was paid for `order`; the order becomes `refunding`. Idempotent by `cause`."""
    existing = store[REFUNDS].find_one({"cause": cause}, session=session)
    if existing is not None:
        return existing
    order = store[FEE_ORDERS].find_one({"_id": order["_id"]}, session=session)
    _check_refundable(store, order, amount_fen, session)
    refund = _refund_doc(order, order["paid_out_trade_no"], order["paid_fen"], amount_fen, reason, cause, "order",
                         lines or [], actor)  # fmt: skip
    store[REFUNDS].insert_one(refund, session=session)
    updated = store[FEE_ORDERS].find_one_and_update(
        {"_id": order["_id"], "version": order["version"]},
        {"$set": {"state": REFUNDING, "updated_at": now_iso()},
         "$inc": {"refund_requested_fen": amount_fen, "refund_count": 1, "version": 1}},
        session=session,
    )  # fmt: skip
    if updated is None:
        raise Conflict("缴费单已在其他地方变化，请重试", code="version_conflict")
    enqueue_task(store, "refund", f"refund:{refund['_id']}", {"refund_id": refund["_id"]}, session=session)
    return refund


def _check_refundable(store, order: dict, amount_fen: int, session=None) -> None:
    if order["state"] not in SETTLED:
        raise Conflict("该缴费单未缴费，无可退金额", code="not_refundable", errors={"state": [order["state"]]})
    if amount_fen <= 0:
        raise Invalid("退款金额应大于0", errors={"amount_fen": ["退款金额应大于0"]})
    left = order["paid_fen"] - order.get("refund_requested_fen", 0)
    if amount_fen > left:
        raise Invalid(f"退款金额超过可退金额（{left / 100:.2f}元）", errors={"amount_fen": [f"最多可退{left}分"]})
    if order.get("refund_count", 0) >= MAX_REFUNDS:
        raise Conflict("该笔支付的退款次数已达上限（50次）", code="refund_limit_reached")
    if utcnow() - from_iso(order["paid_at"]) > dt.timedelta(days=REFUND_DAYS):
        raise Conflict("已超过支付后365天的退款期限", code="refund_period_over")


# -- the causes ------------------------------------------------------------------------------------


def on_item_rejected(store, application_id: str, sub: dict, session=None) -> None:
    """A fee item was rejected: refund its fee if paid; if not yet paid, it is no longer due."""
    order = store[FEE_ORDERS].find_one({"application_id": application_id}, session=session)
    line = next((ln for ln in (order or {}).get("lines", []) if ln["item"] == sub["item"] and not ln.get("waived")), None)
    if line is None or not line["amount_fen"]:
        return
    if order["state"] == PENDING:
        _waive_line(store, order, line, session)
    elif order["state"] in SETTLED:
        refundable = order["paid_fen"] - order.get("refund_requested_fen", 0)
        amount = min(line["amount_fen"], refundable)
        if amount > 0:
            request_order_refund(store, order, amount, f"「{line['name']}」未予许可，退还该事项费用", f"reject:{sub['_id']}",
                                 lines=[line["item"]], session=session)  # fmt: skip


def _waive_line(store, order: dict, line: dict, session) -> None:
    index = order["lines"].index(line)
    left = order["amount_fen"] - line["amount_fen"]
    sets = {f"lines.{index}.waived": True, "amount_fen": left, "updated_at": now_iso()}
    store[FEE_ORDERS].update_one({"_id": order["_id"], "state": PENDING}, {"$set": sets, "$inc": {"version": 1}}, session=session)
    if order.get("out_trade_no"):  # the QR code shown asks for the old amount: close it, a new one asks for the new
        enqueue_task(store, "close_attempt", f"close:{order['out_trade_no']}", {"out_trade_no": order["out_trade_no"]},
                     session=session)  # fmt: skip
        store[FEE_ORDERS].update_one({"_id": order["_id"]}, {"$set": {"out_trade_no": None}}, session=session)
    if left <= 0:
        close_order(store, {**order, "out_trade_no": None}, "所有收费事项均未予许可，无需缴费", session=session)


def on_withdrawn(store, application_id: str, session=None) -> None:
    """The applicant withdrew: an unpaid order is closed, a paid one refunded in full."""
    order = store[FEE_ORDERS].find_one({"application_id": application_id}, session=session)
    if order is None:
        return
    if order["state"] == PENDING:
        close_order(store, order, "申请已撤回", session=session)
    elif order["state"] in SETTLED:
        left = order["paid_fen"] - order.get("refund_requested_fen", 0)
        if left > 0:
            request_order_refund(store, order, left, "申请已撤回，全额退还", f"withdraw:{application_id}",
                                 lines=[ln["item"] for ln in order["lines"]], session=session)  # fmt: skip


def refund_unwanted(store, attempt: dict, reason: str, session=None) -> dict:
    """Money that arrived for an order that no longer wanted it goes back whole (the order is untouched)."""
    order = store[FEE_ORDERS].find_one({"_id": attempt["fee_order_id"]}, session=session)
    cause = f"duplicate:{attempt['out_trade_no']}"
    existing = store[REFUNDS].find_one({"cause": cause}, session=session)
    if existing is not None:
        return existing
    refund = _refund_doc(order, attempt["out_trade_no"], attempt["amount_fen"], attempt["amount_fen"], reason, cause,
                         "unwanted", [], ("system", "system"))  # fmt: skip
    store[REFUNDS].insert_one(refund, session=session)
    enqueue_task(store, "refund", f"refund:{refund['_id']}", {"refund_id": refund["_id"]}, session=session)
    alert(store, "unwanted_payment", {"out_trade_no": attempt["out_trade_no"], "fee_order_id": order["_id"]})
    return refund


def refund_excess(store, order: dict, session=None) -> None:
    """Paid the amount of an older QR code after a fee item was waived: the difference goes back."""
    excess = order["paid_fen"] - order["amount_fen"]
    request_order_refund(
        store, order, excess, "事项未予许可，退还多缴费用", f"excess:{order['paid_out_trade_no']}", session=session
    )


def manual_refund(store, order_id: str, amount_fen: int, reason: str, admin_id: str, request_key: str | None = None) -> dict:
    """An admin refunds part or all of an order, with a reason; the case's timeline keeps who and why."""
    from api.applications.service import APPLICATIONS, record_event

    if not (reason or "").strip():
        raise Invalid("请填写退款原因", errors={"reason": ["请填写退款原因"]})
    order = store[FEE_ORDERS].find_one({"_id": order_id})
    if order is None:
        raise NotFound("找不到该缴费单")
    cause = f"admin:{request_key or new_id()}"
    with store.transaction() as session:
        refund = request_order_refund(store, order, amount_fen, reason.strip(), cause, actor=(admin_id, "admin"), session=session)
        application = store[APPLICATIONS].find_one({"_id": order["application_id"]}, session=session)
        record_event(store, application["_id"], admin_id, "admin", "refund", application["state"], application["state"],
                     comment=f"人工退款{amount_fen / 100:.2f}元：{reason.strip()}", session=session)  # fmt: skip
    return refund


# -- at the gateway ----------------------------------------------------------------------------------


def send(store, provider, refund_id: str) -> str:
    """The refund task: ask the gateway (same out_refund_no every time) and follow its answer."""
    refund = store[REFUNDS].find_one({"_id": refund_id})
    if refund is None or refund["state"] not in IN_FLIGHT:
        return "nothing to send"
    try:
        answer = provider.refund(refund["out_trade_no"], refund["out_refund_no"], refund["amount_fen"], refund["total_fen"],
                                 refund["reason"])  # fmt: skip
    except ProviderUnavailable:
        raise  # no answer to trust: the task tries again with the same out_refund_no
    except ProviderError as exc:
        alert(store, "refund_refused", {"out_refund_no": refund["out_refund_no"], "code": exc.code, "message": exc.message})
        settle_refund(store, refund, REFUND_CLOSED, {"refused": f"{exc.code}: {exc.message}"})
        return f"refused {exc.code}"
    return apply_gateway_refund(store, refund, answer)


def apply_gateway_refund(store, refund: dict, answer: dict) -> str:
    status = answer.get("status") or answer.get("refund_status")
    target = {"SUCCESS": SUCCEEDED, "CLOSED": REFUND_CLOSED, "ABNORMAL": ABNORMAL, "PROCESSING": PROCESSING}.get(status)
    if target is None:
        return f"unknown status {status}"
    if target == PROCESSING:
        sets = {"state": PROCESSING, "refund_id": answer.get("refund_id"), "updated_at": now_iso()}
        store[REFUNDS].update_one({"_id": refund["_id"], "state": REQUESTED}, {"$set": sets})
        return PROCESSING
    settle_refund(store, refund, target, {"refund_id": answer.get("refund_id"), "success_time": answer.get("success_time")})
    return target


def settle_refund(store, refund: dict, target: str, details: dict) -> bool:
    """A refund reaches its end once (conditional on being in flight); the order follows."""
    with store.transaction() as session:
        done = store[REFUNDS].find_one_and_update(
            {"_id": refund["_id"], "state": {"$in": list(IN_FLIGHT)}},
            {"$set": {"state": target, **{k: v for k, v in details.items() if v}, "settled_at": now_iso(),
                      "updated_at": now_iso()},
             "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER, session=session,
        )  # fmt: skip
        if done is None:
            return False
        if done["kind"] == "order":
            _order_after_refund(store, done, session)
        if target == SUCCEEDED:
            _tell_payer(store, done, session)
        else:
            alert(store, f"refund_{target}", {"out_refund_no": done["out_refund_no"], "fee_order_id": done["fee_order_id"]})
    return True


def _order_after_refund(store, refund: dict, session) -> None:
    succeeded = refund["state"] == SUCCEEDED
    inc = {"refunded_fen": refund["amount_fen"]} if succeeded else {"refund_requested_fen": -refund["amount_fen"]}
    order = store[FEE_ORDERS].find_one_and_update(
        {"_id": refund["fee_order_id"]}, {"$inc": {**inc, "version": 1}}, return_document=ReturnDocument.AFTER, session=session
    )
    in_flight = store[REFUNDS].count_documents(
        {"fee_order_id": order["_id"], "kind": "order", "state": {"$in": list(IN_FLIGHT)}}, session=session
    )
    if in_flight:
        return
    refunded = order.get("refunded_fen", 0)
    state = REFUNDED if refunded else PAID
    kind = ("full" if refunded >= order["paid_fen"] else "partial") if refunded else None
    store[FEE_ORDERS].update_one({"_id": order["_id"]}, {"$set": {"state": state, "refund_kind": kind, "updated_at": now_iso()}},
                                 session=session)  # fmt: skip


def _tell_payer(store, refund: dict, session) -> None:
    from api.applications.service import APPLICATIONS

    application = store[APPLICATIONS].find_one({"_id": refund["application_id"]}, session=session)
    data = {"application_id": application["_id"], "application_no": application["number"], "bundle_name": application["name"],
            "amount_fen": refund["amount_fen"]}  # fmt: skip
    enqueue(store, "payment.refunded", application["applicant_id"], data, f"payment.refunded:{refund['_id']}", session=session)


def refund_by_out_refund_no(store, out_refund_no: str) -> dict | None:
    return store[REFUNDS].find_one({"out_refund_no": out_refund_no})

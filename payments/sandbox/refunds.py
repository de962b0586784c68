"""Refunds at the sandbox gateway: idempotent by out_refund_no, at most 50 per order, within 365 days,
never more than was paid; PROCESSING first, SUCCESS a moment later with a REFUND.SUCCESS notification."""

from __future__ import annotations

import json
import secrets

from .. import protocol
from . import ledger as books
from .gateway import OUT_REFUND_NO, GatewayError, SandboxSettings


def _amounts(body: dict) -> tuple[int, int]:
    amount = body.get("amount") or {}
    refund, total = amount.get("refund"), amount.get("total")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (refund, total)):
        raise GatewayError(400, "PARAM_ERROR", "amount.refund 与 amount.total 应为正整数（分）")
    if amount.get("currency", "CNY") != "CNY":
        raise GatewayError(400, "PARAM_ERROR", "currency 应为 CNY")
    return refund, total


def request_refund(settings: SandboxSettings, ledger: books.Ledger, body: dict) -> dict:
    out_refund_no = str(body.get("out_refund_no", ""))
    if not OUT_REFUND_NO.match(out_refund_no):
        raise GatewayError(400, "PARAM_ERROR", "out_refund_no 格式不正确")
    refund_fen, total = _amounts(body)
    order = ledger.order(settings.mchid, str(body.get("out_trade_no", "")))
    if order is None:
        raise GatewayError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    existing = ledger.refund(settings.mchid, out_refund_no)
    if existing is not None:  # the same request again: the same refund, nothing new
        if existing["order_id"] != order["_id"] or existing["amount"]["refund"] != refund_fen:
            raise GatewayError(400, "INVALID_REQUEST", "退款单号重复，且参数与原退款单不一致")
        return refund_view(existing)
    _check_refundable(order, ledger, refund_fen, total)
    refund = {
        "_id": f"{settings.mchid}:{out_refund_no}",
        "order_id": order["_id"],
        "mchid": settings.mchid,
        "out_refund_no": out_refund_no,
        "refund_id": "50" + f"{secrets.randbelow(10**27):027d}",
        "out_trade_no": order["out_trade_no"],
        "transaction_id": order["transaction_id"],
        "reason": str(body.get("reason", ""))[:80],
        "notify_url": body.get("notify_url") or "",
        "status": "PROCESSING",
        "create_time": books.stamp(),
        "settle_at": books.now() + settings.refund_delay,
        "amount": {"total": total, "refund": refund_fen, "payer_total": total, "payer_refund": refund_fen,
                   "settlement_total": total, "settlement_refund": refund_fen, "discount_refund": 0, "currency": "CNY"},
    }  # fmt: skip
    ledger.store[books.REFUNDS].insert_one(refund)
    ledger.store[books.ORDERS].update_one({"_id": order["_id"]}, {"$set": {"trade_state": "REFUND"}})
    return refund_view(refund)


def _check_refundable(order: dict, ledger: books.Ledger, refund_fen: int, total: int) -> None:
    if order["trade_state"] not in ("SUCCESS", "REFUND"):
        raise GatewayError(400, "INVALID_REQUEST", "订单未支付，不能退款")
    if total != order["amount"]["total"]:
        raise GatewayError(400, "PARAM_ERROR", "amount.total 与订单金额不一致")
    if books.now() - protocol.parse_rfc3339(order["success_time"]).timestamp() > books.REFUND_DAYS * 86400:
        raise GatewayError(400, "INVALID_REQUEST", "订单已超过退款期限（365天）")
    earlier = [r for r in ledger.refunds_of(order) if r["status"] != "CLOSED"]
    if len(earlier) >= books.MAX_REFUNDS:
        raise GatewayError(400, "INVALID_REQUEST", "订单退款次数已达上限（50次）")
    if sum(r["amount"]["refund"] for r in earlier) + refund_fen > total:
        raise GatewayError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")


def settle_due_refunds(settings: SandboxSettings, ledger: books.Ledger) -> int:
    """PROCESSING refunds whose moment has come succeed, each with its REFUND.SUCCESS notification."""
    settled = 0
    for refund in ledger.store[books.REFUNDS].find({"status": "PROCESSING", "settle_at": {"$lte": books.now()}}):
        done = ledger.store[books.REFUNDS].find_one_and_update(
            {"_id": refund["_id"], "status": "PROCESSING"},
            {"$set": {"status": "SUCCESS", "success_time": books.stamp(), "user_received_account": "支付用户零钱"}},
            return_document=True,
        )
        if done is None or not done["notify_url"]:
            continue
        resource = json.dumps(_notice_view(done), ensure_ascii=False, separators=(",", ":"))
        ledger.queue_notice("refund", f"refund:{done['_id']}", done["mchid"], done["notify_url"], "REFUND.SUCCESS", "退款成功",
                            protocol.encrypt_resource(settings.apiv3_key, resource, "refund", "refund"))  # fmt: skip
        settled += 1
    return settled


def refund_view(refund: dict) -> dict:
    view = {key: refund[key] for key in ("refund_id", "out_refund_no", "transaction_id", "out_trade_no", "create_time", "status")}
    view.update(channel="ORIGINAL", funds_account="AVAILABLE", user_received_account=refund.get("user_received_account", ""),
                amount=refund["amount"])  # fmt: skip
    if refund.get("success_time"):
        view["success_time"] = refund["success_time"]
    return view


def _notice_view(refund: dict) -> dict:
    amount = refund["amount"]
    return {
        "mchid": refund["mchid"],
        "out_trade_no": refund["out_trade_no"],
        "transaction_id": refund["transaction_id"],
        "out_refund_no": refund["out_refund_no"],
        "refund_id": refund["refund_id"],
        "refund_status": refund["status"],
        "success_time": refund["success_time"],
        "user_received_account": refund["user_received_account"],
        "amount": {k: amount[k] for k in ("total", "refund", "payer_total", "payer_refund")},
    }

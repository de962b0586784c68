"""The sandbox gateway's own books: its orders, refunds, outgoing notifications and bills.

Kept in a SQLite file of its own (never the application's database): it stands for the payment
company's systems, which we do not share a database with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

from pymongo import ReturnDocument

from api.store import SQLiteStore

from .. import protocol

ORDERS, REFUNDS, NOTICES, BILLS = "sb_orders", "sb_refunds", "sb_notices", "sb_bills"
FEE_RATE = 0.006  # the usual 0.6% the bill shows as 手续费
MAX_REFUNDS = 50
REFUND_DAYS = 365


def now() -> float:
    return time.time()


def stamp(seconds: float | None = None) -> str:
    return protocol.rfc3339(dt.datetime.fromtimestamp(now() if seconds is None else seconds, dt.UTC))


class Ledger:
    def __init__(self, path: str):
        self.store = SQLiteStore(path)

    def order(self, mchid: str, out_trade_no: str) -> dict | None:
        return self.store[ORDERS].find_one({"_id": f"{mchid}:{out_trade_no}"})

    def order_by_token(self, token: str) -> dict | None:
        return self.store[ORDERS].find_one({"pay_token": token})

    def order_by_prepay_id(self, prepay_id: str) -> dict | None:
        return self.store[ORDERS].find_one({"prepay_id": prepay_id})

    def add_order(self, order: dict) -> dict:
        order = {**order, "_id": f"{order['mchid']}:{order['out_trade_no']}", "pay_token": secrets.token_urlsafe(16)}
        self.store[ORDERS].insert_one(order)
        return order

    def change_order(self, order: dict, expected_state: str, changes: dict) -> dict | None:
        return self.store[ORDERS].find_one_and_update(
            {"_id": order["_id"], "trade_state": expected_state}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )

    def refunds_of(self, order: dict) -> list[dict]:
        return list(self.store[REFUNDS].find({"order_id": order["_id"]}))

    def refund(self, mchid: str, out_refund_no: str) -> dict | None:
        return self.store[REFUNDS].find_one({"_id": f"{mchid}:{out_refund_no}"})

    # -- outgoing notifications ---------------------------------------------------------------

    def queue_notice(self, kind: str, key: str, mchid: str, notify_url: str, event_type: str, summary: str,
                     resource: dict, due: float | None = None) -> None:  # fmt: skip
        """One notification per cause (`key`): a second request for the same cause changes nothing."""
        if self.store[NOTICES].find_one({"_id": key}):
            return
        self.store[NOTICES].insert_one(
            {"_id": key, "kind": kind, "mchid": mchid, "notify_url": notify_url, "event_type": event_type, "summary": summary,
             "resource": resource, "state": "due", "attempts": 0, "due_at": now() if due is None else due, "log": [],
             "create_time": stamp()}
        )  # fmt: skip

    def due_notices(self, limit: int = 20) -> list[dict]:
        return list(self.store[NOTICES].find({"state": "due", "due_at": {"$lte": now()}}).sort("due_at", 1).limit(limit))

    def record_attempt(self, notice: dict, outcome: str, next_due: float | None) -> None:
        state = "delivered" if outcome == "ok" else ("due" if next_due is not None else "given_up")
        self.store[NOTICES].update_one(
            {"_id": notice["_id"]},
            {"$set": {"state": state, "due_at": next_due or notice["due_at"]}, "$inc": {"attempts": 1},
             "$push": {"log": {"at": stamp(), "outcome": outcome}}},
        )  # fmt: skip

    # -- bills --------------------------------------------------------------------------------

    def make_bill(self, mchid: str, bill_date: str) -> dict:
        text = trade_bill(self, mchid, bill_date)
        token = secrets.token_urlsafe(24)
        self.store[BILLS].insert_one({"_id": token, "text": text, "expires": now() + 300})
        return {"token": token, "hash_value": hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()}

    def bill(self, token: str) -> str | None:
        found = self.store[BILLS].find_one({"_id": token})
        return found["text"] if found and found["expires"] > now() else None


_BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)
_SUMMARY_HEADER = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _day_of(rfc: str) -> str:
    return protocol.parse_rfc3339(rfc).astimezone(protocol.SHANGHAI).date().isoformat()


def _local(rfc: str) -> str:
    return protocol.parse_rfc3339(rfc).astimezone(protocol.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def trade_bill(ledger: Ledger, mchid: str, bill_date: str) -> str:
    """The day's trade bill (账单 ALL): payments that succeeded and refunds that succeeded that day
    (Asia/Shanghai), each value prefixed with ` as the real bill does, amounts in yuan."""
    rows, paid, refunded, fees = [], 0, 0, 0
    for order in ledger.store[ORDERS].find({"mchid": mchid, "success_time": {"$exists": True}}):
        if _day_of(order["success_time"]) != bill_date:
            continue
        fee = round(order["amount"]["total"] * FEE_RATE)
        paid, fees = paid + order["amount"]["total"], fees + fee
        rows.append(_row(order, _local(order["success_time"]), "SUCCESS", yuan(order["amount"]["total"]), "", "", "0.00", "", "",
                         yuan(fee), yuan(order["amount"]["total"]), "0.00"))  # fmt: skip
    for refund in ledger.store[REFUNDS].find({"mchid": mchid, "status": "SUCCESS"}):
        if _day_of(refund["success_time"]) != bill_date:
            continue
        order = ledger.store[ORDERS].find_one({"_id": refund["order_id"]})
        refunded += refund["amount"]["refund"]
        rows.append(_row(order, _local(refund["success_time"]), "REFUND", "0.00", refund["refund_id"], refund["out_refund_no"],
                         yuan(refund["amount"]["refund"]), "ORIGINAL", "SUCCESS", "0.00", yuan(order["amount"]["total"]),
                         yuan(refund["amount"]["refund"])))  # fmt: skip
    summary = [str(len(rows)), yuan(paid), yuan(refunded), "0.00", yuan(fees), yuan(paid), yuan(refunded)]
    lines = [_BILL_HEADER, *rows, _SUMMARY_HEADER, ",".join("`" + value for value in summary)]
    return "\r\n".join(lines) + "\r\n"


def _row(order, when, state, settled, refund_id, out_refund_no, refund, refund_type, refund_state, fee, total, asked) -> str:
    values = [when, order["appid"], order["mchid"], "0", "", order["transaction_id"], order["out_trade_no"],
              order["payer"]["openid"], order.get("trade_type", "NATIVE"), state, "OTHERS", "CNY", settled, "0.00", refund_id,
              out_refund_no, refund, "0.00", refund_type, refund_state, order["description"], order.get("attach", ""), fee,
              "0.60%", total, asked, ""]  # fmt: skip
    return ",".join("`" + str(value).replace(",", "，") for value in values)

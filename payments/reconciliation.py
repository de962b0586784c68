"""Daily reconciliation (对账): our paid orders and refunds of a day against the gateway's trade bill.

The bill (GET /v3/bill/tradebill, then its download_url) lists the day's successful payments and
refunds, Asia/Shanghai time, each value prefixed with a backtick, amounts in yuan. Every difference
is reported: a payment or refund the gateway has and we have not recorded (money we must account
for), one we recorded and the gateway does not list, and amounts that differ. The report is kept
in `payment_reconciliations` (one per day, the last run wins) and logged at error level if it is
not clean.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from api.clock import now_iso, to_iso

from . import orders, protocol, refunds

log = logging.getLogger("onetrip.payments.reconciliation")

RECONCILIATIONS = "payment_reconciliations"


def parse_bill(text: str) -> tuple[list[dict], dict]:
    """(detail rows as dicts by the bill's own column names, the summary row), backticks removed."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    header = lines[0].split(",")
    rows, summary = [], {}
    for index, line in enumerate(lines[1:], start=1):
        if line.startswith("总交易单数"):
            summary = dict(zip(line.split(","), (v.lstrip("`") for v in lines[index + 1].split(",")), strict=False))
            break
        rows.append(dict(zip(header, (v.lstrip("`") for v in line.split(",")), strict=False)))
    return rows, summary


def fen(yuan: str) -> int:
    return int((Decimal(yuan or "0") * 100).to_integral_value())


def _local_day(rfc_or_iso: str | None) -> str | None:
    if not rfc_or_iso:
        return None
    return protocol.parse_rfc3339(rfc_or_iso).astimezone(protocol.SHANGHAI).date().isoformat()


def _window(bill_date: str) -> tuple[str, str]:
    day = dt.date.fromisoformat(bill_date)
    start = dt.datetime.combine(day, dt.time(), protocol.SHANGHAI) - dt.timedelta(days=1)
    return to_iso(start), to_iso(start + dt.timedelta(days=3))


def ours(store, bill_date: str) -> tuple[dict, dict]:
    """Our payments and refunds of that day: {out_trade_no: fen}, {out_refund_no: fen}."""
    start, end = _window(bill_date)
    payments = {
        a["out_trade_no"]: a["amount_fen"]
        for a in store[orders.ATTEMPTS].find({"state": orders.ATTEMPT_PAID, "paid_at": {"$gte": start, "$lt": end}})
        if _local_day(a.get("success_time") or a["paid_at"]) == bill_date
    }
    done = {
        r["out_refund_no"]: r["amount_fen"]
        for r in store[refunds.REFUNDS].find({"state": refunds.SUCCEEDED, "settled_at": {"$gte": start, "$lt": end}})
        if _local_day(r.get("success_time") or r["settled_at"]) == bill_date
    }
    return payments, done


def theirs(rows: list[dict]) -> tuple[dict, dict]:
    payments = {r["商户订单号"]: fen(r["应结订单金额"]) for r in rows if r.get("交易状态") == "SUCCESS"}
    done = {
        r["商户退款单号"]: fen(r["退款金额"]) for r in rows if r.get("交易状态") == "REFUND" and r.get("退款状态") == "SUCCESS"
    }
    return payments, done


def compare(kind: str, ours_: dict, theirs_: dict) -> list[dict]:
    differences = []
    for key in sorted(set(ours_) | set(theirs_)):
        here, there = ours_.get(key), theirs_.get(key)
        if here == there:
            continue
        problem = "missing_here" if here is None else "missing_at_gateway" if there is None else "amount_differs"
        differences.append({"kind": kind, "problem": problem, "id": key, "ours_fen": here, "gateway_fen": there})
    return differences


def reconcile(store, provider, bill_date: str) -> dict:
    rows, summary = parse_bill(provider.trade_bill(bill_date))
    our_payments, our_refunds = ours(store, bill_date)
    gateway_payments, gateway_refunds = theirs(rows)
    differences = compare("payment", our_payments, gateway_payments) + compare("refund", our_refunds, gateway_refunds)
    report = {
        "date": bill_date,
        "ran_at": now_iso(),
        "payments": {"ours": len(our_payments), "gateway": len(gateway_payments),
                     "ours_fen": sum(our_payments.values()), "gateway_fen": sum(gateway_payments.values())},
        "refunds": {"ours": len(our_refunds), "gateway": len(gateway_refunds),
                    "ours_fen": sum(our_refunds.values()), "gateway_fen": sum(gateway_refunds.values())},
        "gateway_summary": summary,
        "differences": differences,
        "clean": not differences,
    }  # fmt: skip
    store[RECONCILIATIONS].update_one({"_id": bill_date}, {"$set": report}, upsert=True)
    if differences:
        log.error("reconciliation found differences", extra={"date": bill_date, "differences": len(differences)})
        orders.alert(store, "reconciliation_differences", {"date": bill_date, "count": len(differences)})
    return {"_id": bill_date, **report}


def due_date(store, reconcile_at: str, now: dt.datetime) -> str | None:
    """Yesterday (Asia/Shanghai), once the bill is out (after `reconcile_at` local time) and not yet reconciled."""
    local = now.astimezone(protocol.SHANGHAI)
    hour, minute = (int(part) for part in reconcile_at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return None
    yesterday = (local.date() - dt.timedelta(days=1)).isoformat()
    return None if store[RECONCILIATIONS].find_one({"_id": yesterday}) else yesterday


def reports(store, limit: int = 30) -> list[dict]:
    return list(store[RECONCILIATIONS].find({}).sort("_id", -1).limit(limit))

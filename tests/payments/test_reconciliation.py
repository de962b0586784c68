"""Daily reconciliation against the sandbox's trade bill: a clean day reports no difference; a payment
the gateway has and we never recorded, and an amount that differs, are reported."""

from __future__ import annotations

import datetime as dt

from payments import protocol
from payments.orders import ATTEMPTS
from payments.reconciliation import RECONCILIATIONS, reconcile
from tests.payments.conftest import ok, order_state, pay_on_the_payer_page, submitted_transfer, wait_for


def today() -> str:
    return dt.datetime.now(protocol.SHANGHAI).date().isoformat()


def paid(applicant, store) -> str:
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    wait_for(lambda: order_state(store, app_id) == "paid")
    return payment["out_trade_no"]


def test_a_day_whose_payments_match_the_bill_is_clean(buyer, sandbox, worker, store):
    paid(buyer(), store)

    report = reconcile(store, worker.real.provider, today())

    assert report["clean"] and report["payments"] == {"ours": 1, "gateway": 1, "ours_fen": 8000, "gateway_fen": 8000}
    assert report["gateway_summary"]["总交易单数"] == "1"


def test_reconciliation_reports_a_payment_we_never_recorded_and_an_amount_that_differs(buyer, sandbox, worker, store):
    out_trade_no = paid(buyer(), store)
    stray = sandbox.ledger.order(sandbox.settings.mchid, out_trade_no)  # plant: a payment only the gateway knows
    planted = {**stray, "_id": "1900000109:OTSTRAY", "out_trade_no": "OTSTRAY", "transaction_id": "4200000000000000000000000001",
               "pay_token": "x"}  # fmt: skip
    sandbox.ledger.store["sb_orders"].insert_one(planted)
    store[ATTEMPTS].update_one({"out_trade_no": out_trade_no}, {"$set": {"amount_fen": 8001}})  # and a book-keeping slip

    report = reconcile(store, worker.real.provider, today())

    assert not report["clean"]
    problems = {(d["id"], d["problem"]) for d in report["differences"]}
    assert problems == {("OTSTRAY", "missing_here"), (out_trade_no, "amount_differs")}
    assert store[RECONCILIATIONS].find_one({"_id": today()})["differences"] == report["differences"]
    assert store["payment_alerts"].count_documents({"kind": "reconciliation_differences"}) == 1

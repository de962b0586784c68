"""The recovery job: a payment whose notification never arrived is found by querying the gateway;
an order left unpaid past its expiry is closed, here and at the gateway."""

from __future__ import annotations

import requests

from payments.orders import ATTEMPTS, FEE_ORDERS
from tests.payments.conftest import days_ago, ok, order_state, pay_on_the_payer_page, submitted_transfer


def test_a_payment_whose_notification_never_came_is_recovered_by_querying_the_gateway(buyer, sandbox, worker, store):
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    sandbox.notifier.paused = True  # the gateway's notifications are lost on the way
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    assert order_state(store, app_id) == "pending"

    counts = worker.recover()

    assert counts["settled"] == 1 and order_state(store, app_id) == "paid"
    attempt = store[ATTEMPTS].find_one({"out_trade_no": payment["out_trade_no"]})
    assert attempt["state"] == "paid" and attempt["settled_by"] == "query"
    sandbox.notifier.paused = False  # the late notification then arrives: taken, and nothing happens twice
    delivered = sandbox.notifier.run_once()
    assert delivered == 1 and store["application_events"].count_documents({"application_id": app_id, "action": "pay"}) == 1


def test_an_unpaid_order_past_its_expiry_is_closed_here_and_at_the_gateway(buyer, sandbox, worker, store):
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    store[FEE_ORDERS].update_one({"application_id": app_id}, {"$set": {"expires_at": days_ago(0)}})  # its 24 hours are over

    counts = worker.recover()
    worker.run_tasks()

    assert counts["closed"] == 1 and order_state(store, app_id) == "closed"
    view = ok(applicant.get(f"/applications/{app_id}/payment"))
    assert view["closed_reason"] and view["payment"] is None
    assert store[ATTEMPTS].find_one({"out_trade_no": payment["out_trade_no"]})["state"] == "closed"
    assert sandbox.ledger.order(sandbox.settings.mchid, payment["out_trade_no"])["trade_state"] == "CLOSED"
    page = requests.get(payment["code_url"], timeout=5)
    assert "确认支付" not in page.text  # the old QR code cannot be paid any more
    assert applicant.post(f"/applications/{app_id}/payment").status_code == 409


def test_an_order_paid_just_before_its_expiry_is_paid_not_closed(buyer, sandbox, worker, store):
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    sandbox.notifier.paused = True
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    store[FEE_ORDERS].update_one({"application_id": app_id}, {"$set": {"expires_at": days_ago(0)}})
    later = {"$set": {"checked_at": "9999-12-31T00:00:00.000Z"}}  # the quiet-payment step passes it by: the expiry step finds it
    store[ATTEMPTS].update_one({"out_trade_no": payment["out_trade_no"]}, later)

    worker.recover()
    worker.run_tasks()

    assert order_state(store, app_id) == "paid"

"""Refunds: a rejected fee item's fee goes back (a partial refund), a withdrawn paid application's
whole fee, an admin's refund with a reason; each through the sandbox with its REFUND.SUCCESS
notification, and the payer is told."""

from __future__ import annotations

import pytest

from api.catalog.service import ITEMS, catalogue_changed
from notifications.outbox import OUTBOX
from payments.refunds import REFUNDS
from tests.payments.conftest import (
    FEE_ITEM,
    approve_all_but,
    decide,
    ok,
    order_state,
    pay_on_the_payer_page,
    submitted_transfer,
    subs_by_department,
    wait_for,
)

WATER = "430200-GS-001"


@pytest.fixture
def water_transfer_fee(store):
    """A fee of 5 元 on 供水过户 too (a locality may charge one), so the bundle has two fee items: 85 元."""
    store[ITEMS].update_one(
        {"_id": WATER}, {"$set": {"fee_fen": 500, "fee_basis": "《株洲市供水价格管理办法》过户手续费（示例）"}}
    )
    catalogue_changed(store)


def paid_transfer(applicant, store) -> str:
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    wait_for(lambda: order_state(store, app_id) == "paid")
    return app_id


def sub_of(applicant, app_id: str, item: str) -> dict:
    return next(s for group in subs_by_department(applicant, app_id).values() for s in group if s["item"] == item)


def test_rejecting_a_paid_fee_item_refunds_that_items_fee_only(
    water_transfer_fee, buyer, clerk, approvers, sandbox, worker, store
):
    applicant = buyer()
    app_id = paid_transfer(applicant, store)
    ok(clerk.post(f"/clerk/applications/{app_id}/accept"))
    water = sub_of(applicant, app_id, WATER)

    ok(decide(approvers["gs"], water["id"], "reject", reason="该户存在欠缴水费，请结清后再办理过户"))
    worker.run_tasks()  # the refund task asks the gateway
    refunded = wait_for(lambda: (v := ok(applicant.get(f"/applications/{app_id}/payment")))["state"] == "refunded" and v)

    assert refunded["paid_fen"] == 8500 and refunded["refunded_fen"] == 500 and refunded["refund_kind"] == "partial"
    [refund] = refunded["refunds"]
    assert refund["amount_fen"] == 500 and refund["items"] == [WATER] and refund["state"] == "succeeded"
    assert {line["item"]: line["refunded"] for line in refunded["lines"]} == {FEE_ITEM: False, WATER: True}
    at_gateway = sandbox.ledger.refund(sandbox.settings.mchid, refund["out_refund_no"])
    assert at_gateway["status"] == "SUCCESS" and at_gateway["amount"] == {**at_gateway["amount"], "refund": 500, "total": 8500}
    told = store[OUTBOX].find_one({"event": "payment.refunded", "data.application_id": app_id})
    assert told["data"]["amount_fen"] == 500

    approve_all_but(applicant, approvers, app_id)  # the registration itself was paid for: its results are issued
    assert store["certificates"].find_one({"application_id": app_id, "type": "real_estate_certificate"}) is not None


def test_rejecting_a_fee_item_before_payment_takes_its_fee_off_the_order(buyer, clerk, approvers, sandbox, worker, store):
    applicant = buyer()
    app_id = submitted_transfer(applicant)["id"]
    ok(clerk.post(f"/clerk/applications/{app_id}/accept"))
    approve_all_but(applicant, approvers, app_id, skip=(FEE_ITEM,))

    ok(decide(approvers["bdc"], sub_of(applicant, app_id, FEE_ITEM)["id"], "reject", reason="房屋存在查封登记"))

    order = ok(applicant.get(f"/applications/{app_id}/payment"))
    assert order["state"] == "closed" and order["amount_fen"] == 0 and order["lines"][0]["waived"]
    assert store[REFUNDS].count_documents({}) == 0


def test_withdrawing_a_paid_application_refunds_it_in_full(buyer, sandbox, worker, store):
    applicant = buyer()
    app_id = paid_transfer(applicant, store)

    ok(applicant.post(f"/applications/{app_id}/withdraw"))
    worker.run_tasks()
    refunded = wait_for(lambda: (v := ok(applicant.get(f"/applications/{app_id}/payment")))["state"] == "refunded" and v)

    assert refunded["refunded_fen"] == 8000 and refunded["refund_kind"] == "full"


def test_an_admin_refunds_part_of_a_paid_order_with_a_reason_once_per_request(buyer, staff, sandbox, worker, store):
    applicant = buyer()
    app_id = paid_transfer(applicant, store)
    admin = staff("admin")
    order_id = ok(applicant.get(f"/applications/{app_id}/payment"))["id"]
    path = f"/admin/payments/fee-orders/{order_id}/refunds"
    body = {"amount_fen": 3000, "reason": "窗口多收工本费，核实后退还", "request_id": "req-2026-0001"}

    first = admin.post(path, json=body)
    again = admin.post(path, json=body)
    too_much = admin.post(path, json={"amount_fen": 6000, "reason": "再退"})
    no_reason = admin.post(path, json={"amount_fen": 100, "reason": ""})
    citizen = applicant.post(path, json=body)

    assert first.status_code == 201 and again.status_code == 201
    assert store[REFUNDS].count_documents({"fee_order_id": order_id}) == 1
    assert too_much.status_code == 422 and no_reason.status_code == 422 and citizen.status_code == 403
    worker.run_tasks()
    wait_for(lambda: store[REFUNDS].find_one({"fee_order_id": order_id})["state"] == "succeeded")
    timeline = ok(applicant.get(f"/applications/{app_id}"))["timeline"]
    assert any(e["action"] == "refund" and "窗口多收工本费" in e["comment"] for e in timeline)

"""A resident pays the 80-yuan registration fee of 不动产转移登记 on the phone, end to end over loopback
HTTP: our client places the Native order at the sandbox, the payer confirms on the page the QR code
opens, the sandbox's signed and encrypted notification reaches our callback, the order is paid once,
and the registration's results are issued."""

from __future__ import annotations

from notifications.outbox import OUTBOX
from tests.payments.conftest import (
    FEE_ITEM,
    approve_all_but,
    ok,
    order_state,
    pay_on_the_payer_page,
    submitted_transfer,
    wait_for,
)


def test_a_submitted_fee_bearing_application_is_paid_by_qr_code_and_its_results_are_issued(
    buyer, clerk, approvers, sandbox, worker, store
):
    applicant = buyer()
    application = submitted_transfer(applicant)
    app_id = application["id"]
    ok(clerk.post(f"/clerk/applications/{app_id}/accept"))
    approve_all_but(applicant, approvers, app_id)

    before = ok(applicant.get(f"/applications/{app_id}/payment"))
    assert before["state"] == "pending" and before["amount_fen"] == 8000
    assert [(line["item"], line["amount_fen"]) for line in before["lines"]] == [(FEE_ITEM, 8000)]
    assert "2559号" in before["lines"][0]["basis"]  # the fee's legal basis is shown with it
    registration = next(s for s in ok(applicant.get(f"/applications/{app_id}"))["subs"] if s["item"] == FEE_ITEM)
    assert registration["state"] == "approved"  # approved, but its certificate waits for the fee

    paying = ok(applicant.post(f"/applications/{app_id}/payment"))
    payment = paying["payment"]
    assert payment["code_url"].startswith(sandbox.settings.base_url + "/pay/")
    assert payment["deep_link"] == payment["code_url"] and payment["qr_svg"].startswith("<svg")
    assert len(payment["out_trade_no"]) == 32 and payment["amount_fen"] == 8000
    assert ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]["out_trade_no"] == payment["out_trade_no"]

    assert "支付成功" in pay_on_the_payer_page(payment["code_url"]).text
    paid = wait_for(lambda: (view := ok(applicant.get(f"/applications/{app_id}/payment")))["state"] == "paid" and view)
    assert paid["payment"] is None and paid["paid_fen"] == 8000
    assert paid["receipt"]["total_fen"] == 8000 and paid["receipt"]["out_trade_no"] == payment["out_trade_no"]
    assert paid["receipt"]["payer"] == "张晓明" and paid["receipt"]["items"] == [
        {"name": "存量房（二手房）转移登记", "amount_fen": 8000}
    ]

    worker.run_tasks()
    done = ok(applicant.get(f"/applications/{app_id}"))
    assert done["state"] == "results_issued"  # the 不动产权证书 is also posted on paper
    assert store["certificates"].find_one({"application_id": app_id, "type": "real_estate_certificate"}) is not None
    events = [m["event"] for m in store[OUTBOX].find({"data.application_id": app_id})]
    assert events.count("payment.due") == 1 and events.count("payment.received") == 1
    assert any(e["action"] == "pay" for e in done["timeline"])


def test_an_application_without_fees_has_nothing_to_pay(restaurateur, sandbox):
    from tests.applications.conftest import submitted

    owner = restaurateur()
    app_id = submitted(owner, bundle="open-restaurant")["id"]

    order = ok(owner.get(f"/applications/{app_id}/payment"))
    refused = owner.post(f"/applications/{app_id}/payment")

    assert order["state"] == "not_required" and order["amount_fen"] == 0 and order["payment"] is None
    assert refused.status_code == 409 and refused.get_json()["code"] == "not_payable"


def test_paying_twice_is_refused_once_paid(buyer, sandbox, store):
    applicant = buyer("13800000013", "刘洋")
    app_id = submitted_transfer(applicant)["id"]
    payment = ok(applicant.post(f"/applications/{app_id}/payment"))["payment"]
    pay_on_the_payer_page(payment["code_url"])
    wait_for(lambda: order_state(store, app_id) == "paid")

    again = applicant.post(f"/applications/{app_id}/payment")

    assert again.status_code == 409 and again.get_json()["code"] == "not_payable"


def test_someone_elses_fee_order_is_not_found(buyer, resident, sandbox):
    applicant = buyer("13800000014", "陈晨")
    app_id = submitted_transfer(applicant)["id"]
    stranger = resident("13800000015", "周游")

    assert stranger.get(f"/applications/{app_id}/payment").status_code == 404
    assert stranger.post(f"/applications/{app_id}/payment").status_code == 404

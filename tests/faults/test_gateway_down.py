"""The payment gateway down, with real processes: the API under gunicorn, the sandbox gateway
(`python -m payments.sandbox`) killed -9 and restarted, its notifications lost on the way (they go
to a port where nothing listens), and the payments worker (`flask payments-worker --once`) run as
operators run it. The order paid while nobody told us is paid by query, the expired one is closed,
here and at the gateway, and nothing happens twice."""

from __future__ import annotations

import requests

from payments.orders import ATTEMPTS, FEE_ORDERS
from payments.settings import settings_for
from tests.payments.conftest import days_ago

from .conftest import bearer
from .drafts import API, BUYER, ready_property_transfer, submit
from .processes import free_port, payments_worker_once, start_sandbox


def test_orders_recover_by_query_after_the_gateway_was_down_and_its_notifications_were_lost(seeded, processes, tmp_path):
    data_dir, app = seeded
    store, headers = app.extensions["store"], bearer(app, BUYER)
    with app.app_context():
        settings_for(app)  # the sandbox's keys exist before three processes read them
    client = app.test_client()
    paid_later, left_unpaid = (ready_property_transfer(client, headers) for _ in range(2))
    for view in (paid_later, left_unpaid):
        submit(client, headers, view)
    gateway_port, nobody_port = free_port(), free_port()
    settings = {"WECHATPAY_BASE_URL": f"http://127.0.0.1:{gateway_port}", "SANDBOX_BIND": f"127.0.0.1:{gateway_port}",
                "WECHATPAY_NOTIFY_BASE_URL": f"http://127.0.0.1:{nobody_port}",  # every notification is lost
                "PAYMENT_RECOVERY_AFTER_SECONDS": "0"}  # fmt: skip
    env = {"ONETRIP_DATA_DIR": str(data_dir), "ONETRIP_LOG_LEVEL": "WARNING", **{f"ONETRIP_{k}": v for k, v in settings.items()}}
    api = processes.api(data_dir, **settings)

    def pay_for(view):
        return requests.post(f"{api.url}{API}/applications/{view['id']}/payment", headers=headers, timeout=30)

    down = pay_for(paid_later)  # the gateway is not there at all
    assert down.status_code == 503 and down.headers.get("Retry-After"), down.text
    assert store[FEE_ORDERS].find_one({"application_id": paid_later["id"]})["state"] == "pending"

    gateway = start_sandbox(processes, env, tmp_path / "sandbox-1.log")
    qr = pay_for(paid_later).json()["payment"]
    assert requests.post(qr["code_url"] + "/confirm", timeout=10).status_code == 200  # paid; the notification goes nowhere
    unpaid_qr = pay_for(left_unpaid).json()["payment"]
    gateway.kill_hard()

    store[FEE_ORDERS].update_one({"application_id": left_unpaid["id"]}, {"$set": {"expires_at": days_ago(0)}})  # 24 h over
    payments_worker_once(env)  # the recovery round with the gateway down: nothing is decided, nothing breaks
    assert store[FEE_ORDERS].find_one({"application_id": paid_later["id"]})["state"] == "pending"
    assert store[FEE_ORDERS].find_one({"application_id": left_unpaid["id"]})["state"] == "pending", "closed without the gateway"

    start_sandbox(processes, env, tmp_path / "sandbox-2.log")  # the gateway is back, with its ledger
    payments_worker_once(env)
    payments_worker_once(env)  # the close of the gateway's order runs as a task after the round that decided it

    assert store[FEE_ORDERS].find_one({"application_id": paid_later["id"]})["state"] == "paid"
    attempt = store[ATTEMPTS].find_one({"out_trade_no": qr["out_trade_no"]})
    assert attempt["state"] == "paid" and attempt["settled_by"] == "query"
    assert store["application_events"].count_documents({"application_id": paid_later["id"], "action": "pay"}) == 1
    assert store["outbox"].count_documents({"event": "payment.received", "data.application_id": paid_later["id"]}) == 1
    assert store[FEE_ORDERS].find_one({"application_id": left_unpaid["id"]})["state"] == "closed"
    assert store[ATTEMPTS].find_one({"out_trade_no": unpaid_qr["out_trade_no"]})["state"] == "closed"
    assert "确认支付" not in requests.get(unpaid_qr["code_url"], timeout=10).text  # closed at the gateway too

"""Twenty copies of one payment notification at once, signed and encrypted as the gateway sends them,
against the API under gunicorn: four worker processes (no lock in memory can help across them) race
for the order and exactly one paid transition, one timeline event and one notification come out.
The same with threads in one process is tests/payments/test_callback.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import requests

from notifications.outbox import OUTBOX
from payments.orders import FEE_ORDERS
from payments.sandbox import SandboxSettings
from payments.settings import settings_for
from payments.tasks import TASKS
from tests.payments.test_callback import notification, transaction

from .conftest import bearer
from .drafts import API, BUYER, ready_property_transfer, submit
from .processes import free_port, start_sandbox


def test_twenty_concurrent_copies_of_a_notification_across_gunicorn_workers_mark_the_order_paid_once(seeded, processes, tmp_path):
    data_dir, app = seeded
    store, headers, client = app.extensions["store"], bearer(app, BUYER), app.test_client()
    with app.app_context():
        settings_for(app)
    view = ready_property_transfer(client, headers)
    submit(client, headers, view)
    port = free_port()
    settings = {"WECHATPAY_BASE_URL": f"http://127.0.0.1:{port}", "SANDBOX_BIND": f"127.0.0.1:{port}"}
    env = {"ONETRIP_DATA_DIR": str(data_dir), "ONETRIP_LOG_LEVEL": "WARNING", **{f"ONETRIP_{k}": v for k, v in settings.items()}}
    start_sandbox(processes, env, tmp_path / "sandbox.log")
    api = processes.api(data_dir, WORKERS="4", **settings)
    out_trade_no = requests.post(f"{api.url}{API}/applications/{view['id']}/payment", headers=headers, timeout=30).json()[
        "payment"
    ]["out_trade_no"]
    gateway = SimpleNamespace(settings=SandboxSettings.from_config({**app.config, **settings}))
    body, signed = notification(gateway, transaction(gateway, out_trade_no))

    url = f"{api.url}/api/v1/payments/wechatpay/notify"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: requests.post(url, data=body, headers=signed, timeout=30), range(20)))

    assert [a.status_code for a in answers] == [204] * 20, [a.text for a in answers if a.status_code != 204]
    order = store[FEE_ORDERS].find_one({"application_id": view["id"]})
    assert order["state"] == "paid" and order["version"] == 3  # created, QR shown, paid: once
    assert store["application_events"].count_documents({"application_id": view["id"], "action": "pay"}) == 1
    assert store[OUTBOX].count_documents({"event": "payment.received", "data.application_id": view["id"]}) == 1
    assert store[TASKS].count_documents({"kind": "issue_results", "data.application_id": view["id"]}) == 1

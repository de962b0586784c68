"""The demo city paying through a sandbox payment gateway of its own (payments/sandbox), both served
on loopback ports, and 张晓明's 不动产转移登记 (an 80-yuan fee) set up through the API."""

from __future__ import annotations

import io
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from payments.cli import worker_for
from payments.sandbox import Sandbox

from .one_thing import PDF, resident, seed_demo, staff
from .serving import LoopbackServer, make_app

ZHANG_PHONE = "13800000001"  # 张晓明: his certificate library holds the 网签备案 of the flat he buys
PROPERTY_BUNDLE = "property-transfer"
PROPERTY_FACTS = {
    "buyer.ownership": "单独所有",
    "buyer.contact_address": "湖南省株洲市天元区嵩山路街道示例路12号3栋402",
    "tax.family_home_count": 1,
    "water.account_no": "ZZ-W-0012345",
    "power.account_no": "ZZ-E-0067890",
    "gas.account_no": "ZZ-G-0024680",
}  # fmt: skip
FAST_SCHEDULE = (0.3, 0.3, 0.5, 1.0)  # the gateway's retries of a notification; the real one is 15s/15s/30s/3m…


@contextmanager
def paying_city(data_dir: Path, pwa_dist: Path):
    """Yields (app, base URL) of the demo city whose payments go to a sandbox gateway on another port;
    the gateway's notifications reach the app's real callback."""
    ours, gateway = LoopbackServer("e2e-paying-city"), LoopbackServer("e2e-sandbox-gateway")
    app = make_app(data_dir, pwa_dist, WECHATPAY_BASE_URL=gateway.url, WECHATPAY_NOTIFY_BASE_URL=ours.url,
                   PUBLIC_BASE_URL=ours.url)  # fmt: skip
    seed_demo(app)
    sandbox = Sandbox.from_config(app.config, schedule=FAST_SCHEDULE, refund_delay=0.2)
    ours.serve(app)
    gateway.serve(sandbox.app)
    stop = threading.Event()
    notifier = sandbox.start_notifier(stop, poll=0.05)
    try:
        yield app, ours.url
    finally:
        stop.set()
        notifier.join(timeout=5)
        for server in (ours, gateway):
            server.stop()


def submitted_transfer(app) -> dict:
    """张晓明's 不动产转移登记一件事: the few new facts typed, statements declared, submitted."""
    applicant = resident(app, ZHANG_PHONE)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": PROPERTY_BUNDLE})
    typed = {f["name"]: PROPERTY_FACTS[f["name"]] for f in draft["fields"] if f["name"] in PROPERTY_FACTS and not f["locked"]}
    draft = applicant.call("PATCH", f"/applications/{draft['id']}", json={"values": typed, "version": draft["version"]})
    for material in draft["materials"]:
        base = f"/applications/{draft['id']}/materials/{material['code']}"
        if material["status"] != "missing":
            continue
        if material["source"] == "form":
            draft = applicant.call("POST", f"{base}/declaration", json={"version": draft["version"]})
        elif material["source"] == "upload":
            form = {"version": str(draft["version"]), "file": (io.BytesIO(PDF), "contract.pdf")}
            draft = applicant.call("POST", f"{base}/upload", data=form, content_type="multipart/form-data")
    return applicant.call("POST", f"/applications/{draft['id']}/submit", json={"version": draft["version"]})


def accepted_and_approved(app, application_id: str) -> None:
    """The front window accepts it; every department approves its item, those that issue what
    another needs first (the tax office's 完税证明 is a material of the registration)."""
    staff(app, "clerk01").call("POST", f"/clerk/applications/{application_id}/accept")
    applicant = resident(app, ZHANG_PHONE)
    for _ in range(3):
        for sub in applicant.call("GET", f"/applications/{application_id}")["subs"]:
            if sub["state"] != "in_review":
                continue
            approver = staff(app, f"approver-{sub['department']}")
            path = f"/api/v1/review/sub-applications/{sub['id']}/decision"
            answer = approver.client.post(path, json={"action": "approve"}, headers=approver.headers)
            assert answer.status_code == 200 or answer.get_json()["code"] == "waiting_for_results", answer.get_json()
    states = {sub["item_name"]: sub["state"] for sub in applicant.call("GET", f"/applications/{application_id}")["subs"]}
    assert "in_review" not in states.values(), states


def refunded_by_the_admin(app, application_id: str, amount_fen: int, reason: str) -> None:
    """An admin refunds part of the fee; the worker sends it and the gateway settles it a moment later."""
    applicant = resident(app, ZHANG_PHONE)
    order = applicant.call("GET", f"/applications/{application_id}/payment")
    path = f"/admin/payments/fee-orders/{order['id']}/refunds"
    staff(app, "admin01").call("POST", path, 201, json={"amount_fen": amount_fen, "reason": reason})
    run_payment_tasks(app)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        refunds = applicant.call("GET", f"/applications/{application_id}/payment")["refunds"]
        if refunds and refunds[0]["state"] == "succeeded":
            return
        time.sleep(0.1)
    raise AssertionError(f"the refund did not succeed: {refunds}")


def run_payment_tasks(app) -> int:
    """One round of the payments worker (`make run` runs it all the time): issues what waited for the fee."""
    with app.app_context():
        return worker_for(app).run_tasks()

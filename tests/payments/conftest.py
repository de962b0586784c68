"""Payments against the sandbox gateway over loopback HTTP, both ways.

`app` is served on a free port in a thread (the gateway's notifications reach our real callback),
the sandbox gateway on another (our real client signs and verifies against it). Both read the same
keys under the test's own var/keys/. A payer "scans" the QR code by opening its code_url with
`requests`. Nothing of ours is mocked.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from api.catalog.service import load_catalog
from api.clock import now_iso
from api.vault import service as vault
from payments import orders
from payments.cli import worker_for
from payments.demo import sale_contract_data
from payments.sandbox import Sandbox
from tests.applications.conftest import (  # noqa: F401 - fixtures used here
    API,
    approvers,
    business_licence,
    clerk,
    decide,
    ok,
    provide_materials,
    resident,
    restaurateur,
    staff,
    start,
    submit,
    subs_by_department,
)
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here

FAST_SCHEDULE = (0.3, 0.3, 0.5, 1.0)  # the real one is 15s/15s/30s/3m…; the tests shorten it
PROPERTY_FACTS = {
    "buyer.ownership": "单独所有",
    "buyer.contact_address": "湖南省株洲市天元区嵩山路街道示例路12号3栋402",
    "tax.family_home_count": 1,
    "water.account_no": "ZZ-W-0012345",
    "power.account_no": "ZZ-E-0067890",
    "gas.account_no": "ZZ-G-0024680",
}  # fmt: skip
FEE_ITEM = "430200-BDC-001"


class _Server:
    """A WSGI server on a free loopback port whose app is given once its address is known."""

    def __init__(self, name: str):
        self.server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    def serve(self, app) -> None:
        self.server.app = app
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def servers():
    ours, gateway = _Server("onetrip-under-test"), _Server("sandbox-gateway")
    yield ours, gateway
    for server in (ours, gateway):
        if server.thread.is_alive():
            server.stop()


@pytest.fixture
def config(tmp_path, servers):
    ours, gateway = servers
    return {
        "DATA_DIR": str(tmp_path / "var"),
        "TESTING": True,
        "LOG_LEVEL": "WARNING",
        "WECHATPAY_BASE_URL": gateway.url,
        "WECHATPAY_NOTIFY_BASE_URL": ours.url,
        "PUBLIC_BASE_URL": ours.url,
        "PAYMENT_RECOVERY_AFTER_SECONDS": 0,
    }


@pytest.fixture
def app(config, servers):
    app = create_app(config)
    load_catalog(app.extensions["store"])
    servers[0].serve(app)
    return app


@pytest.fixture
def store(app):
    return app.extensions["store"]


@pytest.fixture
def sandbox(app, config, servers):
    """The sandbox gateway, serving, with its notifier running on the shortened retry schedule."""
    gateway = Sandbox.from_config({**app.config, **config}, schedule=FAST_SCHEDULE, refund_delay=0.2)
    servers[1].serve(gateway.app)
    stop = threading.Event()
    thread = gateway.start_notifier(stop, poll=0.05)
    yield gateway
    stop.set()
    thread.join(timeout=5)


@pytest.fixture
def worker(app, sandbox):
    """The payments worker as `make run` runs it (tasks, recovery, reconciliation), one round at a time."""

    class Rounds:
        def __init__(self):
            self.real = worker_for(app)

        def run_tasks(self) -> int:
            with app.app_context():
                return self.real.run_tasks()

        def recover(self) -> dict:
            from payments.recovery import recover

            with app.app_context():
                return recover(self.real.store, self.real.provider, self.real.settings)

    return Rounds()


@pytest.fixture
def buyer(resident, store, cipher):  # noqa: F811 - the re-exported fixture
    """A resident whose certificate library holds the 网签备案 of the flat they buy: 不动产转移登记 can start."""

    def make(phone: str = "13800000011", name: str = "张晓明"):
        person = resident(phone, name)
        seller = {"name": "赵秀兰", "id_number": "430204196703159020"}
        data = sale_contract_data({"name": name, "id_number": person.person.id_number}, seller)
        holder = {"kind": "person", "key": cipher.blind_index("id_number", person.person.id_number)}
        vault.issue_certificate(store, cipher, holder, "sale_contract_filing", "存量房买卖合同网签备案证明", data, "zjj",
                                holder_name=name, issuer_name="株洲市住房和城乡建设局")  # fmt: skip
        return person

    return make


def typed(view: dict) -> dict:
    return {f["name"]: PROPERTY_FACTS[f["name"]] for f in view["fields"] if f["source"] is None and f["name"] in PROPERTY_FACTS}


def submitted_transfer(applicant) -> dict:
    """不动产转移登记一件事 submitted: its fee order (80 元 for the registration) is pending."""
    view = start(applicant, bundle="property-transfer")
    view = ok(applicant.patch(f"/applications/{view['id']}", json={"values": typed(view), "version": view["version"]}))
    return ok(submit(applicant, provide_materials(applicant, view)))


def approve_all_but(applicant, approvers, application_id: str, *, skip: tuple[str, ...] = ()) -> None:  # noqa: F811
    """Approve every item in review, results-givers first (契税 issues the 完税证明 the registration needs)."""
    for _ in range(3):
        for department, subs in subs_by_department(applicant, application_id).items():
            for sub in subs:
                if sub["state"] == "in_review" and sub["item"] not in skip:
                    decide(approvers[department], sub["id"])


def pay_on_the_payer_page(code_url: str) -> requests.Response:
    """What the payer does after scanning: open the page, tap 确认支付."""
    page = requests.get(code_url, timeout=5)
    assert page.status_code == 200 and "确认支付" in page.text
    return requests.post(code_url + "/confirm", timeout=5)


def wait_for(predicate, timeout: float = 10.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def order_state(store, application_id: str) -> str:
    return store[orders.FEE_ORDERS].find_one({"application_id": application_id})["state"]


@contextmanager
def unchanged(store, *collections: str):
    """Asserts that the block leaves these collections exactly as they were."""
    before = {name: sorted(map(repr, store[name].find({}))) for name in collections}
    yield
    after = {name: sorted(map(repr, store[name].find({}))) for name in collections}
    assert after == before


def days_ago(days: int) -> str:
    from datetime import timedelta

    from api.clock import to_iso, utcnow

    return to_iso(utcnow() - timedelta(days=days)) if days else now_iso()

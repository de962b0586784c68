# ruff: noqa: F811 - pytest fixtures imported here are taken as arguments by name
"""Factories for delivery tests: an application walked over HTTP to its results (the paper licences of 开办餐饮店
then go by EMS), couriers with known usernames, the hall's post desk, and signed carrier events."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from api.delivery import carrier
from api.delivery.service import SHIPMENTS, pickup_code
from auth.staff import create_staff
from tests.applications.conftest import (  # noqa: F401 - fixtures used here
    CONTACT_ADDRESS,
    Caller,
    app,
    approve_all,
    approvers,
    business_licence,
    clerk,
    ok,
    ready_to_submit,
    resident,
    restaurateur,
    staff,
)
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here

_courier_serial = itertools.count(1)


def post(owner: Caller, clerk: Caller, approvers, delivery: dict | None = None) -> dict:
    """Submit 开办餐饮店 (with `delivery`, else the default offer), accept and approve it: the application view."""
    ready = ready_to_submit(owner, bundle="open-restaurant")
    body = {"version": ready["version"], **({"delivery": delivery} if delivery else {})}
    sent = ok(owner.post(f"/applications/{ready['id']}/submit", json=body))
    ok(clerk.post(f"/clerk/applications/{sent['id']}/accept"))
    return approve_all(owner, approvers, sent["id"])


@pytest.fixture
def posted(restaurateur, clerk, approvers, store):
    """posted() -> (owner, application view, shipment document): results issued, the licences posted by EMS."""

    def make(phone: str = "13800000003", name: str = "李娜"):
        owner = restaurateur(phone, name)
        view = post(owner, clerk, approvers)
        return owner, view, store[SHIPMENTS].find_one({"application_id": view["id"]})

    return make


@pytest.fixture
def courier(app, store, cipher, auth_header):  # noqa: F811 - the re-exported fixture
    """courier() -> a courier Caller; its username in .extra["username"]."""

    def make() -> Caller:
        serial = next(_courier_serial)
        username = f"courier-t{serial}"
        account, _ = create_staff(store, cipher, username, f"投递员{serial}", f"1390100{serial:04d}", "courier", None)
        return Caller(app.test_client(), auth_header(account["_id"], roles=("courier",), acr=3), account["_id"],
                      extra={"username": username})  # fmt: skip

    return make


def desk(clerk: Caller, shipment_id: str, state: str, **body):
    return clerk.post(f"/hall/shipments/{shipment_id}/events", json={"state": state, **body})


def dispatch(clerk: Caller, shipment: dict, courier: Caller) -> dict:
    """揽收 → 运输 → 到达投递局 → 派送 (to `courier`) at the post desk."""
    for state in ("accepted", "in_transit", "at_delivery_office"):
        ok(desk(clerk, shipment["_id"], state))
    return ok(desk(clerk, shipment["_id"], "out_for_delivery", courier=courier.extra["username"]))


def code_of(store, cipher, shipment: dict) -> str:  # noqa: F811 - a plain argument
    return pickup_code(cipher, store[SHIPMENTS].find_one({"_id": shipment["_id"]}))


def signed(app, event: dict, timestamp: int | None = None, secret: bytes | None = None) -> dict:
    """The body and headers of a carrier webhook request."""
    body = json.dumps(event).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    key = secret or carrier.carrier_secret(app.config)
    return {"data": body, "content_type": "application/json",
            "headers": {"X-Carrier-Timestamp": ts, "X-Carrier-Signature": carrier.sign(key, ts, body)}}  # fmt: skip

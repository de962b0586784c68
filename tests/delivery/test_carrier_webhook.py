"""The carrier's webhook: HMAC signature over timestamp and body, a 5-minute replay window, duplicates ignored by
event id, and out-of-order events that never move a shipment backwards."""

from __future__ import annotations

import time

from api.clock import now_iso
from api.delivery.service import EVENTS, SHIPMENTS

from .conftest import signed

URL = "/api/v1/delivery/carrier-events"


def _event(shipment: dict, state: str, event_id: str, **extra) -> dict:
    return {"event_id": event_id, "waybill_no": shipment["waybill_no"], "state": state, "occurred_at": now_iso(), **extra}


def test_a_signed_event_moves_the_shipment(app, client, posted, store):
    _, _, shipment = posted()
    answer = client.post(URL, **signed(app, _event(shipment, "accepted", "ev-1")))
    assert answer.status_code == 200 and answer.get_json() == {"result": "applied", "state": "accepted"}
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["state"] == "accepted"


def test_a_wrong_signature_is_a_401_and_changes_nothing(app, client, posted, store):
    _, _, shipment = posted()
    request = signed(app, _event(shipment, "accepted", "ev-1"), secret=b"not-the-secret")
    answer = client.post(URL, **request)
    assert answer.status_code == 401 and answer.get_json()["code"] == "bad_signature"
    request = signed(app, _event(shipment, "accepted", "ev-1"))
    request["data"] = request["data"].replace(b"accepted", b"delivered")  # the body changed after signing
    assert client.post(URL, **request).status_code == 401
    unsigned = {k: v for k, v in signed(app, _event(shipment, "accepted", "ev-1")).items() if k != "headers"}
    assert client.post(URL, **unsigned).status_code == 401
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["state"] == "created"


def test_a_request_older_than_five_minutes_is_refused_as_a_replay(app, client, posted, store):
    _, _, shipment = posted()
    old = signed(app, _event(shipment, "accepted", "ev-1"), timestamp=int(time.time()) - 301)
    answer = client.post(URL, **old)
    assert answer.status_code == 401 and answer.get_json()["code"] == "stale_timestamp"
    future = signed(app, _event(shipment, "accepted", "ev-1"), timestamp=int(time.time()) + 301)
    assert client.post(URL, **future).status_code == 401
    recent = signed(app, _event(shipment, "accepted", "ev-1"), timestamp=int(time.time()) - 290)
    assert client.post(URL, **recent).status_code == 200


def test_an_event_sent_twice_is_applied_once(app, client, posted, store):
    _, _, shipment = posted()
    event = _event(shipment, "accepted", "ev-1")
    assert client.post(URL, **signed(app, event)).get_json()["result"] == "applied"
    again = client.post(URL, **signed(app, event))
    assert again.status_code == 200 and again.get_json() == {"result": "duplicate", "state": "accepted"}
    assert store[EVENTS].count_documents({"shipment_id": shipment["_id"], "state": "accepted"}) == 1


def test_an_event_arriving_late_is_kept_but_never_moves_the_shipment_back(app, client, posted, store):
    _, _, shipment = posted()
    accepted = _event(shipment, "accepted", "ev-1")  # happened first, arrives last
    office = _event(shipment, "at_delivery_office", "ev-3")
    assert client.post(URL, **signed(app, office)).get_json()["result"] == "applied"
    late = client.post(URL, **signed(app, accepted))
    assert late.get_json() == {"result": "stale", "state": "at_delivery_office"}
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["state"] == "at_delivery_office"
    kept = store[EVENTS].find_one({"_id": "carrier:ev-1"})
    assert kept["applied"] is False
    assert client.post(URL, **signed(app, accepted)).get_json()["result"] == "duplicate"


def test_an_event_older_than_the_last_one_applied_does_not_apply_even_if_forward(app, client, posted, store):
    _, _, shipment = posted()
    client.post(URL, **signed(app, _event(shipment, "accepted", "ev-2")))
    earlier = _event(shipment, "in_transit", "ev-1", occurred_at="2020-01-01T00:00:00.000Z")
    assert client.post(URL, **signed(app, earlier)).get_json()["result"] == "stale"


def test_the_carrier_sends_a_shipment_out_with_a_courier_and_the_applicant_is_told(app, client, posted, courier, store):
    owner, _, shipment = posted()
    walker = courier()
    for number, state in enumerate(("accepted", "in_transit", "at_delivery_office"), start=1):
        client.post(URL, **signed(app, _event(shipment, state, f"ev-{number}")))
    assert client.post(URL, **signed(app, _event(shipment, "out_for_delivery", "ev-4"))).status_code == 422  # no courier
    out = client.post(URL, **signed(app, _event(shipment, "out_for_delivery", "ev-5", courier=walker.extra["username"])))
    assert out.get_json() == {"result": "applied", "state": "out_for_delivery"}
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["courier_id"] == walker.account_id
    message = store["outbox"].find_one({"event": "shipment.out_for_delivery"})
    assert message["recipient"]["account_id"] == owner.account_id and len(message["data"]["pickup_code"]) == 6


def test_a_malformed_event_or_unknown_waybill_is_refused(app, client, posted):
    _, _, shipment = posted()
    assert client.post(URL, **signed(app, {"event_id": "x"})).status_code == 422
    unknown = {**_event(shipment, "accepted", "ev-9"), "waybill_no": "EA999999995CN"}
    assert client.post(URL, **signed(app, unknown)).status_code == 404

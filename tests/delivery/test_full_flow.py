"""From approval to the licences in the applicant's hands: the shipment posted, the carrier's events, the courier
confirming with the pickup code, the application completed, and every message in the applicant's inbox."""

from __future__ import annotations

import re

from api.clock import now_iso
from api.delivery.service import SHIPMENTS
from notifications.channels.inbox import InboxChannel
from notifications.worker import Worker
from tests.applications.conftest import ok

from .conftest import signed

URL = "/api/v1/delivery/carrier-events"


def test_approval_shipment_carrier_events_courier_confirmation_delivered_with_the_notifications(
    app, client, posted, courier, store
):
    owner, view, shipment = posted()
    walker = courier()
    assert view["state"] == "results_issued" and view["shipment"]["state"] == "created"

    for number, state in enumerate(("accepted", "in_transit", "at_delivery_office", "out_for_delivery"), start=1):
        event = {"event_id": f"ems-{number}", "waybill_no": shipment["waybill_no"], "state": state, "occurred_at": now_iso()}
        if state == "out_for_delivery":
            event["courier"] = walker.extra["username"]
        assert client.post(URL, **signed(app, event)).get_json()["result"] == "applied"

    Worker(store, {"inbox": InboxChannel(store)}).drain()
    inbox = ok(owner.get("/me/notifications"))
    created = next(n for n in inbox if n["event"] == "shipment.created")
    code = re.search(r"取件码(\d{6})", created["body"]).group(1)  # what the applicant reads and shows at the door

    opened = ok(walker.post("/courier/scans", json={"waybill_no": shipment["waybill_no"]}))
    delivered = ok(walker.post(f"/courier/shipments/{opened['id']}/delivery", json={"code": code}))
    assert delivered["state"] == "delivered"

    done = ok(owner.get(f"/applications/{view['id']}"))
    assert done["state"] == "completed" and done["state_label"] == "已办结"
    assert [e["state"] for e in done["shipment"]["events"]][-2:] == ["out_for_delivery", "delivered"]
    assert done["timeline"][-1]["action"] == "delivered" and done["timeline"][-1]["to"] == "completed"
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["delivered_at"]

    Worker(store, {"inbox": InboxChannel(store)}).drain()
    events = [n["event"] for n in ok(owner.get("/me/notifications"))]
    assert {"shipment.created", "shipment.out_for_delivery", "shipment.delivered"} <= set(events)
    assert "evaluation.invitation" in events  # completed on delivery: the applicant is asked to rate it (好差评)
    assert [e for e in events if e != "evaluation.invitation"][0] == "shipment.delivered"  # newest first

"""The courier's round: only their own shipments, opened by waybill or envelope QR, delivered against the pickup
code (five wrong codes lock the shipment and alert the hall), failed attempts; the hall's stuck list."""

from __future__ import annotations

import datetime as dt

from api.clock import to_iso, utcnow
from api.delivery.courier import HANDOVER_TYPE
from api.delivery.service import ALERTS, SHIPMENTS
from api.vault.signing import certificate_keys
from tests.applications.conftest import ok

from .conftest import code_of, desk, dispatch


def _deliver(walker, shipment, code):
    return walker.post(f"/courier/shipments/{shipment['_id']}/delivery", json={"code": code})


def test_a_courier_sees_todays_shipments_ordered_by_route_area(posted, clerk, courier, store):
    walker = courier()
    first, second = posted("13800000003", "李娜")[2], posted("13800000005", "王芳")[2]
    store[SHIPMENTS].update_one({"_id": first["_id"]}, {"$set": {"route_area": "天元区嵩山路街道"}})
    store[SHIPMENTS].update_one({"_id": second["_id"]}, {"$set": {"route_area": "天元区长江路街道"}})
    dispatch(clerk, second, walker)
    dispatch(clerk, first, walker)
    round_ = ok(walker.get("/courier/shipments"))
    assert [s["waybill_no"] for s in round_] == [first["waybill_no"], second["waybill_no"]]
    assert round_[0]["address"] == "湖南省株洲市天元区嵩山路街道示例路12号3栋402" and "pickup_code" not in round_[0]


def test_a_courier_opens_a_shipment_by_waybill_or_by_the_envelope_qr(app, posted, clerk, courier):
    walker = courier()
    _, _, shipment = posted()
    dispatch(clerk, shipment, walker)
    assert ok(walker.post("/courier/scans", json={"waybill_no": shipment["waybill_no"].lower()}))["id"] == shipment["_id"]
    with app.app_context():
        token = certificate_keys().sign(shipment["_id"], HANDOVER_TYPE)
        certificate_token = certificate_keys().sign(shipment["_id"], "food_business_licence")
    assert ok(walker.post("/courier/scans", json={"token": token}))["waybill_no"] == shipment["waybill_no"]
    assert walker.post("/courier/scans", json={"token": certificate_token}).status_code == 404  # not an envelope QR
    # One character changed inside the signature (the last ones may be only padding bits of base64).
    forged = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
    assert walker.post("/courier/scans", json={"token": forged}).status_code == 404


def test_a_courier_cannot_read_or_confirm_another_couriers_shipment(posted, clerk, courier, store, cipher):
    mine, theirs = courier(), courier()
    _, _, shipment = posted()
    dispatch(clerk, shipment, theirs)
    code = code_of(store, cipher, shipment)
    assert mine.get(f"/courier/shipments/{shipment['_id']}").status_code == 404
    assert mine.post("/courier/scans", json={"waybill_no": shipment["waybill_no"]}).status_code == 404
    assert _deliver(mine, shipment, code).status_code == 404
    assert mine.post(f"/courier/shipments/{shipment['_id']}/failed-attempt", json={"reason": "x"}).status_code == 404
    assert ok(mine.get("/courier/shipments")) == []
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["state"] == "out_for_delivery"


def test_someone_who_is_not_a_courier_is_refused(posted, clerk, resident):
    _, _, shipment = posted()
    assert resident("13800000009", "赵六").get("/courier/shipments").status_code == 403
    assert clerk.get("/courier/shipments").status_code == 403


def test_five_wrong_pickup_codes_lock_the_shipment_and_alert_the_hall(posted, clerk, courier, store, cipher):
    walker = courier()
    _, _, shipment = posted()
    dispatch(clerk, shipment, walker)
    code = code_of(store, cipher, shipment)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        answer = _deliver(walker, shipment, wrong)
        assert answer.status_code == 422 and f"还可尝试{left}次" in answer.get_json()["message"]
    fifth = _deliver(walker, shipment, wrong)
    assert fifth.status_code == 409 and fifth.get_json()["code"] == "shipment_locked"
    assert _deliver(walker, shipment, code).status_code == 409  # locked even with the right code
    assert store[SHIPMENTS].find_one({"_id": shipment["_id"]})["state"] == "out_for_delivery"
    alerts = ok(clerk.get("/hall/shipments/alerts"))
    assert [(a["kind"], a["waybill_no"]) for a in alerts] == [("pickup_code_locked", shipment["waybill_no"])]
    assert store[ALERTS].count_documents({}) == 1


def test_a_failed_attempt_needs_a_reason_and_tells_the_applicant(posted, clerk, courier, store):
    walker = courier()
    owner, _, shipment = posted()
    dispatch(clerk, shipment, walker)
    assert walker.post(f"/courier/shipments/{shipment['_id']}/failed-attempt", json={"reason": ""}).status_code == 422
    failed = ok(walker.post(f"/courier/shipments/{shipment['_id']}/failed-attempt", json={"reason": "收件人不在家"}))
    assert failed["state"] == "failed" and failed["attempts"] == 1
    message = store["outbox"].find_one({"event": "shipment.failed"})
    assert message["data"]["reason"] == "收件人不在家" and message["recipient"]["account_id"] == owner.account_id
    assert _deliver(walker, shipment, "000000").status_code == 409  # no longer out for delivery


def test_the_hall_lists_shipments_stuck_in_one_state_longer_than_72_hours(posted, clerk, staff, store):
    _, _, stuck = posted("13800000003", "李娜")
    _, _, moving = posted("13800000005", "王芳")
    ok(desk(clerk, stuck["_id"], "in_transit"))
    ok(desk(clerk, moving["_id"], "in_transit"))
    long_ago = to_iso(utcnow() - dt.timedelta(hours=73))
    store[SHIPMENTS].update_one({"_id": stuck["_id"]}, {"$set": {"state_since": long_ago}})

    listed = ok(clerk.get("/hall/shipments/stuck"))
    assert [(s["waybill_no"], s["state"]) for s in listed] == [(stuck["waybill_no"], "in_transit")]
    assert len(ok(clerk.get("/hall/shipments/stuck", query_string={"hours": 1}))) == 1
    assert ok(staff("clerk", hall="zz-lsq").get("/hall/shipments/stuck")) == []  # another hall's

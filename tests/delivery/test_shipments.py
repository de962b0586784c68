"""Delivery choice at submission, the shipment created when paper results are issued, the label, and the state
machine that only moves forward."""

from __future__ import annotations

import json

from api.delivery.choice import open_recipient
from api.delivery.waybill import is_valid
from tests.applications.conftest import ok

from .conftest import CONTACT_ADDRESS, code_of, desk, dispatch, post


def test_the_paper_licences_of_a_restaurant_are_posted_by_ems_to_the_vault_address(posted, store, cipher):
    owner, view, shipment = posted()

    assert view["state"] == "results_issued"
    assert is_valid(shipment["waybill_no"]) and shipment["state"] == "created"
    assert sorted(c["type"] for c in shipment["contents"]) == ["fire_safety_inspection", "food_business_licence"]
    recipient = open_recipient(cipher, shipment)
    assert recipient["address"] == CONTACT_ADDRESS and recipient["name"] == "李娜"
    assert "李娜" not in json.dumps(shipment, ensure_ascii=False)  # sealed at rest
    assert view["shipment"]["waybill_no"] == shipment["waybill_no"]
    assert view["delivery"]["method"] == "ems" and view["delivery"]["address"].endswith("****")


def test_the_pickup_code_goes_to_the_recipient_by_sms_and_inbox(posted, store, cipher):
    owner, view, shipment = posted()

    message = store["outbox"].find_one({"event": "shipment.created"})
    assert message["data"]["waybill_no"] == shipment["waybill_no"]
    assert message["data"]["pickup_code"] == code_of(store, cipher, shipment)
    assert len(message["data"]["pickup_code"]) == 6
    assert message["recipient"]["account_id"] == owner.account_id and message["recipient"]["phone_bi"]


def test_an_address_typed_at_submission_replaces_the_offer(restaurateur, clerk, approvers, store, cipher):
    owner = restaurateur()
    address = {**CONTACT_ADDRESS, "district": "芦淞区", "street": "建设路街道", "detail": "新华西路1号"}
    view = post(owner, clerk, approvers, {"method": "ems", "recipient_name": "王五", "recipient_phone": "13700000000",
                                          "address": address})  # fmt: skip
    shipment = store["shipments"].find_one({"application_id": view["id"]})
    assert open_recipient(cipher, shipment) == {"name": "王五", "phone": "13700000000", "address": address}
    assert shipment["route_area"] == "芦淞区建设路街道"


def test_pickup_at_the_hall_posts_nothing(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    assert view["delivery"] == {"method": "pickup", "hall": "zz-smzx"}
    assert view["shipment"] is None and store["shipments"].count_documents({}) == 0


def test_an_incomplete_ems_address_is_a_422_and_submits_nothing(restaurateur):
    from tests.applications.conftest import ready_to_submit

    owner = restaurateur()
    ready = ready_to_submit(owner, bundle="open-restaurant")
    answer = owner.post(f"/applications/{ready['id']}/submit", json={"version": ready["version"], "delivery": {"method": "ems"}})
    assert answer.status_code == 422
    assert ok(owner.get(f"/applications/{ready['id']}"))["state"] == "draft"


def test_the_submit_step_offers_the_vault_contact_address(restaurateur):
    owner = restaurateur()
    offer = ok(owner.get("/delivery/my-address"))
    assert offer["method"] == "ems" and offer["address"] == CONTACT_ADDRESS and offer["recipient_name"] == "李娜"


def test_the_label_is_an_a6_page_with_the_waybill_and_two_qr_codes(posted, clerk):
    _, _, shipment = posted()
    answer = clerk.client.get(f"/api/v1/hall/shipments/{shipment['_id']}/label", headers=clerk.headers)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "size: A6" in page and shipment["waybill_no"] in page and page.count("<svg") == 2
    assert "湖南省株洲市天元区嵩山路街道示例路12号3栋402" in page


def test_a_shipment_only_moves_forward_and_an_illegal_move_is_a_409(posted, clerk, courier):
    _, _, shipment = posted()
    ok(desk(clerk, shipment["_id"], "in_transit"))  # a scan the carrier never sent may be skipped
    assert desk(clerk, shipment["_id"], "accepted").status_code == 409
    assert desk(clerk, shipment["_id"], "delivered").status_code == 409
    assert desk(clerk, shipment["_id"], "out_for_delivery").status_code == 422  # no courier named
    ok(desk(clerk, shipment["_id"], "out_for_delivery", courier=courier().extra["username"]))
    assert desk(clerk, shipment["_id"], "failed").status_code == 422  # no reason


def test_delivery_completes_the_application(posted, clerk, courier, store, cipher):
    owner, view, shipment = posted()
    walker = courier()
    dispatch(clerk, shipment, walker)
    ok(walker.post(f"/courier/shipments/{shipment['_id']}/delivery", json={"code": code_of(store, cipher, shipment)}))

    done = ok(owner.get(f"/applications/{view['id']}"))
    assert done["state"] == "completed"
    assert [e["state"] for e in done["shipment"]["events"]] == [
        "created", "accepted", "in_transit", "at_delivery_office", "out_for_delivery", "delivered"
    ]  # fmt: skip
    assert desk(clerk, shipment["_id"], "returned").status_code == 409  # delivered is final


def test_after_three_failed_attempts_the_applicant_chooses_pickup_or_redelivery(posted, clerk, courier):
    owner, view, shipment = posted()
    walker = courier()
    dispatch(clerk, shipment, walker)
    path = f"/delivery/applications/{view['id']}/after-failures"
    for attempt in range(3):
        if attempt:
            assert owner.post(path, json={"choice": "pickup"}).status_code == 409  # attempts left
            ok(desk(clerk, shipment["_id"], "out_for_delivery", courier=walker.extra["username"]))
        ok(walker.post(f"/courier/shipments/{shipment['_id']}/failed-attempt", json={"reason": "收件人电话无人接听"}))
    assert desk(clerk, shipment["_id"], "out_for_delivery", courier=walker.extra["username"]).status_code == 409
    tracking = ok(owner.get(f"/applications/{view['id']}"))["shipment"]
    assert tracking["can_choose_after_failures"] and tracking["attempts"] == 3

    assert ok(owner.post(path, json={"choice": "redeliver"}))["can_choose_after_failures"] is False
    ok(desk(clerk, shipment["_id"], "out_for_delivery", courier=walker.extra["username"]))
    ok(walker.post(f"/courier/shipments/{shipment['_id']}/failed-attempt", json={"reason": "地址无人"}))
    assert ok(owner.post(path, json={"choice": "pickup"}))["state"] == "returned"

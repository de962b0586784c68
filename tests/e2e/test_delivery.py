"""The paper licences of a restaurant reach 李娜: the courier on a phone opens the parcel by its waybill, enters the
pickup code she shows, sees it delivered, and her application page shows the delivered event."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect

from api.delivery.courier import HANDOVER_TYPE
from api.vault.qr import qr_png
from api.vault.signing import certificate_keys
from auth.crypto import cipher_for_store

from .one_thing import (
    BUNDLE,
    PDF,
    SHOP,
    act_for_the_restaurant,
    decode_qr,
    li_na,
    log_in_as_li_na,
    log_in_as_staff,
    on_phone,
    screenshot,
    staff,
)

ADDRESS = {"province": "湖南省", "city": "株洲市", "district": "芦淞区", "street": "建设路街道", "detail": "建设中路88号"}
APPROVERS = {"scjg": "approver-scjg", "cgj": "approver-cgj", "xfjy": "approver-xfjy"}


def _posted_restaurant(app) -> dict:
    """李娜's 开办餐饮店, to be posted by EMS to the shop, accepted and approved by every department."""
    applicant = li_na(app)
    draft = applicant.call("POST", "/applications", 201, json={"bundle": BUNDLE})
    draft = applicant.call("PATCH", f"/applications/{draft['id']}", json={"values": SHOP, "version": draft["version"]})
    for material in draft["materials"]:
        base = f"/applications/{draft['id']}/materials/{material['code']}"
        if material["source"] == "form":
            draft = applicant.call("POST", f"{base}/declaration", json={"version": draft["version"]})
        elif material["source"] == "upload":
            form = {"version": str(draft["version"]), "file": (io.BytesIO(PDF), "plan.pdf")}
            draft = applicant.call("POST", f"{base}/upload", data=form, content_type="multipart/form-data")
    delivery = {"method": "ems", "recipient_name": "李娜", "recipient_phone": "13800000003", "address": ADDRESS}
    sent = applicant.call("POST", f"/applications/{draft['id']}/submit", json={"version": draft["version"], "delivery": delivery})
    accepted = staff(app, "clerk01").call("POST", f"/clerk/applications/{sent['id']}/accept")
    for sub in accepted["subs"]:
        approver = staff(app, APPROVERS[sub["department"]])
        approver.call("POST", f"/review/sub-applications/{sub['id']}/decision", json={"action": "approve"})
    return applicant.call("GET", f"/applications/{sent['id']}")


def test_the_courier_delivers_by_waybill_and_code_and_the_applicant_sees_it_delivered(page, second_page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    application = _posted_restaurant(demo_app)
    shipment = store["shipments"].find_one({"application_id": application["id"]})
    desk = staff(demo_app, "clerk01")
    for state in ("accepted", "in_transit", "at_delivery_office"):
        desk.call("POST", f"/hall/shipments/{shipment['_id']}/events", json={"state": state})
    desk.call("POST", f"/hall/shipments/{shipment['_id']}/events", json={"state": "out_for_delivery", "courier": "courier01"})
    code = cipher_for_store(store).decrypt(shipment["pickup_code_enc"], "delivery.pickup_code")  # in 李娜's SMS

    # The courier (邮政投递员) on a phone: today's round, the parcel opened by its typed waybill, the code.
    log_in_as_staff(page, demo_server, "courier01", "/staff")
    page.get_by_role("button", name=re.compile("今日投递")).click()  # the 工作台 leads a courier to the round
    expect(page).to_have_url(demo_server + "/staff/courier")
    expect(page.get_by_role("list", name="今日邮件")).to_contain_text(shipment["waybill_no"])
    page.get_by_role("textbox", name="运单号").fill(shipment["waybill_no"])
    page.get_by_role("button", name="打开").click()
    expect(page.get_by_role("heading", level=2, name=shipment["waybill_no"])).to_be_visible()
    expect(page.get_by_text("芦淞区建设路街道建设中路88号")).to_be_visible()
    on_phone(page)
    screenshot(page, "delivery-1-courier-parcel")
    page.get_by_role("textbox", name="取件码").fill(code)
    page.get_by_role("button", name="确认妥投").click()
    expect(page.get_by_role("status")).to_have_text("已妥投")
    screenshot(page, "delivery-2-courier-delivered")

    # 李娜's application: completed, the tracking timeline ends with 已妥投.
    citizen = second_page
    act_for_the_restaurant(citizen)
    log_in_as_li_na(citizen, demo_server, store)
    citizen.goto(f"{demo_server}/me/applications/{application['id']}")
    tracking = citizen.get_by_role("region", name="纸质证照领取")
    expect(tracking).to_contain_text(shipment["waybill_no"])
    expect(tracking.get_by_label("邮寄进度")).to_contain_text("已妥投")
    expect(tracking).to_contain_text("到达投递局")
    on_phone(citizen)
    screenshot(citizen, "delivery-3-citizen-tracking")


def test_the_courier_opens_the_parcel_from_a_photo_of_the_envelope_qr_and_records_a_failed_attempt(
    page, second_page, demo_server, demo_app, tmp_path
):
    store = demo_app.extensions["store"]
    application = _posted_restaurant(demo_app)
    shipment = store["shipments"].find_one({"application_id": application["id"]})
    desk = staff(demo_app, "clerk01")
    desk.call("POST", f"/hall/shipments/{shipment['_id']}/events", json={"state": "out_for_delivery", "courier": "courier01"})
    label = desk.client.get(f"/api/v1/hall/shipments/{shipment['_id']}/label", headers=desk.headers)
    assert label.status_code == 200 and shipment["waybill_no"] in label.get_data(as_text=True)
    with demo_app.app_context():
        token = certificate_keys().sign(shipment["_id"], HANDOVER_TYPE)  # what the label's handover QR holds
    photo = tmp_path / "envelope.png"
    photo.write_bytes(qr_png(token))

    log_in_as_staff(page, demo_server, "courier01", "/staff/courier")
    page.locator("#courier-picture").set_input_files(str(photo))
    # Decoding a photo in the browser takes a while on a busy 2-core machine: allow it 15 s.
    expect(page.get_by_role("heading", level=2, name=shipment["waybill_no"])).to_be_visible(timeout=15_000)
    page.get_by_text("收件人电话无人接听", exact=True).click()
    page.get_by_role("button", name="记录投递未成功").click()
    expect(page.get_by_text("投递未成功", exact=True).first).to_be_visible()
    screenshot(page, "delivery-4-courier-failed-attempt")

    citizen = second_page
    act_for_the_restaurant(citizen)
    log_in_as_li_na(citizen, demo_server, store)
    citizen.goto(f"{demo_server}/me/applications/{application['id']}")
    tracking = citizen.get_by_role("region", name="纸质证照领取")
    expect(tracking.get_by_label("邮寄进度")).to_contain_text("原因：收件人电话无人接听")

    # Out again: 李娜 shows the receipt QR from her phone; the courier's scan of it delivers the parcel.
    desk.call("POST", f"/hall/shipments/{shipment['_id']}/events", json={"state": "out_for_delivery", "courier": "courier01"})
    citizen.reload()
    tracking.get_by_role("button", name="出示签收码").click()
    receipt = tracking.get_by_role("img", name="签收码")
    expect(receipt).to_be_visible()
    token = decode_qr(receipt.screenshot())
    staff(demo_app, "courier01").call("POST", f"/courier/shipments/{shipment['_id']}/delivery", json={"token": token})
    citizen.reload()
    expect(tracking.get_by_label("邮寄进度")).to_contain_text("已妥投")


def test_the_hall_sees_a_parcel_stuck_for_four_days_on_its_reconciliation_page(page, demo_server, demo_app):
    store = demo_app.extensions["store"]
    application = _posted_restaurant(demo_app)
    shipment = store["shipments"].find_one({"application_id": application["id"]})
    store["shipments"].update_one({"_id": shipment["_id"]}, {"$set": {"state_since": "2026-01-01T00:00:00.000Z"}})

    log_in_as_staff(page, demo_server, "clerk01", "/staff")
    page.get_by_role("button", name=re.compile("邮件对账")).click()
    expect(page.get_by_role("list", name="滞留邮件")).to_contain_text(shipment["waybill_no"])
    on_phone(page)
    screenshot(page, "delivery-hall-stuck")

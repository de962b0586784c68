"""The courier's side (邮政投递员): today's round, opening a parcel by waybill or envelope QR, delivery against the
recipient's pickup code, failed attempts. A courier sees only the shipments assigned to them: any other is a 404.

Five wrong pickup codes lock the shipment and alert its sender hall (`delivery_alerts`): a sixth try is a 409 even
with the right code, until the hall unlocks it (they call the recipient first).
"""

from __future__ import annotations

import hmac

from pymongo import ReturnDocument

from api.clock import now_iso, utcnow
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id

from . import service, states
from .choice import address_text, open_recipient

MAX_CODE_TRIES = 5
HANDOVER_TYPE = "shipment"  # the `typ` of an envelope QR token (signed like certificate QR codes, api.vault.signing)
RECEIPT_TYPE = "shipment-receipt"  # the `typ` of the QR the recipient shows from their own app instead of the code
RECEIPT_SECONDS = 600  # a receipt QR is good this long after the app drew it: a screenshot sent away soon expires


def assigned(store, courier_id: str, shipment: dict | None) -> dict:
    """The shipment if it is this courier's; another's is not admitted to exist."""
    if shipment is None or shipment.get("courier_id") != courier_id:
        raise NotFound("找不到该邮件")
    return shipment


def todays_round(store, courier_id: str) -> list[dict]:
    """Today's shipments (Asia/Shanghai) assigned to the courier, by route area."""
    today = utcnow().astimezone(service.SHANGHAI).date().isoformat()
    return list(store[service.SHIPMENTS].find({"courier_id": courier_id, "out_for_date": today}).sort("route_area", 1))


def open_by(store, keys, courier_id: str, waybill_no: str | None, token: str | None) -> dict:
    """A typed waybill number, or the token read from the envelope's handover QR."""
    if token:
        payload = keys.verify(token)
        if payload is None or payload["typ"] != HANDOVER_TYPE:
            raise NotFound("二维码无效")
        return assigned(store, courier_id, store[service.SHIPMENTS].find_one({"_id": payload["cid"]}))
    if not waybill_no:
        raise Invalid("请输入运单号或扫描面单二维码", errors={"waybill_no": ["请输入运单号"]})
    return assigned(store, courier_id, store[service.SHIPMENTS].find_one({"waybill_no": waybill_no.strip().upper()}))


def courier_view(cipher, shipment: dict) -> dict:
    """What the courier needs at the door: who, where, what; never the pickup code."""
    recipient = open_recipient(cipher, shipment)
    return {
        "id": shipment["_id"],
        "waybill_no": shipment["waybill_no"],
        "state": shipment["state"],
        "state_label": states.LABELS[shipment["state"]],
        "route_area": shipment["route_area"],
        "recipient_name": recipient["name"],
        "recipient_phone": recipient["phone"],
        "address": address_text(recipient["address"]),
        "contents": shipment["contents"],
        "attempts": shipment["attempts"],
        "locked": shipment.get("locked", False),
    }


def confirm_delivery(store, cipher, courier_id: str, shipment: dict, code: str) -> dict:
    """妥投: the recipient's 6-digit pickup code, checked in constant time; wrong ones counted, five lock it."""
    shipment = assigned(store, courier_id, shipment)
    if shipment.get("locked"):
        raise Conflict("取件码错误次数过多，邮件已锁定，请联系寄件大厅", code="shipment_locked")
    if shipment["state"] != states.OUT_FOR_DELIVERY:
        return service.move(store, cipher, shipment, states.DELIVERED, source="courier", actor=courier_id)  # the 409
    if not hmac.compare_digest(str(code).encode(), service.pickup_code(cipher, shipment).encode()):
        _wrong_code(store, shipment)
    return service.move(store, cipher, shipment, states.DELIVERED, source="courier", actor=courier_id)


def confirm_with_receipt(store, cipher, keys, courier_id: str, shipment: dict, token: str, now: float | None = None) -> dict:
    """妥投 against the QR the recipient shows in their app (签收码): signed for this shipment, fresh."""
    import time

    shipment = assigned(store, courier_id, shipment)
    if shipment.get("locked"):
        raise Conflict("取件码错误次数过多，邮件已锁定，请联系寄件大厅", code="shipment_locked")
    payload = keys.verify(token)
    fresh = payload is not None and 0 <= (time.time() if now is None else now) - payload["iat"] <= RECEIPT_SECONDS
    if not fresh or payload["typ"] != RECEIPT_TYPE or payload["cid"] != shipment["_id"]:
        raise Invalid("签收码无效或已过期，请收件人刷新后重新出示", code="bad_receipt", errors={"token": ["签收码无效或已过期"]})
    return service.move(store, cipher, shipment, states.DELIVERED, source="courier", actor=courier_id)


def receipt_token(keys, shipment: dict) -> str:
    """The recipient's receipt QR, only while the parcel is out for delivery to them."""
    if shipment["state"] != states.OUT_FOR_DELIVERY:
        raise Conflict("邮件不在派送中，无需出示签收码", code="not_out_for_delivery", errors={"state": [shipment["state"]]})
    return keys.sign(shipment["_id"], RECEIPT_TYPE)


def _wrong_code(store, shipment: dict) -> None:
    updated = store[service.SHIPMENTS].find_one_and_update(
        {"_id": shipment["_id"], "locked": False},
        {"$inc": {"code_tries": 1}, "$set": {"updated_at": now_iso()}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict("取件码错误次数过多，邮件已锁定，请联系寄件大厅", code="shipment_locked")
    left = MAX_CODE_TRIES - updated["code_tries"]
    if left > 0:
        raise Invalid(f"取件码不正确，还可尝试{left}次", code="wrong_pickup_code", errors={"code": [f"还可尝试{left}次"]})
    with store.transaction() as session:
        store[service.SHIPMENTS].update_one({"_id": shipment["_id"]}, {"$set": {"locked": True, "locked_at": now_iso()}},
                                            session=session)  # fmt: skip
        store[service.ALERTS].insert_one(
            {"_id": new_id("dal_"), "hall": shipment["sender_hall"], "shipment_id": shipment["_id"],
             "waybill_no": shipment["waybill_no"], "kind": "pickup_code_locked", "courier_id": shipment.get("courier_id"),
             "created_at": now_iso(), "resolved_at": None},
            session=session,
        )  # fmt: skip
    raise Conflict("取件码错误次数过多，邮件已锁定，已通知寄件大厅", code="shipment_locked")


def record_failure(store, cipher, courier_id: str, shipment: dict, reason: str) -> dict:
    shipment = assigned(store, courier_id, shipment)
    return service.move(store, cipher, shipment, states.FAILED, source="courier", actor=courier_id, reason=reason)

"""Shipments of paper results (邮件): created when an application's results are issued, moved forward by tracking
events from the carrier, the post desk or the courier, and delivered against the recipient's pickup code.

Shipment document:
    _id, waybill_no (unique, S10), application_id (unique), applicant_id, contents [{certificate_id, type, name}],
    sender_hall, recipient_enc (sealed name/phone/address), route_area, pickup_code_enc, state, attempts,
    max_attempts, courier_id?, out_for_date?, code_tries, locked, state_since, last_event_at,
    created_at, updated_at, version
Events (`shipment_events`): _id (the carrier's event id, prefixed, so a repeat is refused), shipment_id,
state, at, source (carrier | post_desk | courier | applicant), reason?, applied (False: out of order, kept only).
"""

from __future__ import annotations

import datetime as dt
import secrets

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api import audit
from api.catalog import service as catalog
from api.clock import now_iso, utcnow
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id
from notifications import enqueue

from . import states
from .choice import open_recipient
from .waybill import next_waybill

SHIPMENTS = "shipments"
EVENTS = "shipment_events"
ALERTS = "delivery_alerts"
CODE_CONTEXT = "delivery.pickup_code"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOTIFIED = {states.OUT_FOR_DELIVERY: "shipment.out_for_delivery", states.DELIVERED: "shipment.delivered",
            states.FAILED: "shipment.failed"}  # fmt: skip


def _paper_contents(store, application: dict) -> list[dict]:
    """The certificates of the application whose item posts a paper original."""
    paper = {r["certificate_type"] for code in application["items"] for r in catalog.get_item(store, code).get("results") or []
             if r.get("paper")}  # fmt: skip
    found = store["certificates"].find({"application_id": application["_id"]})
    return [{"certificate_id": c["_id"], "type": c["type"], "name": c["type_name"]} for c in found if c["type"] in paper]


def create_for_application(store, cipher, application: dict) -> dict | None:
    """The shipment of an application whose results are issued and who chose EMS (idempotent: one per application)."""
    delivery = application.get("delivery") or {}
    if delivery.get("method") != "ems" or store[SHIPMENTS].find_one({"application_id": application["_id"]}):
        return None
    contents = _paper_contents(store, application)
    if not contents:
        return None
    recipient = open_recipient(cipher, delivery)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = now_iso()
    shipment = {
        "_id": new_id("shp_"),
        "waybill_no": next_waybill(store),  # drawn before the transaction: a gap in the serials is harmless
        "application_id": application["_id"],
        "applicant_id": application["applicant_id"],
        "contents": contents,
        "sender_hall": application.get("hall"),
        "recipient_enc": delivery["recipient_enc"],
        "route_area": delivery["route_area"],
        "pickup_code_enc": cipher.encrypt(code, CODE_CONTEXT),
        "state": states.CREATED,
        "attempts": 0,
        "max_attempts": states.MAX_ATTEMPTS,
        "code_tries": 0,
        "locked": False,
        "state_since": now,
        "last_event_at": now,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    data = {"application_id": application["_id"], "bundle_name": application["name"], "waybill_no": shipment["waybill_no"],
            "pickup_code": code}  # fmt: skip
    try:
        with store.transaction() as session:
            store[SHIPMENTS].insert_one(shipment, session=session)
            _insert_event(store, shipment, states.CREATED, "system", now, session=session)
            enqueue(store, "shipment.created", {"account_id": application["applicant_id"], "phone": recipient["phone"]}, data,
                    f"shipment.created:{shipment['_id']}", session=session)  # fmt: skip
    except DuplicateKeyError:
        return None  # created meanwhile by another process
    return shipment


def _insert_event(store, shipment, state, source, at, *, key=None, reason=None, applied=True, actor=None, session=None):
    store[EVENTS].insert_one(
        {"_id": key or new_id("sev_"), "shipment_id": shipment["_id"], "state": state, "at": at, "recorded_at": now_iso(),
         "source": source, "actor": actor, "reason": reason, "applied": applied},
        session=session,
    )  # fmt: skip


def pickup_code(cipher, shipment: dict) -> str:
    return cipher.decrypt(shipment["pickup_code_enc"], CODE_CONTEXT)


def move(store, cipher, shipment: dict, target: str, *, source: str, actor: str | None = None, reason: str | None = None,
         courier_id: str | None = None, at: str | None = None, key: str | None = None) -> dict:  # fmt: skip
    """One step forward (a conditional write on the state and version read), its event and its notification.
    A step that is not forward is a 409 (illegal_transition)."""
    if not states.can_move(shipment, target):
        raise Conflict(f"邮件当前状态为「{states.LABELS[shipment['state']]}」，不能变为「{states.LABELS.get(target, target)}」",
                       code="illegal_transition", errors={"state": [shipment["state"]]})  # fmt: skip
    if target == states.FAILED and not (reason or "").strip():
        raise Invalid("请填写投递未成功的原因", errors={"reason": ["请填写原因"]})
    if target == states.OUT_FOR_DELIVERY and not courier_id:
        raise Invalid("派送须指定投递员", errors={"courier": ["请指定投递员"]})
    now = now_iso()
    at = at or now
    sets: dict = {"state": target, "state_since": now, "last_event_at": max(at, shipment["last_event_at"]), "updated_at": now}
    inc: dict = {"version": 1}
    if target == states.OUT_FOR_DELIVERY:
        sets.update(courier_id=courier_id, out_for_date=utcnow().astimezone(SHANGHAI).date().isoformat())
    if target == states.FAILED:
        inc["attempts"] = 1
        sets["last_failure"] = reason
    if target == states.DELIVERED:
        sets["delivered_at"] = at
    with store.transaction() as session:
        updated = store[SHIPMENTS].find_one_and_update(
            {"_id": shipment["_id"], "state": shipment["state"], "version": shipment["version"]},
            {"$set": sets, "$inc": inc},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise Conflict("邮件状态已变化，请刷新", code="illegal_transition")
        _insert_event(store, updated, target, source, at, key=key, reason=reason, actor=actor, session=session)
        audit.append(store, actor_id=actor or source, actor_role=source, action=f"shipment.{target}", subject_type="shipment",
                     subject_id=updated["_id"], detail={"from": shipment["state"], "application_id": updated["application_id"]},
                     session=session)  # fmt: skip
        _notify(store, cipher, updated, target, reason, session)
        if target == states.DELIVERED:
            from api.applications.review import refresh_state

            refresh_state(store, updated["application_id"], session, cause=(actor or source, source, "delivered"))
    return updated


def _notify(store, cipher, shipment: dict, target: str, reason: str | None, session) -> None:
    event = NOTIFIED.get(target)
    if event is None:
        return
    data = {"application_id": shipment["application_id"], "waybill_no": shipment["waybill_no"]}
    if target == states.OUT_FOR_DELIVERY:
        data["pickup_code"] = pickup_code(cipher, shipment)
    if target == states.FAILED:
        data["reason"] = reason
    recipient = {"account_id": shipment["applicant_id"], "phone": open_recipient(cipher, shipment)["phone"]}
    enqueue(store, event, recipient, data, f"{event}:{shipment['_id']}:{shipment['version']}", session=session)


def paper_delivered(store, application_id: str, session=None) -> bool:
    """Whether the application's paper originals have reached the applicant (its application then completes):
    delivered by post, or handed over at the hall's window (api.applications.window.hand_over)."""
    if store["applications"].find_one({"_id": application_id, "handed_over_at": {"$exists": True}}, session=session):
        return True
    return store[SHIPMENTS].find_one({"application_id": application_id, "state": states.DELIVERED}, session=session) is not None


def get(store, shipment_id: str) -> dict:
    shipment = store[SHIPMENTS].find_one({"_id": shipment_id})
    if shipment is None:
        raise NotFound("找不到该邮件")
    return shipment


def by_waybill(store, waybill_no: str) -> dict:
    shipment = store[SHIPMENTS].find_one({"waybill_no": (waybill_no or "").strip().upper()})
    if shipment is None:
        raise NotFound("找不到该邮件")
    return shipment


def of_application(store, application_id: str) -> dict | None:
    return store[SHIPMENTS].find_one({"application_id": application_id})


def events_of(store, shipment_id: str) -> list[dict]:
    return list(store[EVENTS].find({"shipment_id": shipment_id}).sort("at", 1))


def tracking_view(store, shipment: dict) -> dict:
    """What the applicant sees: the waybill, the contents, the state and the timeline of applied events."""
    return {
        "id": shipment["_id"],
        "waybill_no": shipment["waybill_no"],
        "state": shipment["state"],
        "state_label": states.LABELS[shipment["state"]],
        "contents": shipment["contents"],
        "attempts": shipment["attempts"],
        "can_choose_after_failures": shipment["state"] == states.FAILED and shipment["attempts"] >= shipment["max_attempts"],
        "events": [
            {"state": e["state"], "label": states.LABELS.get(e["state"], e["state"]), "at": e["at"], "reason": e.get("reason")}
            for e in events_of(store, shipment["_id"])
            if e["applied"]
        ],  # fmt: skip
    }


def choose_after_failures(store, cipher, shipment: dict, choice: str, actor: str) -> dict:
    """After the last attempt failed: pickup at the hall (退回大厅自取) or one more delivery (再次投递)."""
    if shipment["state"] != states.FAILED or shipment["attempts"] < shipment["max_attempts"]:
        raise Conflict(
            "邮件尚在投递中，暂不能改为自取或再次投递", code="illegal_transition", errors={"state": [shipment["state"]]}
        )
    if choice == "pickup":
        return move(store, cipher, shipment, states.RETURNED, source="applicant", actor=actor, reason="收件人选择到大厅自取")
    updated = store[SHIPMENTS].find_one_and_update(
        {"_id": shipment["_id"], "version": shipment["version"], "state": states.FAILED},
        {"$inc": {"max_attempts": 1, "version": 1}, "$set": {"updated_at": now_iso()}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict("邮件状态已变化，请刷新", code="illegal_transition")
    return updated

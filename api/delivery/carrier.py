"""The carrier's tracking webhook (EMS 轨迹推送): signed, fresh, once per event, never backwards.

The carrier signs `<timestamp>.<raw body>` with HMAC-SHA256 under the shared secret (config
DELIVERY_CARRIER_SECRET; in the embedded mode a generated `KEYS_DIR/carrier-webhook.key`) and sends
`X-Carrier-Timestamp` (Unix seconds) and `X-Carrier-Signature` (hex). A timestamp more than 5 minutes from
our clock is refused (a replayed request), an event id already recorded is answered "duplicate" and changes
nothing, and an event that is not a step forward from the shipment's state (or older than its last one) is
kept in the history as not applied ("stale") but never moves the shipment back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from pymongo.errors import DuplicateKeyError

from api.config import read_or_create_secret
from api.errors import DomainError, Invalid

from . import service, states
from .hall import courier_account

REPLAY_WINDOW_SECONDS = 300
SECRET_FILE = "carrier-webhook.key"  # noqa: S105 - the name of the file holding it


class BadSignature(DomainError):
    status, code, message = 401, "bad_signature", "签名无效或请求已过期"


def carrier_secret(config) -> bytes:
    configured = config.get("DELIVERY_CARRIER_SECRET")
    if configured:
        return configured.encode()
    return read_or_create_secret(config["KEYS_DIR"], SECRET_FILE, lambda: secrets.token_hex(32).encode()).strip()


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> None:
    if not timestamp or not signature or not timestamp.isdigit():
        raise BadSignature()
    if abs((time.time() if now is None else now) - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        raise BadSignature("请求时间戳超出允许范围", code="stale_timestamp")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.lower()):
        raise BadSignature()


def receive(store, cipher, event: dict) -> dict:
    """Apply one verified carrier event: {"result": applied | duplicate | stale, "state": the shipment's state}."""
    key = f"carrier:{event['event_id']}"
    if store[service.EVENTS].find_one({"_id": key}, projection={"_id": 1}):
        return {"result": "duplicate", "state": service.by_waybill(store, event["waybill_no"])["state"]}
    shipment = service.by_waybill(store, event["waybill_no"])
    target, at = event["state"], event["occurred_at"]
    if states.can_move(shipment, target) and at >= shipment["last_event_at"]:
        courier_id = (
            courier_account(store, event["courier"]) if target == states.OUT_FOR_DELIVERY and event.get("courier") else None
        )
        if target == states.OUT_FOR_DELIVERY and courier_id is None:
            raise Invalid("派送事件须指明投递员", errors={"courier": ["请指明投递员"]})
        try:
            updated = service.move(store, cipher, shipment, target, source="carrier", actor="carrier", reason=event.get("reason"),
                                   courier_id=courier_id, at=at, key=key)  # fmt: skip
        except DuplicateKeyError:
            return {"result": "duplicate", "state": service.get(store, shipment["_id"])["state"]}
        return {"result": "applied", "state": updated["state"]}
    try:
        store[service.EVENTS].insert_one(
            {"_id": key, "shipment_id": shipment["_id"], "state": target, "at": at, "source": "carrier", "actor": "carrier",
             "reason": event.get("reason"), "applied": False}
        )  # fmt: skip
    except DuplicateKeyError:
        return {"result": "duplicate", "state": shipment["state"]}
    return {"result": "stale", "state": shipment["state"]}

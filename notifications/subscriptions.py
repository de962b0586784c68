"""Web Push subscriptions: one per browser endpoint, owned by the account that registered it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pymongo import ReturnDocument

from api.clock import to_iso, utcnow
from api.errors import Invalid

SUBSCRIPTIONS = "push_subscriptions"
MAX_PER_ACCOUNT = 20  # phones, tablets, browsers; more is a client bug, not a household


def subscription_id(endpoint: str) -> str:
    return "push_" + hashlib.sha256(endpoint.encode()).hexdigest()[:32]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def endpoint_allowed(endpoint: str, allowed_hosts: Iterable[str]) -> bool:
    """https to a known push service; plain http only to a loopback host that is itself listed (tests)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    listed = any(host == allowed or host.endswith("." + allowed) for allowed in allowed_hosts)
    if parts.scheme == "https":
        return listed
    return parts.scheme == "http" and listed and _is_loopback(host)


def _key(value: Any, size: int, name: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, TypeError, ValueError):
        raw = b""
    if len(raw) != size or (name == "p256dh" and raw[0] != 4):
        raise Invalid("推送订阅信息无效", errors={f"keys.{name}": ["不是有效的浏览器推送密钥"]})
    return value


def subscribe(
    store: Any, account_id: str, endpoint: str, keys: dict, allowed_hosts: Iterable[str], now: datetime | None = None
) -> dict:
    """Register (or move to this account) the browser's push endpoint; idempotent."""
    if not endpoint_allowed(endpoint, allowed_hosts):
        raise Invalid("不支持该浏览器推送服务", errors={"endpoint": ["不是受支持的推送服务地址"]})
    keys_doc = {"p256dh": _key(keys.get("p256dh", ""), 65, "p256dh"), "auth": _key(keys.get("auth", ""), 16, "auth")}
    collection = store[SUBSCRIPTIONS]
    sub_id = subscription_id(endpoint)
    if collection.count_documents({"account_id": account_id, "_id": {"$ne": sub_id}}) >= MAX_PER_ACCOUNT:
        raise Invalid("推送设备过多，请先在其他设备上关闭通知", code="too_many_subscriptions")
    stamp = to_iso(now or utcnow())
    # A browser endpoint belongs to the browser: whoever logs in on it last receives its pushes.
    return collection.find_one_and_update(
        {"_id": sub_id},
        {
            "$set": {"account_id": account_id, "endpoint": endpoint, "keys": keys_doc, "updated_at": stamp},
            "$setOnInsert": {"created_at": stamp},
            "$inc": {"version": 1},
        },
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )


def unsubscribe(store: Any, account_id: str, endpoint: str) -> bool:
    """Forget the endpoint if this account owns it; True if something was removed."""
    return store[SUBSCRIPTIONS].delete_one({"_id": subscription_id(endpoint), "account_id": account_id}).deleted_count == 1


def for_account(store: Any, account_id: str) -> list[dict]:
    return list(store[SUBSCRIPTIONS].find({"account_id": account_id}))


def remove_gone(store: Any, subscription: dict) -> None:
    """The push service said the endpoint is gone (404/410): stop sending to it."""
    store[SUBSCRIPTIONS].delete_one({"_id": subscription["_id"], "endpoint": subscription["endpoint"]})

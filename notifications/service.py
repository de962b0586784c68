"""The inbox as its owner sees it: list newest first, mark read, count unread. No Flask here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument

from api.clock import to_iso, utcnow
from api.errors import NotFound

from .channels.inbox import INBOX


def list_inbox(store: Any, account_id: str, page: int = 1, page_size: int = 20) -> tuple[list[dict], int]:
    """One page of the account's notifications, newest first, and the total count."""
    query = {"account_id": account_id}
    cursor = store[INBOX].find(query, sort=[("created_at", -1), ("_id", -1)], skip=(page - 1) * page_size, limit=page_size)
    return list(cursor), store[INBOX].count_documents(query)


def unread_count(store: Any, account_id: str) -> int:
    return store[INBOX].count_documents({"account_id": account_id, "read_at": None})


def mark_read(store: Any, account_id: str, notification_id: str, now: datetime | None = None) -> dict:
    """Mark one notification read (idempotent). Another account's notification is not found, never forbidden."""
    stamp = to_iso(now or utcnow())
    updated = store[INBOX].find_one_and_update(
        {"_id": notification_id, "account_id": account_id, "read_at": None},
        {"$set": {"read_at": stamp, "updated_at": stamp}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is not None:
        return updated
    existing = store[INBOX].find_one({"_id": notification_id, "account_id": account_id})
    if existing is None:
        raise NotFound("找不到这条通知", code="notification_not_found")
    return existing  # read before

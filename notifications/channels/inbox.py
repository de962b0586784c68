"""The in-app inbox: every message to an account lands here, whatever else reaches them."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from api.clock import to_iso, utcnow

from ..templates import Rendered

INBOX = "inbox"


class InboxChannel:
    name = "inbox"

    def __init__(self, store: Any):
        self.store = store

    def send(self, message: dict, rendered: Rendered, progress: dict) -> dict:
        stamp = to_iso(utcnow())
        entry = {
            "_id": message["_id"],  # one inbox entry per message, however often this runs
            "account_id": message["recipient"]["account_id"],
            "event": message["event"],
            "title": rendered.title,
            "body": rendered.body,
            "link": rendered.link,
            "created_at": message["created_at"],  # when it happened, so the list reads in event order
            "delivered_at": stamp,
            "read_at": None,
            "updated_at": stamp,
            "version": 1,
        }
        try:
            self.store[INBOX].insert_one(entry)
        except DuplicateKeyError:
            return {"already_delivered": True}
        return {}

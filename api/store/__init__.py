"""The data layer: pymongo's API on MongoDB or on the embedded SQLite engine (DESIGN.md)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from .indexes import ensure_indexes
from .mongo_engine import MongoStore
from .sqlite_engine import SQLiteStore

__all__ = ["MongoStore", "SQLiteStore", "ensure_indexes", "new_id", "open_store"]


def new_id(prefix: str = "") -> str:
    """An unguessable string id (128 bits); every engine stores it the same way."""
    return prefix + secrets.token_urlsafe(16)


def open_store(config: dict[str, Any]) -> SQLiteStore | MongoStore:
    uri = config.get("MONGODB_URI")
    if uri:
        if uri.startswith("mongomock://"):
            import mongomock

            return MongoStore(mongomock.MongoClient(), config.get("MONGODB_DATABASE", "onetrip"))
        from pymongo import MongoClient

        return MongoStore(MongoClient(uri, tz_aware=True), config.get("MONGODB_DATABASE", "onetrip"))
    path = config.get("SQLITE_PATH") or os.path.join(config["DATA_DIR"], "onetrip.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SQLiteStore(path, busy_timeout_ms=int(config.get("SQLITE_BUSY_TIMEOUT_MS", 5000)))

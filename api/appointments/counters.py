"""Creating a counter document once, whoever gets there first (slot places, queue numbers)."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError


def ensure_counter(store, collection: str, key: str, seed: dict) -> None:
    """Make sure `collection` holds a document `key` (starting as `seed`); idempotent, outside any transaction.

    Two requests may both find no document and both insert: the unique _id refuses the second with a
    DuplicateKeyError, which means the document exists now — what the caller wanted — so we look once
    more (the upsert then matches) instead of failing. Inside a MongoDB transaction that error would abort
    the whole transaction, which is why this runs before it. Most calls find the document already there and
    take no write lock at all (on SQLite every write, even one that changes nothing, waits for the one lock).
    """
    if store[collection].find_one({"_id": key}, projection={"_id": 1}) is not None:
        return
    for _ in range(2):
        try:
            store[collection].update_one({"_id": key}, {"$setOnInsert": seed}, upsert=True)
            return
        except DuplicateKeyError:
            continue
    raise RuntimeError(f"{collection} counter {key} could not be created")

"""The audit log (审计日志): an append-only, hash-chained record of who changed or read what.

Each entry is {_id, seq, at, actor_id, actor_role, action, subject_type, subject_id, detail,
prev_hash, hash}. `seq` runs 1, 2, 3… without gaps; `prev_hash` is the previous entry's `hash`
(64 zeros for the first); `hash` is SHA-256 (hex) over the entry's canonical form:

    json.dumps(entry without "hash", sort_keys=True, separators=(",", ":"), ensure_ascii=False)

encoded as UTF-8. Every stored field but `hash` is covered, so changing, adding or removing any of
them breaks that entry's link. `detail` holds ids, field names and masked values only (never a
name, phone or ID number in clear), as strings, integers, booleans, lists and objects of those.

Appends are serialised by a head document {_id: "head", seq, hash} in `audit_head`: an append reads
it, advances it with a conditional update (seq == what it read) and inserts the entry in the same
transaction, retrying when another writer moved the head first; `seq` is also a unique index. On
SQLite the transaction holds the database's write lock (BEGIN IMMEDIATE), across threads and
gunicorn's processes alike; on MongoDB it is a session transaction, where a concurrent append is a
write conflict that aborts the whole transaction. The head also keeps the tail honest: deleting the
last entries leaves the head ahead of the chain, which `verify` reports.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.errors import DuplicateKeyError, PyMongoError

from api.clock import now_iso
from api.store import new_id

log = logging.getLogger("onetrip.audit")

AUDIT_LOG = "audit_log"
AUDIT_HEAD = "audit_head"
AUDIT_PENDING = "audit_pending"
HEAD_ID = "head"
GENESIS_HASH = "0" * 64
MAX_ATTEMPTS = 50


class AuditConflict(RuntimeError):
    """The head kept moving under us: too many concurrent appends (should not happen on one engine)."""


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes that an entry's hash covers: every field but `hash`, as sorted compact JSON."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _in_transaction(store, session) -> bool:
    """Whether the caller already holds a transaction that our writes must join."""
    if session is not None:
        return True
    return store.engine == "sqlite" and store.connection().in_transaction


def append(
    store,
    *,
    actor_id: str,
    actor_role: str,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: dict | None = None,
    session=None,
) -> dict:
    """Append one entry and return it. Inside the caller's transaction it commits (or rolls back) with
    the change it records; otherwise it runs in a transaction of its own."""
    fields = {
        "actor_id": str(actor_id),
        "actor_role": str(actor_role),
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": dict(detail or {}),
    }
    if _defers(store, session):
        pending = {"_id": new_id(f"aup_{time.time_ns():020d}_"), "at": now_iso(), **fields}  # _id sorts by time
        store[AUDIT_PENDING].insert_one(pending, session=session)
        return pending
    joined = _in_transaction(store, session)
    if not joined:
        drain_pending(store)
    return _append_fields(store, fields, joined, session)


def _defers(store, session) -> bool:
    """On MongoDB, an append inside the caller's transaction is written as pending (no shared document,
    so concurrent state changes do not conflict on the head) and chained by `drain_pending`."""
    return session is not None and store.engine == "mongodb"


def _append_fields(store, fields: dict, joined: bool, session, pending_id: str | None = None) -> dict | None:
    """Chain `fields` as the next entry; None when `pending_id` was chained by someone else first."""
    for attempt in range(MAX_ATTEMPTS):
        if joined:  # a conflict on MongoDB aborts the caller's transaction: it is theirs to retry
            entry = _try_append(store, fields, session, pending_id)
        else:
            try:
                with store.transaction() as own:
                    entry = _try_append(store, fields, own, pending_id)
            except PyMongoError as error:  # MongoDB: another append's transaction holds the head
                if not (hasattr(error, "has_error_label") and error.has_error_label("TransientTransactionError")):
                    raise
                entry = None
                time.sleep(min(0.001 * 2**attempt, 0.05) * random.random())
        if entry is _TAKEN:
            return None
        if entry is not None:
            return entry
    raise AuditConflict("the audit head moved on every attempt")


def drain_pending(store, limit: int = 500) -> int:
    """Chain the pending entries (MongoDB only), oldest first; each keeps the `at` of its change. Safe to
    run from several processes: a pending entry is deleted in the transaction that chains it."""
    if store.engine != "mongodb":
        return 0
    chained = 0
    for pending in list(store[AUDIT_PENDING].find({}, sort=[("_id", 1)], limit=limit)):
        fields = {key: value for key, value in pending.items() if key != "_id"}
        if _append_fields(store, fields, False, None, pending["_id"]) is not None:
            chained += 1
    return chained


_TAKEN: dict = {}


def _try_append(store, fields: dict, session, pending_id: str | None = None) -> dict | None:
    """One attempt: None when another writer advanced the head between our read and our update;
    _TAKEN when the pending entry it chains is gone (another drainer chained it)."""
    if pending_id is not None and not store[AUDIT_PENDING].delete_one({"_id": pending_id}, session=session).deleted_count:
        return _TAKEN
    head = store[AUDIT_HEAD].find_one({"_id": HEAD_ID}, session=session)
    if head is not None:
        seq, prev_hash = head["seq"], head["hash"]
    else:  # the first append, or the head was lost: carry on from the last entry rather than refuse every change
        last = store[AUDIT_LOG].find_one({}, sort=[("seq", -1)], session=session)
        seq, prev_hash = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
        if last is not None:
            log.warning("audit head missing: rebuilt from entry %s", last["seq"])
    entry = {"_id": new_id("aud_"), "seq": seq + 1, "at": now_iso(), **fields, "prev_hash": prev_hash}
    entry["hash"] = entry_hash(entry)
    if head is None:
        try:
            store[AUDIT_HEAD].insert_one({"_id": HEAD_ID, "seq": entry["seq"], "hash": entry["hash"]}, session=session)
        except DuplicateKeyError:
            return None
    else:
        moved = store[AUDIT_HEAD].update_one(
            {"_id": HEAD_ID, "seq": seq}, {"$set": {"seq": entry["seq"], "hash": entry["hash"]}}, session=session
        )
        if moved.matched_count != 1:
            return None
    store[AUDIT_LOG].insert_one(entry, session=session)
    return entry


# -- verification ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the chain does not hold."""

    seq: int
    reason: str  # gap | prev_hash | hash | head
    expected: str | None = None
    stored: str | None = None

    def describe(self) -> str:
        texts = {
            "gap": f"seq {self.seq}: missing (gap in seq; next stored is {self.stored})",
            "prev_hash": f"seq {self.seq}: prev_hash {self.stored} does not match the previous entry's hash {self.expected}",
            "hash": f"seq {self.seq}: stored hash {self.stored} but the entry hashes to {self.expected}",
            "head": f"seq {self.seq}: the head records {self.expected} but the chain ends at {self.stored}",
        }
        return texts[self.reason]


@dataclass(frozen=True)
class Verification:
    count: int  # entries that verified, in order, before the first break (all of them when intact)
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(store) -> Verification:
    """Walk the chain in seq order, one entry in memory at a time, and report the first broken link."""
    drain_pending(store)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in store[AUDIT_LOG].find({}, sort=[("seq", 1)]):
        seq = entry.get("seq")
        if seq != expected_seq:
            return Verification(count, BrokenLink(expected_seq, "gap", expected=str(expected_seq), stored=str(seq)))
        if entry.get("prev_hash") != prev_hash:
            return Verification(count, BrokenLink(seq, "prev_hash", expected=prev_hash, stored=entry.get("prev_hash")))
        computed = entry_hash(entry)
        if computed != entry.get("hash"):
            return Verification(count, BrokenLink(seq, "hash", expected=computed, stored=entry.get("hash")))
        prev_hash, expected_seq, count = entry["hash"], expected_seq + 1, count + 1
    head = store[AUDIT_HEAD].find_one({"_id": HEAD_ID})
    if head is None and count:
        return Verification(count, BrokenLink(count, "head", expected=f"seq {count}", stored="no head"))
    if head is not None and (head.get("seq") != count or head.get("hash") != prev_hash):
        # entries after the last one stored were deleted (or the head itself was altered)
        at = count + 1 if (head.get("seq") or 0) > count else max(count, 1)
        return Verification(count, BrokenLink(at, "head", expected=f"seq {head.get('seq')}", stored=f"seq {count}"))
    return Verification(count, None)

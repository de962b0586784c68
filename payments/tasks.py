"""The payment tasks: work that follows a payment event but must not hold up the request or the
gateway's callback (issue the results, ask for a refund, close an attempt at the gateway).

A task is written in the same transaction as the change that causes it, under a unique key (the
same cause never makes two tasks), and run by the payments worker: claimed with one atomic update
under a lease (so several workers may run), retried with backoff, dead after the last try (an
operator's alert). Each handler is idempotent: the provider calls carry the same out_trade_no or
out_refund_no on every try.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso, to_iso, utcnow
from api.store import new_id

log = logging.getLogger("onetrip.payments.tasks")

TASKS = "payment_tasks"
QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
BACKOFF = (15, 60, 300, 1800, 7200, 21600)
LEASE = timedelta(seconds=120)


def enqueue_task(store, kind: str, key: str, data: dict, session=None, delay_seconds: float = 0) -> dict:
    """Queue `kind` once per `key` (in the caller's transaction when `session` is given)."""
    existing = store[TASKS].find_one({"key": key}, session=session)
    if existing is not None:
        return existing
    now = utcnow()
    task = {
        "_id": new_id("tsk_"),
        "key": key,
        "kind": kind,
        "data": data,
        "state": QUEUED,
        "due_at": to_iso(now + timedelta(seconds=delay_seconds)),
        "tries": 0,
        "created_at": to_iso(now),
        "updated_at": to_iso(now),
    }
    try:
        store[TASKS].insert_one(task, session=session)
    except DuplicateKeyError:
        if session is not None:
            raise
        return store[TASKS].find_one({"key": key})
    return task


def claim(store) -> dict | None:
    """The task due longest (queued, or running under a lease that expired), leased to us."""
    now = utcnow()
    return store[TASKS].find_one_and_update(
        {"state": {"$in": [QUEUED, RUNNING]}, "due_at": {"$lte": to_iso(now)}},
        {"$set": {"state": RUNNING, "due_at": to_iso(now + LEASE), "lease": new_id(), "updated_at": to_iso(now)},
         "$inc": {"tries": 1}},
        sort=[("due_at", 1)], return_document=ReturnDocument.AFTER,
    )  # fmt: skip


def run_one(store, handlers: dict[str, Callable[[dict], str]]) -> bool:
    task = claim(store)
    if task is None:
        return False
    ours = {"_id": task["_id"], "lease": task["lease"]}
    try:
        outcome = handlers[task["kind"]](task["data"])
    except Exception as exc:  # a provider outage or a bug: try again later, loudly after the last try
        dead = task["tries"] > len(BACKOFF)
        retry_at = utcnow() + timedelta(seconds=BACKOFF[min(task["tries"], len(BACKOFF)) - 1])
        error = f"{type(exc).__name__}: {exc}"[:500]
        (log.error if dead else log.warning)("payment task failed", extra={"task": task["key"], "error": error})
        sets = {"state": DEAD if dead else QUEUED, "due_at": to_iso(retry_at), "last_error": error, "updated_at": now_iso()}
        store[TASKS].update_one(ours, {"$set": sets})
        return True
    store[TASKS].update_one(ours, {"$set": {"state": DONE, "outcome": str(outcome)[:200], "updated_at": now_iso()}})
    return True


def drain(store, handlers: dict[str, Callable[[dict], str]], limit: int = 1000) -> int:
    done = 0
    while done < limit and run_one(store, handlers):
        done += 1
    return done

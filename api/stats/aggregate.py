"""The incremental aggregator: counters kept up to date from what changed since the last run.

For each source collection (applications, fee orders, shipments, ratings) a checkpoint holds the last
(updated_at, _id) read. A run reads the records after it, in that order, a bounded number at a time.
For each record it computes its contributions (facts.py), compares them with the ones it counted
before (a `stats_facts` document per record) and, in one store transaction, $incs the counters by the
difference and stores the new contributions. Running twice therefore counts nothing twice, and a
record that reaches the counters by two runs at once is counted once (the fact document is written
on its version, and the second writer's transaction fails or finds nothing to do).

A write can commit a little after its `updated_at` was taken, behind a checkpoint that has already
moved past that moment; so the checkpoint only advances over records older than SETTLE_SECONDS, and
newer ones are read again on the next run (they add nothing the second time).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from pymongo.errors import DuplicateKeyError, OperationFailure

from api import clock

from .facts import SOURCES, Catalogue, Contribution

COUNTERS = "stats_counters"
FACTS = "stats_facts"
CHECKPOINTS = "stats_checkpoints"
SETTLE_SECONDS = 5
READ_BATCH = 200  # a request catches up at most this many records per source before answering
log = logging.getLogger("onetrip.stats")


def _checkpoint(store, source: str) -> tuple[str, str]:
    doc = store[CHECKPOINTS].find_one({"_id": source}) or {}
    return doc.get("at", ""), doc.get("id", "")


def _after(store, collection: str, at: str, last_id: str, limit: int) -> list[dict]:
    """Records after (at, last_id) in (updated_at, _id) order; records sharing `at` are not skipped."""
    same = list(store[collection].find({"updated_at": at, "_id": {"$gt": last_id}}, sort=[("_id", 1)]).limit(limit))
    if len(same) == limit:
        return same  # (and not limit(0) below, which would mean no limit at all)
    later = store[collection].find({"updated_at": {"$gt": at}}, sort=[("updated_at", 1), ("_id", 1)]).limit(limit - len(same))
    return same + list(later)


def _difference(old: list, new: list[Contribution]) -> dict[str, dict[str, int]]:
    """scope → {path: amount to add} so that the counters hold `new` instead of `old`."""
    delta: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for scope, path, amount in old:
        delta[scope][path] -= amount
    for scope, path, amount in new:
        delta[scope][path] += amount
    return {scope: {p: a for p, a in paths.items() if a} for scope, paths in delta.items() if any(paths.values())}


def _apply(store, fact_id: str, fact: dict | None, new: list[Contribution], at: str) -> bool:
    """Move the counters from the fact's old contributions to `new`, with the fact itself, all or nothing."""
    old = [tuple(c) for c in (fact or {}).get("contributions", [])]
    delta = _difference(old, new)
    if not delta:
        return False
    version = (fact or {}).get("version", 0)
    with store.transaction() as session:
        if fact is None:
            store[FACTS].insert_one({"_id": fact_id, "contributions": [list(c) for c in new], "version": 1, "updated_at": at},
                                    session=session)  # fmt: skip
        else:
            moved = store[FACTS].update_one(
                {"_id": fact_id, "version": version},
                {"$set": {"contributions": [list(c) for c in new], "updated_at": at}, "$inc": {"version": 1}},
                session=session,
            )
            if moved.modified_count != 1:
                raise _Raced
        for scope, paths in delta.items():
            kind, _, key = scope.partition(":")
            store[COUNTERS].update_one(
                {"_id": scope}, {"$inc": paths, "$setOnInsert": {"scope": kind, "key": key or None}}, upsert=True, session=session
            )
    return True


class _Raced(Exception):
    """Another run moved this fact meanwhile: its counters are right; this run leaves it."""


def _count(store, catalogue: Catalogue, source: str, record: dict) -> bool:
    kind, contributions = SOURCES[source]
    fact_id = f"{kind}:{record['_id']}"
    new = contributions(store, catalogue, record)
    fact = store[FACTS].find_one({"_id": fact_id})
    try:
        return _apply(store, fact_id, fact, new, record.get("updated_at", ""))
    except _Raced:
        return False
    except DuplicateKeyError:  # another run inserted this record's fact first: it counted it
        return False
    except OperationFailure as exc:
        if not exc.has_error_label("TransientTransactionError"):
            raise  # a real failure stops the run before the checkpoint passes this record
        log.info("stats: record counted elsewhere meanwhile (write conflict)", extra={"fact": fact_id})
        return False


def run(store, limit: int | None = None) -> dict[str, int]:
    """Count what changed since the checkpoints: at most `limit` records per source (all when None).

    Returns how many records changed the counters, per source.
    """
    catalogue = Catalogue(store)
    settled = clock.to_iso(clock.utcnow() - dt.timedelta(seconds=SETTLE_SECONDS))
    changed = {}
    for source in SOURCES:
        changed[source] = 0
        at, last_id = _checkpoint(store, source)
        left = limit
        while left is None or left > 0:
            batch = _after(store, source, at, last_id, min(left or READ_BATCH, READ_BATCH))
            if not batch:
                break
            keep = None
            for record in batch:
                changed[source] += _count(store, catalogue, source, record)
                at, last_id = record.get("updated_at", ""), record["_id"]
                if at <= settled:
                    keep = {"at": at, "id": last_id}
            if keep:
                store[CHECKPOINTS].update_one({"_id": source}, {"$set": keep}, upsert=True)
            if left is not None:
                left -= len(batch)
    return changed

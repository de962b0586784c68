"""Abuse limits kept in the project's store, so they hold across processes and machines.

Fixed windows: one counter document per (rule, subject, window), incremented atomically with an
upsert. flask-limiter's in-memory storage would count per gunicorn worker (so a limit of 1 per
minute would allow one per worker) and it has no storage for the embedded SQLite engine; this
uses the same store the rest of the application uses, on both engines.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from api import clock
from api.clock import iso_in, now_iso
from api.errors import DomainError

COLLECTION = "rate_limits"


SHANGHAI = 8 * 3600


@dataclass(frozen=True)
class Rule:
    """At most `limit` events per window; day windows start at midnight in Asia/Shanghai."""

    name: str
    limit: int
    window_seconds: int
    offset_seconds: int = 0

    def window(self, now: float) -> tuple[int, int]:
        """(window number, seconds until it ends)."""
        shifted = now + self.offset_seconds
        number = int(shifted // self.window_seconds)
        return number, int((number + 1) * self.window_seconds - shifted) + 1


class TooManyRequests(DomainError):
    status, code, message = 429, "too_many_requests", "操作太频繁，请稍后再试"

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def _now() -> float:
    return clock.utcnow().timestamp()  # through api.clock, like every other time the store keeps


def _key(rule: Rule, subject: str, window: int) -> str:
    # subjects are phones and IPs: keep only a digest in the store
    digest = hashlib.sha256(f"{rule.name}:{subject}".encode()).hexdigest()[:32]
    return f"{rule.name}:{digest}:{window}"


def count(store, rule: Rule, subject: str, now: float | None = None) -> tuple[int, int]:
    """Count one event; return (events in this window so far, seconds until the window ends)."""
    window, left = rule.window(_now() if now is None else now)
    counter = store[COLLECTION].find_one_and_update(
        {"_id": _key(rule, subject, window)},
        {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": iso_in(rule.window_seconds * 2)}},
        upsert=True,
        return_document=True,
    )
    if random.random() < 0.01:  # noqa: S311 — occasional clean-up of spent windows
        purge_expired(store)
    return counter["count"], left


def purge_expired(store) -> int:
    """Delete the counters of windows that have ended (by the expires_at index); returns how many."""
    return store[COLLECTION].delete_many({"expires_at": {"$lt": now_iso()}}).deleted_count


def hit(store, rule: Rule, subject: str, now: float | None = None) -> int:
    """Count one event; return 0 if within the limit, else the seconds until the window ends."""
    events, left = count(store, rule, subject, now)
    return left if events > rule.limit else 0


def peek(store, rule: Rule, subject: str, now: float | None = None) -> tuple[int, int]:
    """(events in this window, seconds until it ends), without counting one."""
    window, left = rule.window(_now() if now is None else now)
    counter = store[COLLECTION].find_one({"_id": _key(rule, subject, window)})
    return (counter["count"] if counter else 0), left


def enforce(store, checks: list[tuple[Rule, str]], message: str | None = None) -> None:
    """Count the event under each rule in turn; at the first one over its limit, raise 429 with Retry-After.

    A refused event is not counted under the rules after the one that refused it. Callers list the
    caller's own subject (the address) first: a caller refused for their address then spends nothing
    of the phone or username they named, so nobody can use up another person's quota from a blocked
    address.
    """
    for rule, subject in checks:
        if not subject:
            continue
        wait = hit(store, rule, subject)
        if wait:
            raise TooManyRequests(wait, message)

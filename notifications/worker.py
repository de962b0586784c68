"""The outbox worker: claim a due message under a lease, send it through its channels, record each
channel's outcome, and retry with backoff until the last try, after which the message is dead.

Several threads and several machines may run workers on one store: a claim is one atomic
`find_one_and_update` that sets state `sending`, a fresh lease token, and `due_at` to the lease's
expiry. Every later write is conditional on that token, so a worker whose lease has expired (it was
killed, or stalled past the lease) can no longer touch the message, and the message is due again for
whoever claims it next. A channel can still be called twice for one message if a worker dies between
a provider's answer and the record of it; each channel is idempotent by message id where the other
side allows it (inbox entry and SMS log keyed by it, the HTTP SMS request carries it as `reference`).

Run it with `flask notifications-worker` or `python -m notifications.worker`; SIGTERM lets each thread
finish its current message and stop.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from api.clock import to_iso, utcnow
from api.store import new_id
from auth.crypto import FieldCipher, FieldCryptoError, cipher_for_store

from .channels import build_channels
from .channels.base import Channel, NothingToSend, RetryLater, Undeliverable
from .outbox import CLAIMABLE, DEAD, OUTBOX, QUEUED, RETRY, SENDING, SENT, open_recipient
from .quiet_hours import QuietHours
from .settings import NotificationSettings
from .templates import Rendered, TemplateError, template_for

log = logging.getLogger("onetrip.notifications.worker")

FINISHED = ("sent", "skipped", "failed")  # channel states that are never tried again
BLANKED = "******"


class LeaseLost(Exception):
    """Another worker claimed the message after our lease expired; it is theirs now."""


class _Lease:
    """Writes to one claimed message, each conditional on our lease token, each extending the lease."""

    def __init__(self, worker: Worker, message: dict):
        self.worker = worker
        self.message = message

    def write(self, update: dict[str, Any]) -> None:
        now = self.worker.clock()
        sets = update.setdefault("$set", {})
        sets.setdefault("due_at", to_iso(now + self.worker.lease))
        sets["updated_at"] = to_iso(now)
        update.setdefault("$inc", {})["version"] = 1
        ours = {"_id": self.message["_id"], "lease_token": self.message["lease_token"]}
        result = self.worker.store[OUTBOX].update_one(ours, update)
        if result.matched_count != 1:
            raise LeaseLost(self.message["_id"])


class Worker:
    def __init__(
        self,
        store: Any,
        channels: Mapping[str, Channel],
        *,
        lease_seconds: float = 60.0,
        backoff: tuple[float, ...] = (30, 120, 600, 3600, 21600),
        quiet_hours: QuietHours | None = None,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        cipher: FieldCipher | None = None,
    ):
        if not backoff:
            raise ValueError("the backoff schedule needs at least one step")
        self.store = store
        self.channels = dict(channels)
        self.lease = timedelta(seconds=lease_seconds)
        self.backoff = tuple(backoff)
        self.max_tries = len(self.backoff) + 1  # the first try, then one per backoff step
        self.quiet_hours = quiet_hours
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.cipher = cipher  # opens the recipients' phones; default the store's (auth.crypto)
        self.owner = f"{socket.gethostname()}:{os.getpid()}"

    @classmethod
    def from_settings(
        cls,
        settings: NotificationSettings,
        store: Any,
        channels: Mapping[str, Channel] | None = None,
        cipher: FieldCipher | None = None,
    ) -> Worker:
        return cls(
            store,
            build_channels(settings, store, cipher) if channels is None else channels,
            lease_seconds=settings.lease_seconds,
            backoff=settings.backoff,
            quiet_hours=settings.quiet_hours,
            poll_seconds=settings.poll_seconds,
            cipher=cipher,
        )

    # -- claiming ----------------------------------------------------------------------------

    def claim(self) -> tuple[dict, bool] | None:
        """Lease the message that has been due longest; return it and whether a lease had expired on it."""
        now = self.clock()
        token = new_id()
        fields = {
            "state": SENDING,
            "due_at": to_iso(now + self.lease),
            "lease_owner": f"{self.owner}:{threading.current_thread().name}",
            "lease_token": token,
            "updated_at": to_iso(now),
        }
        before = self.store[OUTBOX].find_one_and_update(
            {"state": {"$in": list(CLAIMABLE)}, "due_at": {"$lte": to_iso(now)}},
            {"$set": fields, "$inc": {"tries": 1, "version": 1}},
            sort=[("due_at", 1)],
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return None
        message = {**before, **fields, "tries": before.get("tries", 0) + 1, "version": before.get("version", 0) + 1}
        return message, before["state"] == SENDING

    # -- sending -----------------------------------------------------------------------------

    def process(self, message: dict, lease_expired: bool = False) -> str:
        """Send a claimed message through every channel not yet finished; return its new state."""
        lease = _Lease(self, message)
        if lease_expired:
            # The worker before us died or stalled mid-send: that try counts as a failed one.
            message["failures"] = message.get("failures", 0) + 1
            fields = {"failures": message["failures"], "last_error": "lease expired before the send was recorded"}
            if message["failures"] >= self.max_tries:
                self._close(lease, DEAD, fields)
                return DEAD
            lease.write({"$set": fields})
        try:
            rendered = template_for(message["event"]).render(message["data"])
        except TemplateError as exc:
            log.error("message cannot be rendered", extra={"message_id": message["_id"], "error": str(exc)})
            self._close(lease, DEAD, {"last_error": f"template: {exc}"})
            return DEAD
        try:
            opened = {**message, "recipient": self._recipient(message)}  # the phone in memory only, never written back
        except FieldCryptoError as exc:
            log.error("recipient cannot be decrypted", extra={"message_id": message["_id"], "error": str(exc)})
            self._close(lease, DEAD, {"last_error": f"recipient: {exc}"})
            return DEAD
        temporary: list[str] = []
        deferred_until = None
        for name, progress in message["channels"].items():
            if progress["state"] in FINISHED:
                continue
            if name == "sms" and self._quiet(message):
                deferred_until = self.quiet_hours.ends_after(self.clock())
                continue
            state = self._send(lease, name, opened, rendered, progress)
            if state == "pending":
                temporary.append(name)
        return self._finish(lease, message, temporary, deferred_until)

    def _recipient(self, message: dict) -> dict:
        stored = message["recipient"]
        if stored.get("phone_enc") and self.cipher is None:
            self.cipher = cipher_for_store(self.store)
        return open_recipient(stored, self.cipher)

    def _quiet(self, message: dict) -> bool:
        return not message.get("urgent") and self.quiet_hours is not None and self.quiet_hours.contains(self.clock())

    def _send(self, lease: _Lease, name: str, message: dict, rendered: Rendered, progress: dict) -> str:
        prefix = f"channels.{name}."
        channel = self.channels.get(name)
        detail = None
        try:
            if channel is None:
                raise RetryLater(f"this worker has no {name} channel")
            detail = channel.send(message, rendered, progress) or {}
            state, error = "sent", None
        except RetryLater as exc:
            state, error, detail = "pending", exc.reason, exc.detail
        except Undeliverable as exc:
            state, error, detail = "failed", exc.reason, exc.detail
        except NothingToSend as exc:
            state, error, detail = "skipped", exc.reason, exc.detail
        except Exception as exc:  # a bug or an unforeseen provider failure: retry, and say so loudly
            log.exception("channel raised", extra={"message_id": message["_id"], "channel": name})
            state, error = "pending", f"{type(exc).__name__}: {exc}"
        sets: dict[str, Any] = {prefix + "state": state}
        if state == "sent":
            sets[prefix + "sent_at"] = to_iso(self.clock())
        if error is not None:
            sets[prefix + "last_error"] = error[:500]
        if detail is not None:
            sets[prefix + "detail"] = detail
        lease.write({"$set": sets, "$inc": {prefix + "attempts": 1}})
        progress.update(state=state, detail=detail)
        return state

    def _finish(self, lease: _Lease, message: dict, temporary: list[str], deferred_until: datetime | None) -> str:
        now = self.clock()
        if temporary:
            failures = message.get("failures", 0) + 1
            error = f"temporary failure: {', '.join(temporary)}"
            if failures >= self.max_tries:
                self._close(lease, DEAD, {"last_error": error, "failures": failures})
                return DEAD
            retry_at = now + timedelta(seconds=self.backoff[failures - 1])
            self._close(lease, RETRY, {"last_error": error, "failures": failures, "due_at": to_iso(retry_at)})
            return RETRY
        if deferred_until is not None:  # only the SMS waits, for the end of the quiet hours
            self._close(lease, QUEUED, {"due_at": to_iso(deferred_until), "channels.sms.deferred_until": to_iso(deferred_until)})
            return QUEUED
        states = [progress["state"] for progress in message["channels"].values()]
        final = SENT if any(state in ("sent", "skipped") for state in states) else DEAD
        self._close(lease, final, {})
        return final

    def _close(self, lease: _Lease, state: str, fields: dict[str, Any]) -> None:
        stamp = to_iso(self.clock())
        sets = {"state": state, "due_at": stamp, **fields}
        if state in (SENT, DEAD):
            sets.update(_blanked_secrets(lease.message))
        if state == SENT:
            sets["sent_at"] = stamp
        elif state == DEAD:
            sets["dead_at"] = stamp
            log.warning("message dead-lettered", extra={"message_id": lease.message["_id"], "event": lease.message["event"]})
        lease.write({"$set": sets, "$unset": {"lease_owner": "", "lease_token": ""}})

    # -- loops -------------------------------------------------------------------------------

    def work_one(self) -> bool:
        """Claim and process one due message; False when none is due."""
        claimed = self.claim()
        if claimed is None:
            return False
        message, lease_expired = claimed
        try:
            self.process(message, lease_expired)
        except LeaseLost:
            log.warning("lease lost mid-send; the message belongs to another worker now", extra={"message_id": message["_id"]})
        return True

    def drain(self, limit: int | None = None) -> int:
        """Process due messages until none is left (or `limit`); returns how many were processed."""
        done = 0
        while (limit is None or done < limit) and self.work_one():
            done += 1
        return done

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; a message being sent when it is set is finished first."""
        while not stop.is_set():
            try:
                busy = self.work_one()
            except Exception:  # the store hiccuped; a claimed message comes back when its lease expires
                log.exception("worker loop error")
                busy = False
            if not busy:
                stop.wait(self.poll_seconds)


def _blanked_secrets(message: dict) -> dict[str, str]:
    """A verification code has no business staying in the outbox once it was sent (or never will be)."""
    try:
        names = template_for(message["event"]).secret_fields
    except TemplateError:
        return {}
    return {f"data.{name}": BLANKED for name in names if name in message.get("data", {})}


def serve(worker: Worker, threads: int = 1, stop: threading.Event | None = None) -> None:
    """Run `threads` worker threads until SIGTERM or SIGINT (or `stop` is set by the caller)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    pool = [threading.Thread(target=worker.run, args=(stop,), name=f"notifications-{i + 1}") for i in range(max(1, threads))]
    for thread in pool:
        thread.start()
    log.info("notifications worker started", extra={"threads": len(pool), "channels": sorted(worker.channels)})
    while any(thread.is_alive() for thread in pool):
        for thread in pool:
            thread.join(timeout=0.5)
    log.info("notifications worker stopped")


if __name__ == "__main__":
    from notifications.cli import main

    sys.exit(main())

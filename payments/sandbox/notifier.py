"""The sandbox's notification sender: signed, encrypted notifications to the merchant's notify_url,
retried on any answer but 200/204 (or none within 5 s) on the real gateway's schedule
(15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h by default), then given up."""

from __future__ import annotations

import json
import logging
import secrets
import threading

import requests

from .. import protocol
from . import ledger as books
from .gateway import SandboxSettings
from .refunds import settle_due_refunds

log = logging.getLogger("onetrip.payments.sandbox")


class Notifier:
    def __init__(self, settings: SandboxSettings, ledger: books.Ledger, timeout: float = 5.0):
        self.settings = settings
        self.ledger = ledger
        self.timeout = timeout
        self.http = requests.Session()
        self.paused = False  # tests: a gateway whose notifications never arrive

    def body_of(self, notice: dict) -> str:
        """The notification's JSON; the same id and encrypted resource on every retry."""
        body = {
            "id": "EV-" + notice["_id"].encode().hex()[:32],
            "create_time": notice["create_time"],
            "resource_type": "encrypt-resource",
            "event_type": notice["event_type"],
            "summary": notice["summary"],
            "resource": notice["resource"],
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def deliver(self, notice: dict) -> bool:
        body = self.body_of(notice)
        headers = protocol.signed_headers(self.settings.platform_key, self.settings.platform_serial, body,
                                          nonce=secrets.token_hex(16).upper())  # fmt: skip
        headers["Content-Type"] = "application/json"
        try:
            answer = self.http.post(notice["notify_url"], data=body.encode("utf-8"), headers=headers, timeout=self.timeout,
                                    allow_redirects=False)  # fmt: skip
            ok = answer.status_code in (200, 204)
        except requests.RequestException as exc:
            log.info("notification not delivered", extra={"notice": notice["_id"], "error": type(exc).__name__})
            ok = False
        attempt = notice["attempts"]
        schedule = self.settings.schedule
        next_due = None if ok or attempt >= len(schedule) else books.now() + schedule[attempt]
        self.ledger.record_attempt(notice, "ok" if ok else "failed", next_due)
        return ok

    def run_once(self) -> int:
        settle_due_refunds(self.settings, self.ledger)
        if self.paused:
            return 0
        notices = self.ledger.due_notices()
        for notice in notices:
            self.deliver(notice)
        return len(notices)

    def run(self, stop: threading.Event, poll: float = 0.2) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the sandbox keeps going; a notice stays due
                log.exception("sandbox notifier error")
                busy = 0
            if not busy:
                stop.wait(poll)

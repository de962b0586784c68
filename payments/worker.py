"""The payments worker: runs the payment tasks, the recovery job every minute and the daily
reconciliation once yesterday's bill is out. `flask --app wsgi payments-worker` (Procfile) or
`python -m payments.worker`; SIGTERM lets it finish what it is doing and stop."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time

from api.clock import utcnow

from . import orders, reconciliation, recovery, refunds, tasks
from .settings import PaymentSettings

log = logging.getLogger("onetrip.payments.worker")


class PaymentsWorker:
    def __init__(self, store, provider, settings: PaymentSettings, recovery_every: float = 60.0):
        self.store = store
        self.provider = provider
        self.settings = settings
        self.recovery_every = recovery_every
        self._last_recovery = 0.0
        self.handlers = {
            "issue_results": self._issue_results,
            "refund": lambda data: refunds.send(self.store, self.provider, data["refund_id"]),
            "close_attempt": lambda data: orders.close_at_gateway(self.store, self.provider, self.settings, data["out_trade_no"]),
        }

    def _issue_results(self, data: dict) -> str:
        from api.applications.review import issue_results

        return issue_results(self.store, data["application_id"])["state"]

    def run_tasks(self, limit: int = 1000) -> int:
        return tasks.drain(self.store, self.handlers, limit)

    def tick(self) -> int:
        """One round: due tasks; recovery if a minute has passed; yesterday's reconciliation if due."""
        done = self.run_tasks(limit=100)
        if time.monotonic() - self._last_recovery >= self.recovery_every:
            self._last_recovery = time.monotonic()
            recovery.recover(self.store, self.provider, self.settings)
            day = reconciliation.due_date(self.store, self.settings.reconcile_at, utcnow())
            if day:
                reconciliation.reconcile(self.store, self.provider, day)
        return done

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.tick()
            except Exception:  # the gateway or the store hiccuped: the next round tries again
                log.exception("payments worker round failed")
                busy = 0
            if not busy:
                stop.wait(self.settings.poll_seconds)


def serve(worker: PaymentsWorker) -> None:
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    log.info("payments worker started", extra={"gateway": worker.settings.base_url})
    worker.run(stop)
    log.info("payments worker stopped")


def main() -> int:
    from api import create_app

    from .cli import worker_for

    app = create_app()
    with app.app_context():
        serve(worker_for(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A real worker process for the kill and SIGTERM tests: `python -m tests.notifications.worker_process DB LEASE HOLD`.

It runs the production Worker and serve() on the SQLite file DB, with one "inbox" channel that marks
that it started (collection `test_marks`), holds the send for HOLD seconds, then records the delivery
(collection `test_deliveries`). Killing it during the hold is a worker dying mid-send.
"""

from __future__ import annotations

import os
import sys
import time

from api.store import SQLiteStore, ensure_indexes
from notifications.worker import Worker, serve


class HoldingChannel:
    name = "inbox"

    def __init__(self, store, hold: float):
        self.store = store
        self.hold = hold

    def send(self, message, rendered, progress):
        self.store["test_marks"].insert_one({"message_id": message["_id"], "pid": os.getpid(), "at": time.time()})
        time.sleep(self.hold)
        self.store["test_deliveries"].insert_one({"message_id": message["_id"], "pid": os.getpid()})
        return {"pid": os.getpid()}


def main(path: str, lease: float, hold: float) -> None:
    store = SQLiteStore(path)
    ensure_indexes(store)
    worker = Worker(store, {"inbox": HoldingChannel(store, hold)}, lease_seconds=lease, poll_seconds=0.05)
    serve(worker, threads=1)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))

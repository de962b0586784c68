"""Messages per second through the outbox worker with the console SMS channel (embedded SQLite engine).

For 1 and 4 worker threads: enqueue BENCH_MESSAGES verification codes (one SMS each) in one
transaction, then time the worker from the first claim until the outbox is empty. The console
provider writes each text to the sms_log collection and logs it at INFO (not shown here: the bench
leaves logging unconfigured, so only the store work is timed). Also prints the claim query's plan,
so a lost index shows up here first.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.store import SQLiteStore, ensure_indexes  # noqa: E402
from notifications.channels.sms import SMS_LOG, ConsoleSmsProvider, SmsChannel  # noqa: E402
from notifications.outbox import CLAIMABLE, OUTBOX, SENT, enqueue  # noqa: E402
from notifications.worker import Worker  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))


def run(threads: int, directory: str) -> float:
    store = SQLiteStore(os.path.join(directory, f"bench-{threads}.sqlite3"))
    ensure_indexes(store)
    with store.transaction():
        for i in range(MESSAGES):
            phone = f"138{i:08d}"
            enqueue(store, "verification_code", {"phone": phone}, {"code": f"{i % 1000000:06d}", "minutes": 5}, f"otp:{i}")
    worker = Worker(store, {"sms": SmsChannel(ConsoleSmsProvider(store))}, quiet_hours=None)
    pool = [threading.Thread(target=worker.drain) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    assert store[OUTBOX].count_documents({"state": SENT}) == MESSAGES
    assert store[SMS_LOG].count_documents({}) == MESSAGES
    if threads == 1:
        claimable = {"state": {"$in": list(CLAIMABLE)}, "due_at": {"$lte": "9"}}
        plan = store[OUTBOX].explain_query_plan(claimable, sort=[("due_at", 1)])
        print(f"claim query plan: {' | '.join(plan)}")
    store.close()
    return MESSAGES / elapsed


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        print(f"{MESSAGES} verification-code SMS, console provider, embedded SQLite (WAL), one process")
        for threads in (1, 4):
            print(f"worker threads: {threads}  messages/s: {run(threads, directory):8.0f}")

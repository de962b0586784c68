"""Short write transactions from many threads in several processes on one SQLite file: the writers'
queue (api/store/writer_queue.py) against SQLite's busy handler alone (`writer_queue=False`).

Each of PROCESSES spawned processes opens the store and runs THREADS threads; each thread runs
TRANSACTIONS transactions shaped like a submission (one conditional update and four inserts, about
1 KB each), with a little Python work between them. Printed per mode: transactions per second, the
wait for the write lock (p50 / p99 / max: from asking to holding it) and the whole transaction's time,
and how many failed with "database is locked". The processes all start together (a barrier).

    .venv/bin/python -m bench write_contention                  # 4 processes x 4 threads, like gunicorn
    .venv/bin/python -m bench write_contention --processes 6 --threads 4 --transactions 200
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.store import SQLiteStore  # noqa: E402 (the repository root is put on the path first)

BUSY_TIMEOUT_MS = 5000
PAYLOAD = "申请材料" * 60  # about 1 KB per document as stored


def submission(store: SQLiteStore, worker: str, n: int) -> float:
    """One transaction like a submit; returns the seconds spent waiting for the write lock."""
    asked = time.perf_counter()
    with store.transaction():
        waited = time.perf_counter() - asked
        store["counters"].update_one({"_id": "submitted"}, {"$inc": {"n": 1}})
        for part in ("application", "sub_a", "sub_b", "fee_order"):
            store["documents"].insert_one({"_id": f"{worker}-{n}-{part}", "part": part, "payload": PAYLOAD})
    return waited


def run_thread(store: SQLiteStore, worker: str, transactions: int, out: list) -> None:
    for n in range(transactions):
        started = time.perf_counter()
        try:
            waited = submission(store, worker, n)
            out.append(("ok", waited, time.perf_counter() - started))
        except sqlite3.OperationalError as exc:
            out.append((str(exc), time.perf_counter() - started, time.perf_counter() - started))
        sum(i * i for i in range(2000))  # the request's other work, holding the GIL as Python does


def run_process(path: str, queue_on: bool, threads: int, transactions: int, start, results, index: int) -> None:
    store = SQLiteStore(path, busy_timeout_ms=BUSY_TIMEOUT_MS, writer_queue=queue_on)
    store["counters"].find_one({})  # the tables exist before the clock starts
    store["documents"].find_one({})
    out: list = []
    workers = [threading.Thread(target=run_thread, args=(store, f"p{index}t{t}", transactions, out)) for t in range(threads)]
    start.wait()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(out)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run_mode(queue_on: bool, processes: int, threads: int, transactions: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="write-contention-") as folder:
        path = str(Path(folder) / "contention.sqlite3")
        setup = SQLiteStore(path, writer_queue=queue_on)
        setup["counters"].insert_one({"_id": "submitted", "n": 0})
        setup["documents"].insert_one({"_id": "first", "part": "none"})
        context = multiprocessing.get_context("spawn")
        start, results = context.Barrier(processes + 1), context.Queue()
        children = [
            context.Process(target=run_process, args=(path, queue_on, threads, transactions, start, results, i))
            for i in range(processes)
        ]
        for child in children:
            child.start()
        start.wait()
        began = time.perf_counter()
        outcomes = [item for _ in children for item in results.get(timeout=600)]
        elapsed = time.perf_counter() - began
        for child in children:
            child.join()
        committed = setup["counters"].find_one({"_id": "submitted"})["n"]
        setup.close()
    done = [o for o in outcomes if o[0] == "ok"]
    waits = [o[1] * 1000 for o in done]
    totals = [o[2] * 1000 for o in done]
    return {
        "mode": "writers' queue" if queue_on else "SQLite busy handler",
        "per_second": len(done) / elapsed,
        "wait": (statistics.median(waits), percentile(waits, 0.99), max(waits)),
        "total": (statistics.median(totals), percentile(totals, 0.99), max(totals)),
        "errors": len(outcomes) - len(done),
        "lost": len(done) - committed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=150, help="per thread")
    parser.add_argument("--rounds", type=int, default=2, help="each mode this many times, alternating")
    args = parser.parse_args()
    print(
        f"{args.processes} processes x {args.threads} threads x {args.transactions} transactions "
        f"(1 update + 4 inserts each), busy timeout {BUSY_TIMEOUT_MS} ms"
    )
    print(f"{'mode':<22}{'tx/s':>8}{'wait p50':>10}{'p99':>9}{'max':>9}{'tx p50':>9}{'p99':>9}{'max':>9}{'errors':>8}{'lost':>6}")
    for _ in range(args.rounds):
        for queue_on in (False, True):
            r = run_mode(queue_on, args.processes, args.threads, args.transactions)
            print(
                f"{r['mode']:<22}{r['per_second']:>8.0f}"
                + "".join(f"{v:>9.1f}" + (" " if i == 0 else "") for i, v in enumerate(r["wait"]))
                + "".join(f"{v:>9.1f}" for v in r["total"])
                + f"{r['errors']:>8}{r['lost']:>6}",
                flush=True,
            )


if __name__ == "__main__":
    main()

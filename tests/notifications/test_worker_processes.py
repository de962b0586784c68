"""Real worker processes and threads on one SQLite file: killed mid-lease, stopped by SIGTERM, four at once."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from notifications.outbox import OUTBOX, SENDING, SENT, enqueue
from notifications.worker import Worker

from .conftest import RecordingChannel, open_sqlite, sample_data

ROOT = Path(__file__).resolve().parents[2]


def start_worker_process(db: Path, lease: float, hold: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.worker_process", str(db), str(lease), str(hold)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, seconds: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def inbox_only_message(store, key: str):
    """An event without Web Push for this test: the message's only channel is the inbox."""
    message = enqueue(store, "application.submitted", "acc-1", sample_data("application.submitted"), key)
    store[OUTBOX].update_one({"_id": message["_id"]}, {"$unset": {"channels.webpush": ""}})
    return message


def test_a_worker_killed_mid_send_leaves_the_message_to_another_worker_which_sends_it_exactly_once(tmp_path):
    db = tmp_path / "kill.sqlite3"
    store = open_sqlite(tmp_path, db.name)
    message = inbox_only_message(store, "kill-test")
    doomed = start_worker_process(db, lease=1.5, hold=60)
    try:
        mark = wait_for(lambda: store["test_marks"].find_one({"message_id": message["_id"]}), what="the send to start")
        assert mark["pid"] == doomed.pid
        os.kill(doomed.pid, signal.SIGKILL)
        assert doomed.wait(timeout=5) == -signal.SIGKILL
    finally:
        doomed.kill()
        doomed.stderr.close()
    assert store[OUTBOX].find_one({"_id": message["_id"]})["state"] == SENDING

    channel = RecordingChannel("inbox")
    successor = Worker(store, {"inbox": channel}, lease_seconds=1.5)
    assert successor.drain() == 0, "claimed while the dead worker's lease still ran"
    wait_for(lambda: successor.drain() == 1, seconds=5, what="the lease to expire")

    after = store[OUTBOX].find_one({"_id": message["_id"]})
    assert after["state"] == SENT and after["failures"] == 1 and after["tries"] == 2
    assert channel.sent == Counter({message["_id"]: 1})
    assert store["test_deliveries"].count_documents({}) == 0, "the killed worker finished its send after all"


def test_sigterm_lets_the_worker_finish_the_message_it_is_sending_and_exit_cleanly(tmp_path):
    db = tmp_path / "term.sqlite3"
    store = open_sqlite(tmp_path, db.name)
    message = inbox_only_message(store, "term-test")
    worker = start_worker_process(db, lease=30, hold=0.5)
    try:
        wait_for(lambda: store["test_marks"].find_one({"message_id": message["_id"]}), what="the send to start")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, worker.stderr.read().decode()
    finally:
        worker.kill()
        worker.stderr.close()
    assert store[OUTBOX].find_one({"_id": message["_id"]})["state"] == SENT
    assert store["test_deliveries"].count_documents({}) == 1


def test_the_module_entry_point_starts_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "ONETRIP_DATA_DIR": str(tmp_path / "var"), "ONETRIP_LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [sys.executable, "-m", "notifications.worker", "--threads", "2"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert "notifications worker started" in wait_for(process.stderr.readline, what="the start log line")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "notifications worker stopped" in process.stderr.read()
    finally:
        process.kill()
        process.stderr.close()


def test_four_worker_threads_over_a_thousand_messages_send_each_exactly_once(tmp_path):
    store = open_sqlite(tmp_path, "threads.sqlite3")
    data = sample_data("application.submitted")
    with store.transaction():
        ids = [enqueue(store, "application.submitted", f"acc-{i}", data, f"k-{i}")["_id"] for i in range(1000)]
    channels = {"inbox": RecordingChannel("inbox"), "webpush": RecordingChannel("webpush")}
    worker = Worker(store, channels, lease_seconds=60)
    barrier = threading.Barrier(4)
    processed = Counter()

    def drain(n):
        barrier.wait()
        processed[n] = worker.drain()

    threads = [threading.Thread(target=drain, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(processed.values()) == 1000
    assert all(count > 0 for count in processed.values()), f"some thread never won a claim: {processed}"
    for channel in channels.values():
        assert set(channel.sent) == set(ids) and set(channel.sent.values()) == {1}
    assert store[OUTBOX].count_documents({"state": SENT}) == 1000

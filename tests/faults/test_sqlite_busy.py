"""SQLite's single write lock under contention, with a short busy timeout: a write that cannot get
the lock in time is answered 503 with Retry-After (the one error handler) and stores nothing; the
file stays intact and every count matches what the clients were told."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests

from api.store import SQLiteStore

from .conftest import bearer

API = "/api/v1"
CITIZEN = "acc_demo_zhang_xiaoming"


@contextmanager
def write_lock_held(path: str):
    """Another writer (a batch job, a migration) holding SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_write_that_cannot_get_the_lock_in_time_is_503_with_retry_after_and_stores_nothing(tmp_path):
    from api import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "CRITICAL", "SQLITE_BUSY_TIMEOUT_MS": 50})
    store, client = app.extensions["store"], app.test_client()
    store["outbox"].count_documents({})  # the tables exist before the lock is taken
    path = str(tmp_path / "var" / "onetrip.sqlite3")

    with write_lock_held(path):
        started = time.monotonic()
        busy = client.post(f"{API}/auth/sms-codes", json={"phone": "13700000001"})
        waited = time.monotonic() - started

    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert busy.get_json()["code"] == "service_unavailable" and busy.get_json()["message"] == "服务繁忙，请稍后再试"
    assert 0.05 <= waited < 2, "the request should wait for the busy timeout, and not much longer"
    assert store["outbox"].count_documents({}) == 0 and store["rate_limits"].count_documents({}) == 0
    assert client.post(f"{API}/auth/sms-codes", json={"phone": "13700000001"}).status_code == 202  # lock gone: served


def hog_the_lock(path: str, stop: threading.Event, hold: float = 0.15, gap: float = 0.05) -> int:
    """Take and hold the write lock again and again, as a long writer would; returns how often."""
    rounds = 0
    while not stop.is_set():
        with write_lock_held(path):
            time.sleep(hold)
        rounds += 1
        time.sleep(gap)
    return rounds


def test_many_writers_against_a_held_lock_either_wait_or_get_503_and_the_data_stays_consistent(seeded, processes):
    data_dir, app = seeded
    path = str(data_dir / "onetrip.sqlite3")
    api = processes.api(data_dir, SQLITE_BUSY_TIMEOUT_MS=40)
    headers = bearer(app, CITIZEN)

    def start_draft(_):
        answer = requests.post(f"{api.url}{API}/applications", json={"bundle": "newborn"}, headers=headers, timeout=30)
        return answer.status_code, answer.headers.get("Retry-After"), (answer.json() or {}).get("id")

    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=17) as pool:
        hog = pool.submit(hog_the_lock, path, stop)
        answers = list(pool.map(start_draft, range(160)))
        stop.set()
        assert hog.result() > 3

    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[201] > 0 and statuses[503] > 0, f"no contention was produced: {statuses}"
    assert all(retry == "1" for status, retry, _ in answers if status == 503)
    store = SQLiteStore(path)
    assert store.connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    created = {draft_id for status, _, draft_id in answers if status == 201}
    stored = {a["_id"] for a in store["applications"].find({"applicant_id": CITIZEN, "target": "newborn"})}
    assert stored == created, "a draft was stored for a 503, or lost after a 201"


def test_a_mongodb_primary_stepping_down_is_also_503_with_retry_after_not_500(tmp_path):
    from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

    from api import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "CRITICAL"})
    failures = iter([AutoReconnect("not primary"), ServerSelectionTimeoutError("no primary"), RuntimeError("a bug")])

    @app.get("/api/v1/_fault")
    def fault():
        raise next(failures)

    client = app.test_client()
    for _ in range(2):
        answer = client.get("/api/v1/_fault")
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert client.get("/api/v1/_fault").status_code == 500  # anything else stays a 500

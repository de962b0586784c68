"""The embedded engine's writers' queue (api/store/writer_queue.py): writers of several threads and
processes take turns without losing an update or failing before the busy timeout; past it they get
SQLite's own "database is locked"; a dead, failed or forked writer never leaves the queue stuck;
readers never wait for it."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import sqlite3
import threading
import time

import pytest

from api.store import SQLiteStore, sqlite_engine, writer_queue
from api.store.writer_queue import WriterQueue

PROCESS_TIMEOUT_SECONDS = 60
FORK = multiprocessing.get_context("fork")  # fast, and the case gunicorn's workers are in


def _open(path, timeout_ms: int = 5000) -> SQLiteStore:
    return SQLiteStore(str(path), busy_timeout_ms=timeout_ms)


@pytest.fixture
def path(tmp_path):
    setup = _open(tmp_path / "queue.sqlite3")
    setup["counters"].insert_one({"_id": "c", "n": 0})
    setup.close()
    return str(tmp_path / "queue.sqlite3")


def _read_modify_write(path: str, start, times: int, errors) -> None:
    """Read the counter, then write it back plus one, in one transaction: lost if two ever overlap."""
    store = _open(path, timeout_ms=3000)
    counters = store["counters"]
    start.wait()

    def work():
        for _ in range(times):
            try:
                with store.transaction():
                    n = counters.find_one({"_id": "c"})["n"]
                    counters.update_one({"_id": "c"}, {"$set": {"n": n + 1}})
            except sqlite3.OperationalError as exc:
                errors.put(str(exc))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _hold_the_queue(path: str, holding, release, seconds: float = PROCESS_TIMEOUT_SECONDS) -> None:
    store = _open(path)
    with store.transaction():
        store["counters"].update_one({"_id": "c"}, {"$set": {"held": True}})
        holding.set()
        release.wait(seconds)


def _join(processes) -> list[int | None]:
    for process in processes:
        process.join(PROCESS_TIMEOUT_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    return [process.exitcode for process in processes]


def test_two_processes_of_three_threads_each_lose_no_read_modify_write_and_meet_no_busy_error(path):
    start, errors = FORK.Barrier(2), FORK.Queue()
    workers = [FORK.Process(target=_read_modify_write, args=(path, start, 60, errors)) for _ in range(2)]
    for worker in workers:
        worker.start()

    assert _join(workers) == [0, 0]
    assert errors.empty(), errors.get()
    assert _open(path)["counters"].find_one({"_id": "c"})["n"] == 2 * 3 * 60


def test_a_writer_that_waits_past_the_busy_timeout_gets_sqlites_busy_error_and_writes_nothing(path):
    holding, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_the_queue, args=(path, holding, release))
    holder.start()
    try:
        assert holding.wait(PROCESS_TIMEOUT_SECONDS)
        store = _open(path, timeout_ms=150)
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            store["counters"].insert_one({"_id": "late"})
        waited = time.monotonic() - started
        assert 0.15 <= waited < 1.5
    finally:
        release.set()
        assert _join([holder]) == [0]
    assert store["counters"].find_one({"_id": "late"}) is None
    store["counters"].insert_one({"_id": "late"})  # the holder is gone: served at once
    assert store["counters"].find_one({"_id": "c"})["held"] is True


def test_a_thread_waits_for_another_threads_transaction_then_writes(path):
    store = _open(path, timeout_ms=2000)
    inside, finish = threading.Event(), threading.Event()

    def long_transaction():
        with store.transaction():
            store["counters"].update_one({"_id": "c"}, {"$inc": {"n": 1}})
            inside.set()
            finish.wait(5)

    holder = threading.Thread(target=long_transaction)
    holder.start()
    assert inside.wait(5)
    threading.Timer(0.1, finish.set).start()
    store["counters"].update_one({"_id": "c"}, {"$inc": {"n": 10}})
    holder.join()

    assert store["counters"].find_one({"_id": "c"})["n"] == 11


def test_a_reader_is_not_held_up_by_a_writer_in_the_queue(path):
    holding, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_the_queue, args=(path, holding, release))
    holder.start()
    try:
        assert holding.wait(PROCESS_TIMEOUT_SECONDS)
        started = time.monotonic()
        assert _open(path, timeout_ms=3000)["counters"].find_one({"_id": "c"}) == {"_id": "c", "n": 0}
        assert time.monotonic() - started < 1
    finally:
        release.set()
        _join([holder])


def test_a_writer_killed_while_holding_the_queue_does_not_block_the_next_one(path):
    holding, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_the_queue, args=(path, holding, release))
    holder.start()
    assert holding.wait(PROCESS_TIMEOUT_SECONDS)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()

    store = _open(path, timeout_ms=1000)
    store["counters"].update_one({"_id": "c"}, {"$inc": {"n": 1}})
    assert store["counters"].find_one({"_id": "c"}) == {"_id": "c", "n": 1}  # the killed one's write never committed


def _take_turns_in_child(queue: WriterQueue, tried, released, outcome) -> None:
    """Uses the queue it inherited from its parent, as a forked process might."""
    for timeout, wait_for in ((0.2, None), (3.0, released)):
        if wait_for is not None:
            tried.set()
            wait_for.wait(PROCESS_TIMEOUT_SECONDS)
        try:
            queue.acquire(timeout)
            queue.release()
            outcome.put("acquired")
        except sqlite3.OperationalError as exc:
            outcome.put(str(exc))


def test_a_process_forked_while_its_parent_holds_the_queue_waits_its_turn_instead_of_sharing_it(path):
    queue = WriterQueue(path)
    tried, released, outcome = FORK.Event(), FORK.Event(), FORK.Queue()
    queue.acquire(1)
    child = FORK.Process(target=_take_turns_in_child, args=(queue, tried, released, outcome))
    child.start()
    assert tried.wait(PROCESS_TIMEOUT_SECONDS)
    queue.release()
    released.set()

    assert _join([child]) == [0]
    # while the parent held it: refused (the child shares neither the parent's lock file nor its thread
    # lock); after: acquired (the inherited thread lock, taken at the fork, was not left locked)
    assert [outcome.get(timeout=5), outcome.get(timeout=5)] == ["database is locked", "acquired"]


def test_an_exception_inside_a_transaction_hands_the_queue_on(path):
    store = _open(path, timeout_ms=200)
    with pytest.raises(ZeroDivisionError):
        with store.transaction():
            store["counters"].update_one({"_id": "c"}, {"$inc": {"n": 1}})
            1 / 0  # noqa: B018

    other = _open(path, timeout_ms=200)  # another process would see the same sidecar file
    other["counters"].update_one({"_id": "c"}, {"$inc": {"n": 5}})
    store["counters"].update_one({"_id": "c"}, {"$inc": {"n": 5}})
    assert store["counters"].find_one({"_id": "c"})["n"] == 10


def test_a_writer_that_met_an_outside_lock_leaves_the_queue_free_and_the_wait_stays_within_the_busy_timeout(path):
    """A raw connection (outside the queue) holds SQLite's lock: the first writer waits for it inside
    the queue; the second waits for the first, then only for what is left of its timeout."""
    store = _open(path, timeout_ms=400)
    outside = sqlite3.connect(path, isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    outcomes: dict[str, tuple[str, float]] = {}

    def write(name: str):
        started = time.monotonic()
        try:
            store["counters"].insert_one({"_id": name})
            outcomes[name] = ("written", time.monotonic() - started)
        except sqlite3.OperationalError as exc:
            outcomes[name] = (str(exc), time.monotonic() - started)

    first = threading.Thread(target=write, args=("first",))
    first.start()
    time.sleep(0.05)
    write("second")
    first.join()
    outside.execute("ROLLBACK")
    outside.close()

    assert outcomes["first"][0] == outcomes["second"][0] == "database is locked"
    assert outcomes["second"][1] < 0.7, "the wait in the queue and SQLite's own wait share one timeout"
    store["counters"].insert_one({"_id": "after"})
    assert store["counters"].count_documents({}) == 2


def test_the_queue_is_a_sidecar_file_next_to_the_database_and_writer_queue_false_goes_without_it(tmp_path):
    queued = SQLiteStore(str(tmp_path / "new.sqlite3"))
    old = SQLiteStore(str(tmp_path / "old.sqlite3"), writer_queue=False)
    for store in (queued, old):
        store["counters"].insert_one({"_id": "c"})
        assert store["counters"].count_documents({}) == 1

    assert os.path.exists(str(tmp_path / "new.sqlite3-writer.lock"))
    assert not os.path.exists(str(tmp_path / "old.sqlite3-writer.lock"))


def test_the_wal_is_checkpointed_after_the_writer_has_left_the_queue_about_every_thousand_pages(path, monkeypatch):
    store = _open(path)
    held_during_checkpoint: list[bool] = []
    checkpoint = SQLiteStore._checkpoint

    def watched(self, conn):
        held_during_checkpoint.append(self._writers._threads.locked())
        checkpoint(self, conn)

    monkeypatch.setattr(SQLiteStore, "_checkpoint", watched)
    first = store._commits_left
    for n in range(first):
        store["counters"].insert_one({"_id": f"n{n}"})

    assert held_during_checkpoint == [False]
    assert store.connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # not inside a COMMIT
    # these commits wrote a page or two each: the next checkpoint waits for more of them
    low, high = sqlite_engine.CHECKPOINT_COMMITS
    assert first < store._commits_between_checkpoints <= high


def _turns(queue: WriterQueue, count: int) -> float:
    started = time.monotonic()
    for _ in range(count):
        queue.acquire(1)
        queue.release()
    return time.monotonic() - started


def test_a_process_steps_aside_after_its_turns_in_a_row_only_while_another_process_waits(path):
    queue = WriterQueue(path)
    step_asides: list[float] = []
    let_others_in = queue._let_others_in

    def watched(deadline: float) -> None:
        started = time.monotonic()
        let_others_in(deadline)
        step_asides.append(time.monotonic() - started)

    queue._let_others_in = watched
    _turns(queue, 3 * writer_queue.TURNS_WHILE_OTHERS_WAIT)
    assert step_asides == []  # nobody else waits: the turn passes from thread to thread at once

    other = open(queue.wait_path, "ab")  # another process polling for its turn
    fcntl.flock(other.fileno(), fcntl.LOCK_SH)
    try:
        _turns(queue, writer_queue.TURNS_WHILE_OTHERS_WAIT + 1)
    finally:
        other.close()
    assert len(step_asides) == 1 and step_asides[0] >= writer_queue.STEP_ASIDE_SECONDS  # it waited for the other

    _turns(queue, 3 * writer_queue.TURNS_WHILE_OTHERS_WAIT)
    assert len(step_asides) <= 2 and all(t < writer_queue.STEP_ASIDE_SECONDS for t in step_asides[1:])  # the other is gone

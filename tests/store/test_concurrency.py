"""Concurrency: atomic read-modify-write across threads and processes.

Threads run on the embedded engine and a real server (mongomock is not thread-safe). Processes are
the embedded engine's own case: several workers (gunicorn) each open the same SQLite file.
"""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.store import SQLiteStore

THREADS = 8
INCREMENTS = 200
PROCESS_TIMEOUT_SECONDS = 120


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)
def test_find_one_and_update_increments_from_many_threads_lose_nothing(things):
    things.insert_one({"_id": "counter", "n": 0})
    seen: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        try:
            start.wait()
            for _ in range(INCREMENTS):
                after = things.find_one_and_update({"_id": "counter"}, {"$inc": {"n": 1}}, return_document=ReturnDocument.AFTER)
                seen[index].append(after["n"])
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert things.find_one({"_id": "counter"})["n"] == THREADS * INCREMENTS
    assert sorted(n for values in seen for n in values) == list(range(1, THREADS * INCREMENTS + 1))


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)
def test_concurrent_upserts_of_one_unique_key_create_one_document(things):
    things.create_index("day", unique=True)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(20):
                try:
                    things.update_one({"day": "2024-05-01"}, {"$inc": {"n": 1}}, upsert=True)
                except DuplicateKeyError:
                    # Two racing upserts may both find nothing; the unique index refuses the second
                    # insert (MongoDB before 4.2 reports it) and the retry finds the document.
                    things.update_one({"day": "2024-05-01"}, {"$inc": {"n": 1}}, upsert=True)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert things.count_documents({"day": "2024-05-01"}) == 1
    assert things.find_one({"day": "2024-05-01"})["n"] == THREADS * 20


# -- separate processes on one SQLite file ----------------------------------------------------
# Workers are module-level functions so that the spawn start method can import them by name.


def _insert_unique_email(path: str, start, results, worker: str) -> None:
    store = SQLiteStore(path)
    start.wait()
    try:
        store["accounts"].insert_one({"_id": worker, "email": "same@example.cn"})
        results.put("inserted")
    except DuplicateKeyError:
        results.put("duplicate")
    finally:
        store.close()


def _increment_counter(path: str, start, times: int) -> None:
    store = SQLiteStore(path)
    start.wait()
    for _ in range(times):
        store["counters"].find_one_and_update({"_id": "counter"}, {"$inc": {"n": 1}})
    store.close()


def _run_processes(target, args_per_process: list[tuple]) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for args in args_per_process]
    for process in processes:
        process.start()
    for process in processes:
        process.join(PROCESS_TIMEOUT_SECONDS)
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
    assert [process.exitcode for process in processes] == [0] * len(processes)


def test_two_processes_inserting_the_same_unique_key_one_succeeds_and_one_gets_duplicate_key_error(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    setup = SQLiteStore(path)
    setup["accounts"].create_index("email", unique=True)
    setup.close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()

    _run_processes(_insert_unique_email, [(path, start, results, "w1"), (path, start, results, "w2")])

    assert sorted(results.get(timeout=5) for _ in range(2)) == ["duplicate", "inserted"]
    check = SQLiteStore(path)
    assert check["accounts"].count_documents({"email": "same@example.cn"}) == 1
    check.close()


def test_find_one_and_update_increments_from_two_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    setup = SQLiteStore(path)
    setup["counters"].insert_one({"_id": "counter", "n": 0})
    setup.close()
    start = multiprocessing.get_context("spawn").Barrier(2)

    _run_processes(_increment_counter, [(path, start, INCREMENTS), (path, start, INCREMENTS)])

    check = SQLiteStore(path)
    assert check["counters"].find_one({"_id": "counter"})["n"] == 2 * INCREMENTS
    check.close()

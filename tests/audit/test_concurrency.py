"""Concurrent appends never fork the chain: threads and two processes on one SQLite file, and a writer
that moves the head between another's read and update (the retry path, on both engines)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from api.audit import append, verify
from api.audit import chain as audit_chain
from api.store import SQLiteStore, ensure_indexes

from .conftest import append_entries, entries

THREADS = 6
APPENDS = 25
PROCESS_TIMEOUT_SECONDS = 120


def _assert_gapless_unforked(store, total: int) -> None:
    stored = entries(store)
    assert [e["seq"] for e in stored] == list(range(1, total + 1))
    assert len({e["prev_hash"] for e in stored}) == total  # no two entries hang on the same predecessor
    assert verify(store).ok and verify(store).count == total


def test_appends_from_many_threads_form_one_gapless_chain(tmp_path):
    store = SQLiteStore(str(tmp_path / "audit.sqlite3"))
    ensure_indexes(store, ("audit_log",))
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            start.wait()
            append_entries(store, APPENDS, actor_id=f"thread-{index}")
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    _assert_gapless_unforked(store, THREADS * APPENDS)


def _append_from_process(path: str, start, worker: str) -> None:
    store = SQLiteStore(path)
    start.wait()
    append_entries(store, APPENDS, actor_id=worker)
    store.close()


def test_appends_from_two_processes_on_one_sqlite_file_form_one_gapless_chain(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    setup = SQLiteStore(path)
    ensure_indexes(setup, ("audit_log",))
    setup.close()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    processes = [context.Process(target=_append_from_process, args=(path, start, name)) for name in ("w1", "w2")]
    for process in processes:
        process.start()
    for process in processes:
        process.join(PROCESS_TIMEOUT_SECONDS)
        if process.is_alive():
            process.kill()
    assert [process.exitcode for process in processes] == [0, 0]

    check = SQLiteStore(path)
    _assert_gapless_unforked(check, 2 * APPENDS)
    assert {e["actor_id"] for e in entries(check)} == {"w1", "w2"}
    check.close()


def test_an_append_that_loses_the_race_for_the_head_retries_on_the_new_head(engine_store, monkeypatch):
    append_entries(engine_store, 1)
    real_new_id = audit_chain.new_id
    raced = []

    def new_id_after_a_rival_append(prefix=""):
        if not raced:  # between our head read and our head update, someone else appends
            raced.append(True)
            append(engine_store, actor_id="rival", actor_role="clerk", action="x", subject_type="t", subject_id="s")
        return real_new_id(prefix)

    monkeypatch.setattr(audit_chain, "new_id", new_id_after_a_rival_append)
    mine = append(engine_store, actor_id="me", actor_role="clerk", action="x", subject_type="t", subject_id="s")

    assert [(e["seq"], e["actor_id"]) for e in entries(engine_store)] == [(1, "staff-clerk"), (2, "rival"), (3, "me")]
    assert mine["seq"] == 3
    _assert_gapless_unforked(engine_store, 3)


def test_an_own_transaction_aborted_by_a_write_conflict_is_retried(engine_store, monkeypatch):
    from pymongo.errors import OperationFailure

    real_try = audit_chain._try_append
    conflicts = []

    def conflicting_once(store, fields, session, pending_id=None):
        if not conflicts:  # what MongoDB raises when another transaction holds the head
            conflicts.append(True)
            raise OperationFailure("WriteConflict", code=112, details={"errorLabels": ["TransientTransactionError"]})
        return real_try(store, fields, session, pending_id)

    monkeypatch.setattr(audit_chain, "_try_append", conflicting_once)
    entry = append(engine_store, actor_id="me", actor_role="clerk", action="x", subject_type="t", subject_id="s")

    assert conflicts and entry["seq"] == 1
    _assert_gapless_unforked(engine_store, 1)


def test_any_other_store_error_is_not_retried(engine_store, monkeypatch):
    from pymongo.errors import OperationFailure

    def failing(store, fields, session, pending_id=None):
        raise OperationFailure("not a conflict", code=2)

    monkeypatch.setattr(audit_chain, "_try_append", failing)

    with pytest.raises(OperationFailure):
        append(engine_store, actor_id="me", actor_role="clerk", action="x", subject_type="t", subject_id="s")

"""Transactions: `with store.transaction() as session`, passing `session=session` to every call.

All-or-nothing is proven on the embedded engine and on a real server; mongomock has no sessions,
so there the block only has to run.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.config import load_config
from api.store import open_store

from .results import ids

ALL_OR_NOTHING = ["sqlite", "mongodb"]


class Refused(Exception):
    pass


@pytest.fixture
def accounts(store):
    """Two collections that exist before any transaction (older servers cannot create them inside one)."""
    store["accounts"].create_index("email", unique=True)
    store["accounts"].insert_one({"_id": "a1", "email": "ann@example.cn", "balance": 100})
    store["ledger"].insert_one({"_id": "l0", "account": "a1", "amount": 100})
    return store


def _transfer(store, session, amount: int) -> None:
    store["accounts"].update_one({"_id": "a1"}, {"$inc": {"balance": -amount}}, session=session)
    store["ledger"].insert_one({"_id": f"l-{amount}", "account": "a1", "amount": -amount}, session=session)
    store["accounts"].find_one_and_update(
        {"_id": "a1"}, {"$set": {"last": amount}}, return_document=ReturnDocument.AFTER, session=session
    )


def test_writes_inside_a_transaction_are_kept_when_the_block_ends(accounts):
    with accounts.transaction() as session:
        _transfer(accounts, session, 30)

    assert accounts["accounts"].find_one({"_id": "a1"})["balance"] == 70
    assert ids(accounts["ledger"].find()) == {"l0", "l-30"}


@pytest.mark.parametrize("store", ALL_OR_NOTHING, indirect=True)
def test_an_exception_inside_a_transaction_rolls_every_write_back(accounts):
    with pytest.raises(Refused):
        with accounts.transaction() as session:
            _transfer(accounts, session, 30)
            accounts["accounts"].insert_one({"_id": "a2", "email": "bo@example.cn", "balance": 0}, session=session)
            accounts["ledger"].delete_one({"_id": "l0"}, session=session)
            raise Refused

    assert accounts["accounts"].find_one({"_id": "a1"}) == {"_id": "a1", "email": "ann@example.cn", "balance": 100}
    assert ids(accounts["accounts"].find()) == {"a1"}
    assert ids(accounts["ledger"].find()) == {"l0"}


@pytest.mark.parametrize("store", ALL_OR_NOTHING, indirect=True)
def test_a_duplicate_key_inside_a_transaction_rolls_the_earlier_writes_back(accounts):
    with pytest.raises(DuplicateKeyError):
        with accounts.transaction() as session:
            accounts["ledger"].insert_one({"_id": "l1", "account": "a1", "amount": 5}, session=session)
            accounts["accounts"].insert_one({"_id": "a2", "email": "ann@example.cn"}, session=session)

    assert ids(accounts["ledger"].find()) == {"l0"}
    assert ids(accounts["accounts"].find()) == {"a1"}


@pytest.mark.parametrize("store", ALL_OR_NOTHING, indirect=True)
def test_reads_inside_a_transaction_see_its_own_writes(accounts):
    with accounts.transaction() as session:
        accounts["accounts"].update_one({"_id": "a1"}, {"$inc": {"balance": 5}}, session=session)

        assert accounts["accounts"].find_one({"_id": "a1"}, session=session)["balance"] == 105
        assert accounts["accounts"].count_documents({"balance": 105}, session=session) == 1


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_transaction_inside_a_transaction_is_refused_on_the_embedded_engine(store):
    with store.transaction():
        with pytest.raises(RuntimeError, match="nest"):
            with store.transaction():
                pass


@pytest.mark.parametrize("store", ALL_OR_NOTHING, indirect=True)
def test_a_collection_first_used_in_a_rolled_back_transaction_works_afterwards(store):
    with pytest.raises(Refused), store.transaction() as session:
        store["brand_new"].insert_one({"_id": "x"}, session=session)
        raise Refused()
    assert store["brand_new"].find_one({"_id": "x"}) is None
    store["brand_new"].insert_one({"_id": "y"})
    assert ids(store["brand_new"].find({})) == {"y"}


def _pragma(store, name: str):
    return store.connection().execute(f"PRAGMA {name}").fetchone()[0]


def test_the_embedded_engine_runs_in_wal_mode_with_the_configured_busy_timeout(tmp_path):
    config = load_config({"DATA_DIR": str(tmp_path)}, environ={"ONETRIP_SQLITE_BUSY_TIMEOUT_MS": "2345"})
    store = open_store(config)
    try:
        assert _pragma(store, "journal_mode") == "wal"
        assert _pragma(store, "busy_timeout") == 2345
        seen = {}

        def look():
            seen.update(mode=_pragma(store, "journal_mode"), wait=_pragma(store, "busy_timeout"))

        worker = threading.Thread(target=look)
        worker.start()
        worker.join()
        assert seen == {"mode": "wal", "wait": 2345}  # each thread's own connection, configured the same
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "onetrip.sqlite3") as raw:  # WAL is a property of the file: it stays
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_default_busy_timeout_is_five_seconds(tmp_path):
    store = open_store({"DATA_DIR": str(tmp_path)})
    try:
        assert _pragma(store, "busy_timeout") == 5000
    finally:
        store.close()

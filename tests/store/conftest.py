"""The `store` fixture: every contract test runs on each engine behind pymongo's API.

- "sqlite": the embedded engine on a fresh file;
- "mongomock": the in-memory MongoDB used in CI;
- "mongodb": a real server when MONGODB_URI is set (a fresh database per test, dropped after).

Tests that an engine cannot take part in (mongomock is not thread-safe and has no transactions)
choose their engines with `@pytest.mark.parametrize("store", [...], indirect=True)`.
"""

from __future__ import annotations

import os
import uuid

import pytest

from api.store import SQLiteStore, open_store

ENGINES = ["sqlite", "mongomock", "mongodb"]
REAL_MONGODB_SKIP = "MONGODB_URI not set: real MongoDB contract run skipped"


def open_engine(engine: str, tmp_path):
    """A fresh, empty store on `engine`; the caller closes it with `close_engine`."""
    if engine == "sqlite":
        return SQLiteStore(str(tmp_path / "contract.sqlite3"))
    if engine == "mongomock":
        return open_store({"MONGODB_URI": "mongomock://"})
    uri = os.environ.get("MONGODB_URI")
    if not uri or uri.startswith("mongomock://"):
        pytest.skip(REAL_MONGODB_SKIP)
    return open_store({"MONGODB_URI": uri, "MONGODB_DATABASE": f"onetrip_contract_{uuid.uuid4().hex[:16]}"})


def close_engine(store) -> None:
    if store.engine == "mongodb" and hasattr(store.client, "drop_database"):
        store.client.drop_database(store.db.name)
    store.close()


@pytest.fixture(params=ENGINES)
def store(request, tmp_path):
    opened = open_engine(request.param, tmp_path)
    yield opened
    close_engine(opened)


@pytest.fixture
def things(store):
    """The collection most contract tests work on."""
    return store["things"]


def _real_mongodb_configured() -> bool:
    uri = os.environ.get("MONGODB_URI")
    return bool(uri) and not uri.startswith("mongomock://")


def pytest_collection_modifyitems(config, items):
    """Without a real server, leave its runs out (one skip below says why) instead of 300 skip lines."""
    if _real_mongodb_configured():
        return
    kept, left_out = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_real_server = callspec is not None and callspec.params.get("store") == "mongodb"
        (left_out if on_real_server and "tests/store" in str(item.path) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept

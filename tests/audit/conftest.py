"""Audit fixtures: a bare store on each engine (the chain's contract) and helpers to read the log."""

from __future__ import annotations

import pytest

from api.audit import AUDIT_LOG, append
from api.store import ensure_indexes
from tests.store.conftest import close_engine, open_engine


@pytest.fixture(params=["sqlite", "mongomock"])
def engine_store(request, tmp_path):
    """A fresh store with the audit indexes, on the embedded engine and on mongomock."""
    opened = open_engine(request.param, tmp_path)
    ensure_indexes(opened, ("audit_log",))
    yield opened
    close_engine(opened)


def append_entries(store, count: int, **overrides) -> list[dict]:
    """`count` entries by one clerk on applications app-1, app-2, … (unless overridden)."""
    made = []
    for n in range(1, count + 1):
        fields = {"actor_id": "staff-clerk", "actor_role": "clerk", "action": "application.accept"}
        fields.update({"subject_type": "application", "subject_id": f"app-{n}", "detail": {"n": n}, **overrides})
        made.append(append(store, **fields))
    return made


def entries(store, **query) -> list[dict]:
    return list(store[AUDIT_LOG].find(query, sort=[("seq", 1)]))

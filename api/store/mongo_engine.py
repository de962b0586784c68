"""The production engine: MongoDB through pymongo itself. `store["name"]` is a pymongo Collection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class MongoStore:
    engine = "mongodb"

    def __init__(self, client: Any, database: str):
        self.client = client
        self.db = client[database]
        self._sessions = not type(client).__module__.startswith("mongomock")

    def __getitem__(self, name: str):
        return self.db[name]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.db[name]

    def list_collection_names(self) -> list[str]:
        return sorted(self.db.list_collection_names())

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A client-session transaction (needs a replica set); pass the yielded session to each call.

        mongomock has no sessions: there the block runs without one, which is why the contract
        tests that prove all-or-nothing run on SQLite and on a real server only.
        """
        if not self._sessions:
            yield None
            return
        with self.client.start_session() as session, session.start_transaction():
            yield session

    def ping(self) -> dict:
        self.db.command("ping")
        return {"engine": self.engine, "ok": True}

    def close(self) -> None:
        self.client.close()

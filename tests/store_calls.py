"""Counting the store calls a request makes: the guard against N+1 queries and repeated reads coming back.

    with store_calls(app) as calls:
        client.get(...)
    assert calls.count("sub_applications") == 1

The app's store is swapped for a proxy that records (collection, method) for every collection call the
app makes through `store[name]` (a find_one counts once, not also as the find it runs inside), then put
back. Any engine: the proxy only forwards. What took the store before the swap (the registry adapter,
built once per app) is not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class StoreCalls(list):
    """The (collection, method) pairs, in order."""

    def count(self, collection: str, method: str | None = None) -> int:  # type: ignore[override]
        return sum(1 for name, called in self if name == collection and method in (None, called))

    def by_collection(self) -> Counter:
        return Counter(name for name, _ in self)


class _CountingCollection:
    def __init__(self, collection: Any, name: str, calls: StoreCalls):
        self._collection, self._name, self._calls = collection, name, calls

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._collection, attribute)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((self._name, attribute))
            return value(*args, **kwargs)

        return counted


class _CountingStore:
    def __init__(self, store: Any, calls: StoreCalls):
        self._store, self._calls = store, calls

    def __getitem__(self, name: str) -> _CountingCollection:
        return _CountingCollection(self._store[name], name, self._calls)

    def __getattr__(self, attribute: str) -> Any:  # engine, transaction(), connection() … as they are
        return getattr(self._store, attribute)


@contextmanager
def store_calls(app) -> Iterator[StoreCalls]:
    calls = StoreCalls()
    real = app.extensions["store"]
    app.extensions["store"] = _CountingStore(real, calls)
    try:
        yield calls
    finally:
        app.extensions["store"] = real

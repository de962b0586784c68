"""Recording the queries the embedded engine receives, by shape, and explaining them on SQLite.

A shape is (collection, the filter with its values replaced by their types, the sort): the set of
shapes a flow produces is the set of queries it declares, whatever module sent them. Each shape keeps
one real example, which `explain()` runs through SQLite's EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api.store.sqlite_engine import SQLiteCollection, normalize_sort

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _sent_by_test_code() -> bool:
    """Whether the first caller outside the store is a test's own helper (its queries are not the app's)."""
    frame = sys._getframe(3)  # past this function, record() and the recording wrapper
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)).endswith(os.sep + "store"):
        frame = frame.f_back
    return frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(TESTS_DIR + os.sep)


def shape_of(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        shapes = []
        for item in value:
            item_shape = shape_of(item)
            if item_shape not in shapes:
                shapes.append(item_shape)
        return shapes
    return type(value).__name__


@dataclass
class Query:
    collection: str
    filter: dict
    sort: list
    examples: int = 1

    @property
    def key(self) -> str:
        return json.dumps([self.collection, shape_of(self.filter), self.sort], ensure_ascii=False, sort_keys=True)


@dataclass
class Recorder:
    queries: dict[str, Query] = field(default_factory=dict)

    def record(self, collection: str, query: dict, sort: list) -> None:
        if _sent_by_test_code():
            return
        entry = Query(collection, json.loads(json.dumps(query, default=str)), [list(s) for s in sort])
        found = self.queries.get(entry.key)
        if found is None:
            self.queries[entry.key] = entry
        else:
            found.examples += 1


@contextmanager
def recording():
    """Every filter and sort any SQLite collection receives while the block runs, by shape."""
    recorder = Recorder()
    select, count = SQLiteCollection._select, SQLiteCollection.count_documents

    def recorded_select(self, query, sort, skip, limit, columns="doc"):
        recorder.record(self.name, query, sort)
        return select(self, query, sort, skip, limit, columns)

    def recorded_count(self, filter, *args, **kwargs):
        recorder.record(self.name, filter, [])
        return count(self, filter, *args, **kwargs)

    SQLiteCollection._select, SQLiteCollection.count_documents = recorded_select, recorded_count
    try:
        yield recorder
    finally:
        SQLiteCollection._select, SQLiteCollection.count_documents = select, count


@dataclass
class Plan:
    query: Query
    lines: list[str]

    def full_scan(self) -> bool:
        """A SCAN of the collection's table, with or without an index: every row is read."""
        table = f"c_{self.query.collection}"
        return any(re.match(rf"SCAN {table}\b", line) for line in self.lines)

    def indexes(self) -> set[str]:
        prefix = f"ix_{self.query.collection}_"
        names = (name for line in self.lines for name in re.findall(r"INDEX (\S+)", line))
        return {name[len(prefix) :] for name in names if name.startswith(prefix)}


def explain(store, query: Query) -> Plan:
    collection = store[query.collection]
    return Plan(query, collection.explain_query_plan(query.filter, normalize_sort([tuple(s) for s in query.sort])))

"""The embedded engine's filter compiler against two references, on random documents and filters:
the SQL it writes for indexed paths (api/store/sqlite_sql.py) must select exactly what the Python
matcher (api/store/matching.py, which answers unindexed paths), mongomock and, when MONGODB_URI names
a server, real MongoDB select. Operators
outside the supported subset raise NotImplementedError naming the operator, and nothing else."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.store import SQLiteStore, open_store
from api.store.matching import matches

PATHS = ["a", "b.c", "t", "n"]
SCALARS = st.integers(-3, 3) | st.sampled_from(["", "x", "y", "甲"]) | st.none() | st.booleans()
FIELD_VALUES = SCALARS | st.lists(st.integers(-3, 3) | st.sampled_from(["x", "y"]), max_size=3)
MISSING = object()


@st.composite
def documents(draw) -> dict:
    doc: dict = {}
    for path in ("a", "t", "n"):  # an indexed path holds no arrays on the embedded engine (no multikey indexes)
        value = draw(st.just(MISSING) | (FIELD_VALUES if path == "n" else SCALARS))
        if value is not MISSING:
            doc[path] = value
    inner = draw(st.just(MISSING) | st.none() | st.fixed_dictionaries({}, optional={"c": SCALARS}))
    if inner is not MISSING:
        doc["b"] = inner
    return doc


def conditions():
    scalar_ops = st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"])
    return (
        SCALARS
        | st.builds(lambda op, v: {op: v}, scalar_ops, SCALARS)
        | st.builds(lambda op, v: {op: v}, st.sampled_from(["$in", "$nin"]), st.lists(SCALARS, min_size=1, max_size=3))
        | st.builds(lambda v: {"$exists": v}, st.booleans())
        | st.builds(lambda lo, hi: {"$gte": lo, "$lt": hi}, st.integers(-3, 3), st.integers(-3, 3))
    )


FILTERS = st.recursive(
    st.dictionaries(st.sampled_from(PATHS), conditions(), min_size=1, max_size=2),
    lambda inner: st.builds(
        lambda op, subs: {op: subs}, st.sampled_from(["$and", "$or"]), st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("filters")
    indexed = SQLiteStore(str(folder / "indexed.sqlite3"))
    for path in ("a", "b.c", "t"):  # "n" stays unindexed: every filter mixes SQL and the Python matcher
        indexed["docs"].create_index([(path, 1)])
    plain = SQLiteStore(str(folder / "plain.sqlite3"))
    mock = open_store({"MONGODB_URI": "mongomock://"})
    stores = {"sqlite with indexes": indexed, "sqlite without": plain, "mongomock": mock}
    uri = os.environ.get("MONGODB_URI", "")
    if uri and not uri.startswith("mongomock://"):
        stores["mongodb"] = open_store({"MONGODB_URI": uri, "MONGODB_DATABASE": f"onetrip_fuzz_{uuid.uuid4().hex[:12]}"})
    yield {name: store["docs"] for name, store in stores.items()}
    for store in stores.values():
        if store.engine == "mongodb" and hasattr(store.client, "drop_database"):
            store.client.drop_database(store.db.name)
        store.close()


@given(st.lists(documents(), max_size=8), FILTERS)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_sql_compiled_for_indexed_paths_selects_what_the_matcher_and_mongomock_select(engines, docs, query):
    for collection in engines.values():
        collection.delete_many({})
        if docs:
            collection.insert_many([{"_id": f"d{i}", **doc} for i, doc in enumerate(docs)])
    expected = {f"d{i}" for i, doc in enumerate(docs) if matches({"_id": f"d{i}", **doc}, query)}
    for name, collection in engines.items():
        if name == "mongomock" and not _mongomock_agrees_with_mongodb_on(docs, query):
            continue
        found = {doc["_id"] for doc in collection.find(query)}
        assert found == expected, (name, query, docs)


def _mongomock_agrees_with_mongodb_on(docs: list[dict], query: dict) -> bool:
    """Two places where mongomock is not MongoDB, so it is no reference there: it compares like Python
    (False == 0), and it does not count `b.c` as missing when `b` is null. The real server, when
    MONGODB_URI names one, is compared on everything."""
    return not _has_bool((docs, query)) and all(isinstance(doc.get("b", {}), dict) for doc in docs)


def _has_bool(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_bool(v) for v in value)
    return False


@given(st.sampled_from(["$regex", "$where", "$elemMatch", "$size", "$type", "$mod", "$all", "$not", "$expr", "$text"]), SCALARS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_an_operator_outside_the_subset_raises_not_implemented_naming_it_on_the_embedded_engine(engines, operator, operand):
    for name in ("sqlite with indexes", "sqlite without"):
        with pytest.raises(NotImplementedError, match=operator.replace("$", r"\$")):
            list(engines[name].find({"a": {operator: operand}}))
        with pytest.raises(NotImplementedError, match=operator.replace("$", r"\$")):
            list(engines[name].find({"$or": [{"t": "x"}, {"n": {operator: operand}}]}))

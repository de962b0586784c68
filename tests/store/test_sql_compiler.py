"""The embedded engine's filter compiler: plain filters (equalities and $in lists of text, equality to null)
take SQL made once per shape (api/store/sqlite_sql.py); it must be exactly what compiling term by term gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.store import sqlite_sql
from api.store.sqlite_sql import Compiled, compile_filter

INDEXED = frozenset({"a", "b.c", "n"})
KEYS = st.sampled_from(["_id", "a", "b.c", "n", "unindexed", "$or"])
TEXTS = st.sampled_from(["", "x", "甲", "{}", '{"a":1}', "[1]", "1", "null"])
VALUES = (
    TEXTS
    | st.none()
    | st.integers(-2, 2)
    | st.booleans()
    | st.lists(TEXTS | st.integers(-2, 2), max_size=3).map(lambda values: {"$in": values})
    | st.builds(lambda v: {"$eq": v}, TEXTS)
)


def term_by_term(query: dict, indexed: frozenset[str]) -> Compiled:
    out = Compiled()
    sqlite_sql._compile_into(out, query, indexed)
    return out


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=4))
def test_a_filter_compiles_to_the_same_sql_and_parameters_through_its_shape_as_term_by_term(query):
    if "$or" in query:
        query["$or"] = [{"a": "x"}, {"n": None}]

    cached, full = compile_filter(query, INDEXED), term_by_term(query, INDEXED)

    assert (cached.where, cached.params, cached.residual_filter) == (full.where, full.params, full.residual_filter)


def test_a_plain_filter_is_compiled_once_per_shape():
    compile_filter({"a": "first", "n": None, "_id": {"$in": ["p", "q"]}}, INDEXED)
    before = sqlite_sql._plain_where.cache_info().hits

    again = compile_filter({"a": "second", "n": None, "_id": {"$in": ["r", "s"]}}, INDEXED)

    assert sqlite_sql._plain_where.cache_info().hits == before + 1
    assert again.params == ["second", "r", "s"]
    assert again.where == (
        "coalesce(json_extract(doc, '$.a'), -9e999) = ? AND coalesce(json_extract(doc, '$.n'), -9e999) = -9e999 AND id IN (?, ?)"
    )


def test_the_same_shape_on_a_path_without_an_index_leaves_the_term_to_python():
    compile_filter({"a": "x"}, INDEXED)

    compiled = compile_filter({"a": "x"}, frozenset({"n"}))

    assert compiled.where == "1" and compiled.params == [] and compiled.residual_filter == {"a": "x"}

"""Filters: one table of (documents, filter, expected ids), run on every engine with and without indexes.

The embedded engine answers indexed paths in SQL and everything else in Python; both halves must
give MongoDB's answer, so each case whose paths hold only scalars also runs with those paths indexed.
Cases over arrays run unindexed only: the embedded engine has no multikey indexes (test_indexes.py
checks that it says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import ENGINES
from .results import ids

PEOPLE = [
    {
        "_id": "ann",
        "name": "Ann",
        "age": 30,
        "city": "Hangzhou",
        "verified": True,
        "level": 1,
        "address": {"city": "Hangzhou", "zip": "310000"},
    },
    {
        "_id": "bo",
        "name": "Bo",
        "age": 25,
        "city": "Ningbo",
        "verified": False,
        "level": 1.0,
        "address": {"city": "Ningbo", "zip": "315000"},
    },
    {"_id": "cai", "name": "Cai", "age": 41.5, "city": "Wenzhou", "verified": 1, "level": 2, "address": {"zip": "325000"}},
    {"_id": "dan", "name": "Dan", "age": "30", "city": "Shaoxing", "verified": 0, "level": 3, "address": {"city": None}},
    {"_id": "eve", "name": "Eve", "age": None, "city": "Hangzhou", "verified": True, "level": 2},
    {"_id": "fay", "name": "Fay", "level": 3},
]

ORDERS = [
    {"_id": "o1", "tags": ["red", "blue"], "scores": [70, 95], "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 9}]},
    {"_id": "o2", "tags": ["blue"], "scores": [60], "items": [{"sku": "B2", "qty": 1}, {"qty": 4}]},
    {"_id": "o3", "tags": ["green", None], "scores": []},
    {"_id": "o4", "tags": [], "scores": [85], "items": [{"sku": "C3", "qty": 6}]},
    {"_id": "o5"},
]

MIXED_IDS = [{"_id": 1}, {"_id": 2}, {"_id": 2.5}, {"_id": "3"}, {"_id": "a"}]

# Values whose SQL form a string could equal: SQLite's json_extract gives a subdocument as its JSON text and
# true as 1, so an indexed equality on text must still tell them apart (sqlite_sql.equality_guard).
LOOKALIKES = [
    {"_id": "sub", "k": {"a": 1}},
    {"_id": "sub_text", "k": '{"a":1}'},
    {"_id": "list_text", "k": "[1]"},
    {"_id": "one", "k": 1},
    {"_id": "true", "k": True},
    {"_id": "one_text", "k": "1"},
    {"_id": "true_text", "k": "true"},
    {"_id": "null", "k": None},
    {"_id": "null_text", "k": "null"},
]


@dataclass(frozen=True)
class Case:
    name: str
    documents: list
    filter: dict
    expected: set
    index: tuple = ()  # paths to index for the indexed run; () = this case runs unindexed only
    mongomock_differs: bool = False  # mongomock compares with Python's ==, where True == 1 and False == 0


CASES = [
    # equality
    Case("equality_on_a_string", PEOPLE, {"city": "Ningbo"}, {"bo"}, ("city",)),
    Case("equality_on_a_number_matches_int_and_float", PEOPLE, {"level": 1}, {"ann", "bo"}, ("level",)),
    Case("equality_on_a_number_does_not_match_a_numeric_string", PEOPLE, {"age": 30}, {"ann"}, ("age",)),
    Case("equality_on_a_string_does_not_match_a_number", PEOPLE, {"age": "30"}, {"dan"}, ("age",)),
    Case("explicit_eq", PEOPLE, {"city": {"$eq": "Hangzhou"}}, {"ann", "eve"}, ("city",)),
    Case("equality_on_a_dotted_path_into_a_subdocument", PEOPLE, {"address.city": "Hangzhou"}, {"ann"}, ("address.city",)),
    Case(
        "equality_on_a_whole_subdocument",
        PEOPLE,
        {"address": {"city": "Ningbo", "zip": "315000"}},
        {"bo"},
        ("address",),
    ),
    Case("equality_on_the_id", PEOPLE, {"_id": "cai"}, {"cai"}, ()),
    Case("two_fields_are_an_implicit_and", PEOPLE, {"city": "Hangzhou", "verified": True}, {"ann", "eve"}, ("city", "verified")),
    # None: null and missing
    Case("none_matches_null_and_missing", PEOPLE, {"age": None}, {"eve", "fay"}, ("age",)),
    Case("eq_none_matches_null_and_missing", PEOPLE, {"age": {"$eq": None}}, {"eve", "fay"}, ("age",)),
    Case(
        "none_on_a_dotted_path_matches_null_missing_and_missing_parent",
        PEOPLE,
        {"address.city": None},
        {"cai", "dan", "eve", "fay"},
        ("address.city",),
    ),
    Case("ne_none_excludes_null_and_missing", PEOPLE, {"age": {"$ne": None}}, {"ann", "bo", "cai", "dan"}, ("age",)),
    Case("or_with_none", PEOPLE, {"$or": [{"age": None}, {"age": 30}]}, {"ann", "eve", "fay"}, ("age",)),
    # $in / $nin / $ne
    Case("in_on_numbers", PEOPLE, {"age": {"$in": [25, 30]}}, {"ann", "bo"}, ("age",)),
    Case("in_on_strings", PEOPLE, {"city": {"$in": ["Ningbo", "Wenzhou", "Beijing"]}}, {"bo", "cai"}, ("city",)),
    Case("in_with_none_matches_null_and_missing", PEOPLE, {"age": {"$in": [None, 25]}}, {"bo", "eve", "fay"}, ("age",)),
    Case("in_mixing_strings_and_numbers", PEOPLE, {"age": {"$in": ["30", 25]}}, {"bo", "dan"}, ("age",)),
    Case("in_on_the_id", PEOPLE, {"_id": {"$in": ["ann", "fay", "zed"]}}, {"ann", "fay"}, ()),
    Case("in_with_an_empty_list_matches_nothing", PEOPLE, {"city": {"$in": []}}, set(), ("city",)),
    Case("nin_includes_missing_fields", PEOPLE, {"age": {"$nin": [25, 30]}}, {"cai", "dan", "eve", "fay"}, ("age",)),
    Case("nin_with_none_excludes_null_and_missing", PEOPLE, {"age": {"$nin": [None, 25]}}, {"ann", "cai", "dan"}, ("age",)),
    Case("ne_includes_missing_fields", PEOPLE, {"city": {"$ne": "Hangzhou"}}, {"bo", "cai", "dan", "fay"}, ("city",)),
    Case("ne_on_a_number_keeps_the_numeric_string", PEOPLE, {"age": {"$ne": 30}}, {"bo", "cai", "dan", "eve", "fay"}, ("age",)),
    # ranges are bracketed by type
    Case("gt_on_numbers_skips_strings_null_and_missing", PEOPLE, {"age": {"$gt": 25}}, {"ann", "cai"}, ("age",)),
    Case("gte_on_numbers", PEOPLE, {"age": {"$gte": 30}}, {"ann", "cai"}, ("age",)),
    Case("lt_on_numbers_skips_null_and_missing", PEOPLE, {"age": {"$lt": 30}}, {"bo"}, ("age",)),
    Case("lte_on_numbers", PEOPLE, {"age": {"$lte": 30}}, {"ann", "bo"}, ("age",)),
    Case("range_with_both_bounds", PEOPLE, {"age": {"$gt": 20, "$lt": 35}}, {"ann", "bo"}, ("age",)),
    Case("range_with_a_float_bound", PEOPLE, {"age": {"$gte": 30.5}}, {"cai"}, ("age",)),
    Case("range_on_strings", PEOPLE, {"city": {"$gte": "Ni", "$lt": "T"}}, {"bo", "dan"}, ("city",)),
    Case("string_range_never_matches_numbers", PEOPLE, {"age": {"$gte": ""}}, {"dan"}, ("age",)),
    Case("range_on_a_dotted_path", PEOPLE, {"address.zip": {"$gt": "312000"}}, {"bo", "cai"}, ("address.zip",)),
    Case("range_on_the_id_is_bracketed_by_type", MIXED_IDS, {"_id": {"$gt": 1}}, {2, 2.5}, ()),
    Case("string_range_on_the_id", MIXED_IDS, {"_id": {"$lte": "3"}}, {"3"}, ()),
    Case("equality_on_a_numeric_id_does_not_match_a_string_id", MIXED_IDS, {"_id": 3}, set(), ()),
    # $exists
    Case("exists_true_includes_null", PEOPLE, {"age": {"$exists": True}}, {"ann", "bo", "cai", "dan", "eve"}, ("age",)),
    Case("exists_false", PEOPLE, {"age": {"$exists": False}}, {"fay"}, ("age",)),
    Case("exists_on_a_dotted_path", PEOPLE, {"address.city": {"$exists": True}}, {"ann", "bo", "dan"}, ("address.city",)),
    # $and / $or
    Case("and", PEOPLE, {"$and": [{"age": {"$gte": 25}}, {"city": "Hangzhou"}]}, {"ann"}, ("age", "city")),
    Case("and_on_one_field", PEOPLE, {"$and": [{"level": {"$gt": 1}}, {"level": {"$lt": 3}}]}, {"cai", "eve"}, ("level",)),
    Case("or", PEOPLE, {"$or": [{"city": "Ningbo"}, {"age": {"$gt": 40}}]}, {"bo", "cai"}, ("city", "age")),
    Case(
        "or_over_an_indexed_and_a_non_indexed_field",
        PEOPLE,
        {"$or": [{"city": "Ningbo"}, {"name": "Cai"}]},
        {"bo", "cai"},
        ("city",),
    ),
    Case(
        "or_nested_in_and",
        PEOPLE,
        {"level": {"$gte": 2}, "$or": [{"city": "Hangzhou"}, {"age": {"$exists": False}}]},
        {"eve", "fay"},
        ("level", "city"),
    ),
    Case("an_empty_filter_matches_everything", PEOPLE, {}, {"ann", "bo", "cai", "dan", "eve", "fay"}, ()),
    # booleans are not numbers
    Case("true_does_not_match_1", PEOPLE, {"verified": True}, {"ann", "eve"}, ("verified",), mongomock_differs=True),
    Case("1_does_not_match_true", PEOPLE, {"verified": 1}, {"cai"}, ("verified",), mongomock_differs=True),
    Case("false_does_not_match_0", PEOPLE, {"verified": False}, {"bo"}, ("verified",), mongomock_differs=True),
    Case("0_does_not_match_false", PEOPLE, {"verified": 0}, {"dan"}, ("verified",), mongomock_differs=True),
    Case("in_with_true", PEOPLE, {"verified": {"$in": [True]}}, {"ann", "eve"}, ("verified",), mongomock_differs=True),
    Case("numeric_range_skips_booleans", PEOPLE, {"verified": {"$gte": 0}}, {"cai", "dan"}, ("verified",)),
    Case(
        "ne_true_keeps_1_and_missing",
        PEOPLE,
        {"verified": {"$ne": True}},
        {"bo", "cai", "dan", "fay"},
        ("verified",),
        mongomock_differs=True,
    ),
    # text that looks like another type
    Case("text_equal_to_a_subdocuments_json_matches_only_the_text", LOOKALIKES, {"k": '{"a":1}'}, {"sub_text"}, ("k",)),
    Case("text_of_a_number_matches_neither_the_number_nor_true", LOOKALIKES, {"k": "1"}, {"one_text"}, ("k",)),
    Case("text_true_does_not_match_true", LOOKALIKES, {"k": "true"}, {"true_text"}, ("k",)),
    Case("text_null_does_not_match_null", LOOKALIKES, {"k": "null"}, {"null_text"}, ("k",)),
    Case(
        "in_on_lookalike_texts", LOOKALIKES, {"k": {"$in": ["1", "[1]", "null"]}}, {"one_text", "list_text", "null_text"}, ("k",)
    ),
    Case("in_with_a_subdocuments_json", LOOKALIKES, {"k": {"$in": ["true", '{"a":1}']}}, {"true_text", "sub_text"}, ("k",)),
    Case("the_number_matches_only_the_number", LOOKALIKES, {"k": 1}, {"one"}, ("k",), mongomock_differs=True),
    # arrays
    Case("equality_matches_an_array_member", ORDERS, {"tags": "blue"}, {"o1", "o2"}),
    Case("equality_with_an_array_matches_the_whole_array_in_order", ORDERS, {"tags": ["red", "blue"]}, {"o1"}),
    Case("equality_with_an_array_in_another_order_does_not_match", ORDERS, {"tags": ["blue", "red"]}, set()),
    Case("equality_with_an_empty_array", ORDERS, {"tags": []}, {"o4"}),
    Case("none_matches_a_null_array_member_and_missing", ORDERS, {"tags": None}, {"o3", "o5"}),
    Case("in_matches_array_members", ORDERS, {"tags": {"$in": ["green", "purple"]}}, {"o3"}),
    Case("nin_excludes_arrays_holding_a_member", ORDERS, {"tags": {"$nin": ["blue"]}}, {"o3", "o4", "o5"}),
    Case("ne_excludes_arrays_holding_the_value", ORDERS, {"tags": {"$ne": "red"}}, {"o2", "o3", "o4", "o5"}),
    Case("range_matches_any_array_member", ORDERS, {"scores": {"$gt": 80}}, {"o1", "o4"}),
    Case("range_with_two_bounds_may_match_different_members", ORDERS, {"scores": {"$gt": 80, "$lt": 75}}, {"o1"}),
    Case("exists_is_true_for_an_empty_array", ORDERS, {"scores": {"$exists": True}}, {"o1", "o2", "o3", "o4"}),
    Case("dotted_equality_into_an_array_of_subdocuments", ORDERS, {"items.sku": "B2"}, {"o1", "o2"}),
    Case("dotted_range_into_an_array_of_subdocuments", ORDERS, {"items.qty": {"$gte": 6}}, {"o1", "o4"}),
    Case("dotted_in_into_an_array_of_subdocuments", ORDERS, {"items.sku": {"$in": ["A1", "C3"]}}, {"o1", "o4"}),
    Case(
        "dotted_none_matches_an_array_element_missing_the_field",
        ORDERS,
        {"items.sku": None},
        {"o2", "o3", "o5"},
    ),
    Case("dotted_ne_none_needs_every_array_element_to_have_the_field", ORDERS, {"items.sku": {"$ne": None}}, {"o1", "o4"}),
    Case("positional_path_into_an_array", ORDERS, {"items.0.sku": "B2"}, {"o2"}),
    Case("or_over_array_paths", ORDERS, {"$or": [{"tags": "green"}, {"items.sku": "C3"}]}, {"o3", "o4"}),
]


def _parameters():
    for engine in ENGINES:
        for case in CASES:
            if engine == "mongomock" and case.mongomock_differs:
                continue
            yield pytest.param(engine, case, False, id=f"{engine}-{case.name}-unindexed")
            if case.index:
                yield pytest.param(engine, case, True, id=f"{engine}-{case.name}-indexed")


PARAMETERS = list(_parameters())


@pytest.mark.parametrize(("store", "case", "indexed"), PARAMETERS, indirect=["store"])
def test_a_filter_returns_exactly_the_documents_mongodb_returns(things, case, indexed):
    if indexed:
        for path in case.index:
            things.create_index(path)
    things.insert_many([dict(document) for document in case.documents])

    assert ids(things.find(case.filter)) == case.expected
    assert things.count_documents(case.filter) == len(case.expected)


@pytest.mark.parametrize(("store", "case", "indexed"), PARAMETERS, indirect=["store"])
def test_find_one_returns_a_matching_document_or_none(things, case, indexed):
    if indexed:
        for path in case.index:
            things.create_index(path)
    things.insert_many([dict(document) for document in case.documents])

    found = things.find_one(case.filter)

    if case.expected:
        assert found["_id"] in case.expected
    else:
        assert found is None

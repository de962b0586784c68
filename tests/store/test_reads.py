"""Reads: find with projection, sort, skip and limit (as arguments and on the cursor), find_one, count_documents."""

from __future__ import annotations

import pytest
from pymongo.errors import InvalidOperation

from .results import ids, ordered_ids

APPLICANTS = [
    {"_id": "a", "name": "Ann", "age": 30, "city": "Hangzhou", "address": {"city": "Hangzhou", "zip": "310000"}, "secret": "x"},
    {"_id": "b", "name": "Bo", "age": 25, "city": "Ningbo", "address": {"city": "Ningbo", "zip": "315000"}, "secret": "y"},
    {"_id": "c", "name": "Cai", "age": 41, "city": "Hangzhou", "address": {"zip": "325000"}},
    {"_id": "d", "name": "Dan", "age": 19, "city": "Wenzhou", "items": [{"sku": "A", "qty": 1}, {"sku": "B"}]},
    {"_id": "e", "name": "Eve", "city": "Ningbo"},
]


@pytest.fixture
def applicants(things):
    things.insert_many([dict(document) for document in APPLICANTS])
    return things


@pytest.fixture(params=["unindexed", "indexed"])
def sortable(request, applicants):
    """The applicants, with or without indexes on the sort keys (the embedded engine sorts in SQL either way)."""
    if request.param == "indexed":
        applicants.create_index("age")
        applicants.create_index([("city", 1), ("name", -1)])
    return applicants


def test_find_without_a_filter_returns_every_document(applicants):
    assert ids(applicants.find()) == {"a", "b", "c", "d", "e"}
    assert ids(applicants.find({})) == {"a", "b", "c", "d", "e"}


def test_find_returns_documents_as_they_were_inserted(applicants):
    assert applicants.find_one({"_id": "d"}) == APPLICANTS[3]


def test_an_inclusion_projection_keeps_the_fields_and_the_id(applicants):
    assert applicants.find_one({"_id": "a"}, {"name": 1, "age": 1}) == {"_id": "a", "name": "Ann", "age": 30}


def test_an_inclusion_projection_can_drop_the_id(applicants):
    assert applicants.find_one({"_id": "a"}, {"name": 1, "_id": 0}) == {"name": "Ann"}


def test_an_exclusion_projection_drops_only_those_fields(applicants):
    found = applicants.find_one({"_id": "a"}, {"secret": 0, "address": 0})

    assert found == {"_id": "a", "name": "Ann", "age": 30, "city": "Hangzhou"}


def test_a_dotted_inclusion_projection_keeps_the_subdocument_field(applicants):
    assert list(applicants.find({"_id": {"$in": ["a", "c"]}}, {"address.city": 1}, sort=[("_id", 1)])) == [
        {"_id": "a", "address": {"city": "Hangzhou"}},
        {"_id": "c", "address": {}},
    ]


def test_a_dotted_exclusion_projection_removes_the_subdocument_field(applicants):
    found = applicants.find_one({"_id": "b"}, {"address.zip": 0, "secret": 0})

    assert found == {"_id": "b", "name": "Bo", "age": 25, "city": "Ningbo", "address": {"city": "Ningbo"}}


def test_a_dotted_inclusion_projection_reaches_into_arrays_of_subdocuments(applicants):
    assert applicants.find_one({"_id": "d"}, {"items.sku": 1, "_id": 0}) == {"items": [{"sku": "A"}, {"sku": "B"}]}


def test_an_id_only_projection_returns_just_the_id(applicants):
    assert applicants.find_one({"_id": "a"}, {"_id": 1}) == {"_id": "a"}


def test_a_projection_given_as_a_list_of_fields_includes_them(applicants):
    assert applicants.find_one({"_id": "b"}, ["name"]) == {"_id": "b", "name": "Bo"}


def test_find_sorts_ascending_with_missing_values_first(sortable):
    assert ordered_ids(sortable.find({}, sort=[("age", 1)])) == ["e", "d", "b", "a", "c"]


def test_find_sorts_descending_with_missing_values_last(sortable):
    assert ordered_ids(sortable.find({}, sort=[("age", -1)])) == ["c", "a", "b", "d", "e"]


def test_find_sorts_on_a_compound_key(sortable):
    found = sortable.find({}, sort=[("city", 1), ("name", -1)])

    assert ordered_ids(found) == ["c", "a", "e", "b", "d"]


def test_find_sorts_on_a_dotted_path(sortable):
    assert ordered_ids(sortable.find({"address.zip": {"$exists": True}}, sort=[("address.zip", -1)])) == ["c", "b", "a"]


def test_find_sorts_strings_after_numbers(things):
    things.insert_many([{"_id": 1, "v": "b"}, {"_id": 2, "v": 3}, {"_id": 3, "v": "a"}, {"_id": 4, "v": 1.5}, {"_id": 5}])

    assert ordered_ids(things.find({}, sort=[("v", 1)])) == [5, 4, 2, 3, 1]


def test_skip_and_limit_page_through_a_sorted_result(sortable):
    assert ordered_ids(sortable.find({}, sort=[("name", 1)], skip=1, limit=2)) == ["b", "c"]
    assert ordered_ids(sortable.find({}, sort=[("name", 1)], skip=4, limit=2)) == ["e"]
    assert ordered_ids(sortable.find({}, sort=[("name", 1)], skip=5)) == []


def test_a_limit_of_zero_means_no_limit(applicants):
    assert len(list(applicants.find({}, limit=0))) == 5


def test_sort_skip_and_limit_chain_on_the_cursor(sortable):
    cursor = sortable.find({"age": {"$gte": 19}}).sort("age", -1).skip(1).limit(2)

    assert ordered_ids(cursor) == ["a", "b"]


def test_the_cursor_sorts_on_a_list_of_keys(sortable):
    assert ordered_ids(sortable.find().sort([("city", -1), ("age", 1)])) == ["d", "e", "b", "a", "c"]


def test_skip_and_limit_apply_after_a_filter_on_a_non_indexed_field(sortable):
    cursor = sortable.find({"name": {"$ne": "Bo"}}).sort("age", 1).skip(1).limit(2)

    assert ordered_ids(cursor) == ["d", "a"]


def test_a_cursor_is_an_iterator_that_is_consumed_once(applicants):
    cursor = applicants.find({}, sort=[("_id", 1)])

    assert next(cursor)["_id"] == "a"
    assert ordered_ids(cursor) == ["b", "c", "d", "e"]
    assert list(cursor) == []


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock lets it pass
def test_a_cursor_cannot_be_sorted_after_it_was_read(applicants):
    cursor = applicants.find({})
    next(cursor)

    with pytest.raises(InvalidOperation):
        cursor.sort("age", 1)


def test_find_one_returns_none_when_nothing_matches(applicants):
    assert applicants.find_one({"name": "Nobody"}) is None


def test_find_one_returns_the_first_document_in_sort_order(sortable):
    assert sortable.find_one({"city": "Hangzhou"}, sort=[("age", -1)])["_id"] == "c"
    assert sortable.find_one({}, sort=[("age", 1)])["_id"] == "e"


def test_count_documents_counts_the_matches(applicants):
    assert applicants.count_documents({}) == 5
    assert applicants.count_documents({"city": "Ningbo"}) == 2
    assert applicants.count_documents({"age": {"$gt": 100}}) == 0


@pytest.mark.parametrize("indexed", [False, True], ids=["unindexed", "indexed"])
def test_count_documents_applies_skip_and_limit(applicants, indexed):
    if indexed:
        applicants.create_index("city")

    assert applicants.count_documents({}, skip=1, limit=3) == 3
    assert applicants.count_documents({}, skip=4, limit=3) == 1
    assert applicants.count_documents({"city": {"$ne": "Wenzhou"}}, skip=1) == 3
    assert applicants.count_documents({"city": "Hangzhou"}, limit=1) == 1


def test_iterating_a_find_cursor_while_updating_the_documents_works(applicants):
    for document in applicants.find({"city": "Hangzhou"}):
        applicants.update_one({"_id": document["_id"]}, {"$set": {"seen": True}})

    assert ids(applicants.find({"seen": True})) == {"a", "c"}

"""Indexes: creation and names, unique constraints as DuplicateKeyError, and (embedded engine) the query plans."""

from __future__ import annotations

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from .results import ids


def _keys(info: dict, name: str) -> list:
    return [tuple(key) for key in info[name]["key"]]


# -- creation ---------------------------------------------------------------------------------


def test_create_index_on_one_field_is_named_after_it(things):
    assert things.create_index("email") == "email_1"
    assert _keys(things.index_information(), "email_1") == [("email", 1)]


def test_create_index_on_a_descending_field(things):
    assert things.create_index([("submitted_at", -1)]) == "submitted_at_-1"
    assert _keys(things.index_information(), "submitted_at_-1") == [("submitted_at", -1)]


def test_create_index_on_a_compound_key(things):
    name = things.create_index([("state", 1), ("profile.city", 1), ("submitted_at", -1)])

    assert name == "state_1_profile.city_1_submitted_at_-1"
    assert _keys(things.index_information(), name) == [("state", 1), ("profile.city", 1), ("submitted_at", -1)]


def test_create_index_with_a_name_uses_that_name(things):
    assert things.create_index([("phone", 1)], name="by_phone") == "by_phone"
    assert "by_phone" in things.index_information()


def test_create_index_twice_is_idempotent(things):
    things.insert_one({"_id": 1, "email": "a@example.cn"})

    first = things.create_index("email", unique=True)
    second = things.create_index("email", unique=True)

    assert first == second == "email_1"
    assert things.index_information()["email_1"].get("unique") is True
    assert things.find_one({"email": "a@example.cn"})["_id"] == 1


def test_an_index_on_existing_documents_answers_queries_on_them(things):
    things.insert_many([{"_id": i, "n": i % 7, "name": f"p{i}"} for i in range(50)])

    things.create_index("n")

    assert ids(things.find({"n": 3})) == {3, 10, 17, 24, 31, 38, 45}


def test_a_unique_index_on_existing_duplicates_cannot_be_created(things):
    things.insert_many([{"_id": 1, "email": "a@example.cn"}, {"_id": 2, "email": "a@example.cn"}])

    with pytest.raises(DuplicateKeyError):
        things.create_index("email", unique=True)


# -- unique constraints -----------------------------------------------------------------------


@pytest.fixture
def accounts(things):
    things.create_index("email", unique=True)
    things.insert_one({"_id": "u1", "email": "ann@example.cn", "name": "Ann"})
    return things


def test_inserting_a_duplicate_unique_value_raises_duplicate_key_error(accounts):
    with pytest.raises(DuplicateKeyError):
        accounts.insert_one({"_id": "u2", "email": "ann@example.cn"})

    assert ids(accounts.find()) == {"u1"}


def test_a_unique_value_that_differs_only_by_type_is_not_a_duplicate(accounts):
    accounts.insert_one({"_id": "u2", "email": 42})
    accounts.insert_one({"_id": "u3", "email": "42"})

    assert accounts.count_documents({}) == 3


def test_updating_to_a_duplicate_unique_value_raises_duplicate_key_error(accounts):
    accounts.insert_one({"_id": "u2", "email": "bo@example.cn"})

    with pytest.raises(DuplicateKeyError):
        accounts.update_one({"_id": "u2"}, {"$set": {"email": "ann@example.cn"}})

    assert accounts.find_one({"_id": "u2"})["email"] == "bo@example.cn"


def test_find_one_and_update_to_a_duplicate_unique_value_raises_duplicate_key_error(accounts):
    accounts.insert_one({"_id": "u2", "email": "bo@example.cn"})

    with pytest.raises(DuplicateKeyError):
        accounts.find_one_and_update({"_id": "u2"}, {"$set": {"email": "ann@example.cn"}}, return_document=ReturnDocument.AFTER)


def test_an_upsert_that_would_duplicate_a_unique_value_raises_duplicate_key_error(accounts):
    with pytest.raises(DuplicateKeyError):
        accounts.update_one({"name": "Someone else"}, {"$set": {"email": "ann@example.cn"}}, upsert=True)


def test_two_documents_both_missing_a_unique_field_are_duplicates(things):
    things.create_index("phone", unique=True)
    things.insert_one({"_id": "u1"})

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": "u2"})


def test_a_null_and_a_missing_unique_field_are_duplicates(things):
    things.create_index("phone", unique=True)
    things.insert_one({"_id": "u1", "phone": None})

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": "u2"})


def test_a_compound_unique_index_allows_a_repeated_value_in_one_of_its_fields(things):
    things.create_index([("kind", 1), ("number", 1)], unique=True)
    things.insert_many([{"_id": 1, "kind": "receipt", "number": 1}, {"_id": 2, "kind": "receipt", "number": 2}])
    things.insert_one({"_id": 3, "kind": "invoice", "number": 1})

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": 4, "kind": "receipt", "number": 2})


def test_a_unique_index_on_a_dotted_path_is_enforced(things):
    things.create_index("identity.number", unique=True)
    things.insert_one({"_id": 1, "identity": {"type": "id_card", "number": "330100199001011234"}})

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": 2, "identity": {"type": "passport", "number": "330100199001011234"}})


def test_duplicate_key_error_carries_code_11000(accounts):
    with pytest.raises(DuplicateKeyError) as raised:
        accounts.insert_one({"email": "ann@example.cn"})

    assert raised.value.code == 11000


# -- the embedded engine's limits and plans ---------------------------------------------------


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_indexing_a_path_that_holds_arrays_raises_not_implemented_error(things):
    things.insert_one({"_id": 1, "tags": ["a", "b"]})

    with pytest.raises(NotImplementedError, match="multikey"):
        things.create_index("tags")


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "document",
    [{"_id": 1, "tags": ["a"]}, {"_id": 1, "items": [{"sku": "A"}]}],
    ids=["array-at-the-path", "array-above-the-path"],
)
def test_writing_an_array_into_an_indexed_path_raises_not_implemented_error(things, document):
    things.create_index("tags")
    things.create_index("items.sku")

    with pytest.raises(NotImplementedError, match="multikey"):
        things.insert_one(document)
    things.insert_one({"_id": 2})
    with pytest.raises(NotImplementedError, match="multikey"):
        things.update_one({"_id": 2}, {"$set": {key: value for key, value in document.items() if key != "_id"}})
    assert things.find_one({"_id": 2}) == {"_id": 2}


@pytest.fixture
def planned(store):
    collection = store["planned"]
    collection.create_index("email", unique=True)
    collection.create_index("age")
    collection.create_index([("state", 1), ("submitted_at", -1)])
    collection.insert_many(
        [{"_id": i, "email": f"p{i}@example.cn", "age": 20 + i % 50, "state": "new", "note": "x"} for i in range(200)]
    )
    return collection


def _uses_an_index(plan: list[str]) -> bool:
    return any("USING INDEX" in line or "USING COVERING INDEX" in line for line in plan)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("filter", "sort"),
    [
        ({"email": "p7@example.cn"}, None),
        ({"email": {"$in": ["p1@example.cn", "p2@example.cn"]}}, None),
        ({"age": {"$gte": 30, "$lt": 40}}, None),
        ({"age": {"$gt": 60}}, None),
        ({"state": "new"}, [("submitted_at", -1)]),
        ({}, [("age", 1)]),
        ({}, [("email", -1)]),
        ({"age": 30, "note": "x"}, None),
    ],
    ids=["equality", "in", "range", "open-range", "equality-and-sort", "sort", "descending-sort", "indexed-plus-residual"],
)
def test_explain_shows_an_index_is_used_for_indexed_paths(planned, filter, sort):
    assert _uses_an_index(planned.explain_query_plan(filter, sort))


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("filter", "sort"),
    [({"note": "x"}, None), ({"note": {"$in": ["x", "y"]}}, None), ({}, [("note", 1)])],
    ids=["equality", "in", "sort"],
)
def test_explain_shows_a_scan_for_a_non_indexed_field(planned, filter, sort):
    plan = planned.explain_query_plan(filter, sort)

    assert any(line.startswith("SCAN") for line in plan)
    assert not _uses_an_index(plan)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_explain_shows_the_primary_key_is_used_for_the_id(planned):
    plan = planned.explain_query_plan({"_id": 5})

    assert any("INDEX" in line and "SCAN" not in line for line in plan)

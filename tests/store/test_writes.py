"""Writes: inserts, update operators, upserts, find_one_and_update and deletes."""

from __future__ import annotations

import pytest
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

from .results import ids, ordered_ids

# -- inserts ----------------------------------------------------------------------------------


def test_insert_one_stores_the_document_and_returns_its_id(things):
    result = things.insert_one({"_id": "r1", "name": "Ann"})

    assert result.inserted_id == "r1"
    assert things.find_one({"_id": "r1"}) == {"_id": "r1", "name": "Ann"}


def test_insert_one_without_an_id_gives_the_document_one(things):
    document = {"name": "Ann"}

    result = things.insert_one(document)

    assert document["_id"] == result.inserted_id
    assert things.find_one({"_id": result.inserted_id})["name"] == "Ann"


def test_insert_one_keeps_nested_documents_arrays_and_value_types(things):
    document = {"_id": "r1", "n": 1, "x": 1.5, "ok": True, "no": None, "tags": ["a", 2], "sub": {"deep": {"s": "中文"}}}

    things.insert_one(dict(document))

    assert things.find_one({"_id": "r1"}) == document


def test_insert_one_with_an_existing_id_raises_duplicate_key_error(things):
    things.insert_one({"_id": "r1"})

    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": "r1", "other": True})
    assert things.count_documents({}) == 1


def test_insert_many_stores_every_document_and_returns_their_ids(things):
    result = things.insert_many([{"_id": "r1"}, {"_id": "r2"}, {"name": "no id"}])

    assert result.inserted_ids[:2] == ["r1", "r2"]
    assert len(result.inserted_ids) == 3
    assert things.count_documents({}) == 3


def test_an_ordered_insert_many_stops_at_a_duplicate_and_keeps_the_earlier_documents(things):
    things.insert_one({"_id": "r2"})

    with pytest.raises(BulkWriteError) as raised:
        things.insert_many([{"_id": "r1"}, {"_id": "r2"}, {"_id": "r3"}], ordered=True)

    assert raised.value.details["nInserted"] == 1
    assert raised.value.details["writeErrors"][0]["index"] == 1
    assert raised.value.details["writeErrors"][0]["code"] == 11000
    assert ids(things.find()) == {"r1", "r2"}


def test_an_ordered_insert_many_stops_at_a_duplicate_inside_the_batch(things):
    with pytest.raises(BulkWriteError):
        things.insert_many([{"_id": "r1"}, {"_id": "r2"}, {"_id": "r1"}, {"_id": "r4"}])

    assert ids(things.find()) == {"r1", "r2"}


# -- update operators -------------------------------------------------------------------------


@pytest.fixture
def record(things):
    things.insert_one({"_id": "r1", "name": "Ann", "count": 1, "tags": ["a"], "profile": {"city": "Hangzhou"}, "flag": True})
    return things


def test_update_one_with_set_replaces_a_field(record):
    result = record.update_one({"_id": "r1"}, {"$set": {"name": "Bo"}})

    assert (result.matched_count, result.modified_count) == (1, 1)
    assert record.find_one({"_id": "r1"})["name"] == "Bo"


def test_update_one_with_set_on_a_dotted_path_changes_only_that_field(record):
    record.update_one({"_id": "r1"}, {"$set": {"profile.zip": "310000"}})

    assert record.find_one({"_id": "r1"})["profile"] == {"city": "Hangzhou", "zip": "310000"}


def test_update_one_with_set_on_a_dotted_path_creates_missing_subdocuments(record):
    record.update_one({"_id": "r1"}, {"$set": {"geo.point.lat": 30.25}})

    assert record.find_one({"_id": "r1"})["geo"] == {"point": {"lat": 30.25}}


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock compares with ==, where True == 1
def test_update_one_with_set_replaces_true_by_1_because_they_are_different_values(record):
    result = record.update_one({"_id": "r1"}, {"$set": {"flag": 1}})

    assert result.modified_count == 1
    assert record.find_one({"flag": 1})["_id"] == "r1"
    assert record.find_one({"flag": True}) is None


def test_update_one_that_changes_nothing_reports_no_modification(record):
    result = record.update_one({"_id": "r1"}, {"$set": {"name": "Ann"}})

    assert (result.matched_count, result.modified_count) == (1, 0)


def test_update_one_with_unset_removes_fields_including_dotted_ones(record):
    record.update_one({"_id": "r1"}, {"$unset": {"name": "", "profile.city": "", "not_there": ""}})

    assert record.find_one({"_id": "r1"}) == {"_id": "r1", "count": 1, "tags": ["a"], "profile": {}, "flag": True}


def test_update_one_with_inc_adds_to_a_number(record):
    record.update_one({"_id": "r1"}, {"$inc": {"count": 2}})
    record.update_one({"_id": "r1"}, {"$inc": {"count": -5}})

    assert record.find_one({"_id": "r1"})["count"] == -2


def test_update_one_with_inc_on_a_missing_field_starts_from_zero(record):
    record.update_one({"_id": "r1"}, {"$inc": {"visits": 3, "stats.views": 1}})

    found = record.find_one({"_id": "r1"})
    assert (found["visits"], found["stats"]) == (3, {"views": 1})


def test_update_one_with_inc_keeps_floats(record):
    record.update_one({"_id": "r1"}, {"$inc": {"count": 0.5}})

    assert record.find_one({"_id": "r1"})["count"] == 1.5


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock raises TypeError here
def test_update_one_with_inc_on_a_non_numeric_field_raises_write_error(record):
    with pytest.raises(WriteError):
        record.update_one({"_id": "r1"}, {"$inc": {"name": 1}})

    assert record.find_one({"_id": "r1"})["name"] == "Ann"


def test_update_one_with_push_appends_to_an_array(record):
    record.update_one({"_id": "r1"}, {"$push": {"tags": "b"}})
    record.update_one({"_id": "r1"}, {"$push": {"tags": "b"}})

    assert record.find_one({"_id": "r1"})["tags"] == ["a", "b", "b"]


def test_update_one_with_push_each_appends_every_value(record):
    record.update_one({"_id": "r1"}, {"$push": {"tags": {"$each": ["b", "c"]}}})

    assert record.find_one({"_id": "r1"})["tags"] == ["a", "b", "c"]


def test_update_one_with_push_creates_a_missing_array(record):
    record.update_one({"_id": "r1"}, {"$push": {"history": {"state": "submitted", "at": "2024-05-01T08:00:00Z"}}})

    assert record.find_one({"_id": "r1"})["history"] == [{"state": "submitted", "at": "2024-05-01T08:00:00Z"}]


def test_update_one_with_add_to_set_skips_values_already_present(record):
    unchanged = record.update_one({"_id": "r1"}, {"$addToSet": {"tags": "a"}})
    record.update_one({"_id": "r1"}, {"$addToSet": {"tags": "b"}})
    record.update_one({"_id": "r1"}, {"$addToSet": {"tags": {"$each": ["b", "c"]}}})

    assert unchanged.modified_count == 0
    assert record.find_one({"_id": "r1"})["tags"] == ["a", "b", "c"]


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock adds both copies
def test_update_one_with_add_to_set_each_adds_a_repeated_value_once(record):
    record.update_one({"_id": "r1"}, {"$addToSet": {"tags": {"$each": ["c", "c"]}}})

    assert record.find_one({"_id": "r1"})["tags"] == ["a", "c"]


def test_update_one_with_set_on_insert_leaves_an_existing_document_alone(record):
    result = record.update_one({"_id": "r1"}, {"$setOnInsert": {"name": "Other"}, "$set": {"count": 9}}, upsert=True)

    assert result.upserted_id is None
    found = record.find_one({"_id": "r1"})
    assert (found["name"], found["count"]) == ("Ann", 9)


def test_update_one_changes_only_the_first_match(things):
    things.insert_many([{"_id": 1, "state": "new"}, {"_id": 2, "state": "new"}])

    result = things.update_one({"state": "new"}, {"$set": {"state": "seen"}})

    assert (result.matched_count, result.modified_count) == (1, 1)
    assert things.count_documents({"state": "seen"}) == 1


def test_update_many_changes_every_match(things):
    things.insert_many([{"_id": 1, "state": "new"}, {"_id": 2, "state": "new"}, {"_id": 3, "state": "done"}])

    result = things.update_many({"state": "new"}, {"$set": {"state": "seen"}, "$inc": {"version": 1}})

    assert (result.matched_count, result.modified_count) == (2, 2)
    assert ids(things.find({"state": "seen", "version": 1})) == {1, 2}


def test_update_with_no_match_and_no_upsert_changes_nothing(things):
    result = things.update_many({"state": "new"}, {"$set": {"state": "seen"}})

    assert (result.matched_count, result.modified_count, result.upserted_id) == (0, 0, None)
    assert things.count_documents({}) == 0


def test_update_one_that_sets_the_id_to_another_value_raises_write_error(record):
    with pytest.raises(WriteError):
        record.update_one({"_id": "r1"}, {"$set": {"_id": "r2"}})


def test_update_one_that_sets_the_id_to_its_own_value_is_allowed(record):
    record.update_one({"_id": "r1"}, {"$set": {"_id": "r1", "name": "Bo"}})

    assert record.find_one({"_id": "r1"})["name"] == "Bo"


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock applies both operators
@pytest.mark.parametrize(
    "update",
    [
        {"$set": {"count": 5}, "$inc": {"count": 1}},
        {"$set": {"profile": {}}, "$unset": {"profile.city": ""}},
        {"$unset": {"profile.city": ""}, "$set": {"profile-x": 1, "profile": {}}},
    ],
    ids=["same-path", "parent-and-child", "child-and-parent"],
)
def test_an_update_that_touches_one_path_twice_raises_write_error(record, update):
    with pytest.raises(WriteError):
        record.update_one({"_id": "r1"}, update)

    assert record.find_one({"_id": "r1"})["count"] == 1


def test_a_conditional_update_on_state_and_version_applies_once(things):
    things.insert_one({"_id": "app1", "state": "submitted", "version": 1})
    change = {"$set": {"state": "accepted"}, "$inc": {"version": 1}}

    first = things.update_one({"_id": "app1", "state": "submitted", "version": 1}, change)
    second = things.update_one({"_id": "app1", "state": "submitted", "version": 1}, change)

    assert (first.modified_count, second.matched_count) == (1, 0)
    assert things.find_one({"_id": "app1"}) == {"_id": "app1", "state": "accepted", "version": 2}


# -- upserts ----------------------------------------------------------------------------------


def test_update_one_with_upsert_inserts_the_filter_equalities(things):
    result = things.update_one(
        {"email": "ann@example.cn", "kind": {"$eq": "citizen"}, "age": {"$gt": 18}},
        {"$set": {"name": "Ann"}, "$setOnInsert": {"created_at": "2024-05-01T08:00:00Z"}},
        upsert=True,
    )

    assert result.upserted_id is not None
    assert result.matched_count == 0
    found = things.find_one({"_id": result.upserted_id})
    assert found == {
        "_id": result.upserted_id,
        "email": "ann@example.cn",
        "kind": "citizen",
        "name": "Ann",
        "created_at": "2024-05-01T08:00:00Z",
    }


def test_update_one_with_upsert_seeds_dotted_equalities_as_subdocuments(things):
    result = things.update_one({"profile.phone": "13800000000"}, {"$inc": {"logins": 1}}, upsert=True)

    found = things.find_one({"_id": result.upserted_id})
    assert (found["profile"], found["logins"]) == ({"phone": "13800000000"}, 1)


@pytest.mark.parametrize("store", ["sqlite", "mongodb"], indirect=True)  # mongomock ignores $and when seeding
def test_update_one_with_upsert_seeds_equalities_inside_and(things):
    result = things.update_one({"$and": [{"a": 1}, {"b": "x"}]}, {"$set": {"c": True}}, upsert=True)

    found = things.find_one({"_id": result.upserted_id})
    assert (found["a"], found["b"], found["c"]) == (1, "x", True)


def test_update_one_with_upsert_uses_the_id_from_the_filter(things):
    result = things.update_one({"_id": "day-2024-05-01"}, {"$inc": {"n": 1}}, upsert=True)
    again = things.update_one({"_id": "day-2024-05-01"}, {"$inc": {"n": 1}}, upsert=True)

    assert result.upserted_id == "day-2024-05-01"
    assert (again.upserted_id, again.matched_count) == (None, 1)
    assert things.find_one({"_id": "day-2024-05-01"}) == {"_id": "day-2024-05-01", "n": 2}


def test_update_many_with_upsert_inserts_one_document_when_nothing_matches(things):
    result = things.update_many({"kind": "counter"}, {"$set": {"n": 0}}, upsert=True)

    assert result.upserted_id is not None
    assert things.count_documents({"kind": "counter", "n": 0}) == 1


# -- find_one_and_update ----------------------------------------------------------------------


@pytest.fixture
def queue(things):
    things.insert_many(
        [
            {"_id": "j1", "state": "pending", "priority": 2, "attempts": 0},
            {"_id": "j2", "state": "pending", "priority": 5, "attempts": 0},
            {"_id": "j3", "state": "done", "priority": 9, "attempts": 1},
        ]
    )
    return things


def test_find_one_and_update_returns_the_document_before_the_update_by_default(queue):
    before = queue.find_one_and_update({"_id": "j1"}, {"$inc": {"attempts": 1}})

    assert before["attempts"] == 0
    assert queue.find_one({"_id": "j1"})["attempts"] == 1


def test_find_one_and_update_returns_the_document_before_the_update_when_asked(queue):
    before = queue.find_one_and_update({"_id": "j1"}, {"$set": {"state": "running"}}, return_document=ReturnDocument.BEFORE)

    assert before["state"] == "pending"


def test_find_one_and_update_returns_the_document_after_the_update_when_asked(queue):
    after = queue.find_one_and_update({"_id": "j1"}, {"$set": {"state": "running"}}, return_document=ReturnDocument.AFTER)

    assert after == {"_id": "j1", "state": "running", "priority": 2, "attempts": 0}


def test_find_one_and_update_before_returns_nested_values_as_they_were(things):
    things.insert_one({"_id": "n", "history": [{"at": 1}], "profile": {"tags": ["a"], "city": "Ningbo"}})

    before = things.find_one_and_update(
        {"_id": "n"}, {"$push": {"history": {"at": 2}, "profile.tags": "b"}, "$set": {"profile.city": "Hangzhou"}}
    )

    assert before == {"_id": "n", "history": [{"at": 1}], "profile": {"tags": ["a"], "city": "Ningbo"}}
    assert things.find_one({"_id": "n"}) == {
        "_id": "n",
        "history": [{"at": 1}, {"at": 2}],
        "profile": {"tags": ["a", "b"], "city": "Hangzhou"},
    }


def test_a_value_set_by_an_update_is_not_shared_with_the_caller(things):
    things.insert_one({"_id": "s"})
    value = {"items": [1]}

    after = things.find_one_and_update({"_id": "s"}, {"$set": {"v": value}}, return_document=ReturnDocument.AFTER)
    things.update_one({"_id": "s"}, {"$set": {"w": value}})
    value["items"].append(2)

    assert after == {"_id": "s", "v": {"items": [1]}}
    assert things.find_one({"_id": "s"}) == {"_id": "s", "v": {"items": [1]}, "w": {"items": [1]}}


def test_find_one_and_update_picks_the_first_document_in_sort_order(queue):
    claimed = queue.find_one_and_update(
        {"state": "pending"}, {"$set": {"state": "running"}}, sort=[("priority", -1)], return_document=ReturnDocument.AFTER
    )

    assert claimed["_id"] == "j2"
    assert ordered_ids(queue.find({"state": "pending"})) == ["j1"]


def test_find_one_and_update_applies_the_projection(queue):
    after = queue.find_one_and_update(
        {"_id": "j1"}, {"$inc": {"attempts": 1}}, projection={"attempts": 1, "_id": 0}, return_document=ReturnDocument.AFTER
    )

    assert after == {"attempts": 1}


def test_find_one_and_update_returns_none_when_nothing_matches(queue):
    assert queue.find_one_and_update({"state": "lost"}, {"$set": {"state": "found"}}) is None
    assert queue.count_documents({"state": "found"}) == 0


def test_find_one_and_update_with_upsert_inserts_and_returns_the_new_document(things):
    after = things.find_one_and_update(
        {"_id": "seq-receipts"}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )

    assert after == {"_id": "seq-receipts", "n": 1}


def test_find_one_and_update_with_upsert_returns_none_for_before_but_still_inserts(things):
    before = things.find_one_and_update({"email": "bo@example.cn"}, {"$set": {"name": "Bo"}}, upsert=True)

    assert before is None
    found = things.find_one({"email": "bo@example.cn"})
    assert found["name"] == "Bo"


# -- deletes ----------------------------------------------------------------------------------


def test_delete_one_deletes_a_single_match(queue):
    result = queue.delete_one({"state": "pending"})

    assert result.deleted_count == 1
    assert queue.count_documents({"state": "pending"}) == 1


def test_delete_many_deletes_every_match(queue):
    result = queue.delete_many({"state": "pending"})

    assert result.deleted_count == 2
    assert ids(queue.find()) == {"j3"}


def test_delete_with_a_filter_on_a_non_indexed_range_deletes_only_matches(queue):
    result = queue.delete_many({"priority": {"$gte": 5}})

    assert result.deleted_count == 2
    assert ids(queue.find()) == {"j1"}


def test_delete_with_no_match_deletes_nothing(queue):
    assert queue.delete_one({"state": "lost"}).deleted_count == 0
    assert queue.delete_many({"state": "lost"}).deleted_count == 0
    assert queue.count_documents({}) == 3


def test_delete_many_with_an_empty_filter_empties_the_collection(queue):
    assert queue.delete_many({}).deleted_count == 3
    assert queue.find_one() is None

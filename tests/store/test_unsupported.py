"""Outside the subset: the embedded engine refuses clearly, naming the operator, before touching data.

MongoDB supports all of these, so these tests run on the embedded engine only.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture
def record(things):
    things.insert_one({"_id": "r1", "name": "Ann", "tags": ["a", "b"], "items": [{"sku": "A", "qty": 1}]})
    return things


@pytest.mark.parametrize(
    ("operator", "filter"),
    [
        ("$regex", {"name": {"$regex": "^A"}}),
        ("$where", {"$where": "this.name == 'Ann'"}),
        ("$elemMatch", {"items": {"$elemMatch": {"sku": "A", "qty": {"$gt": 0}}}}),
        ("$not", {"name": {"$not": {"$eq": "Bo"}}}),
        ("$nor", {"$nor": [{"name": "Bo"}]}),
        ("$size", {"tags": {"$size": 2}}),
        ("$type", {"name": {"$type": "string"}}),
        ("$expr", {"$expr": {"$eq": ["$name", "Ann"]}}),
        ("$text", {"$text": {"$search": "Ann"}}),
        ("$all", {"tags": {"$all": ["a", "b"]}}),
    ],
)
def test_an_unsupported_filter_operator_raises_not_implemented_error_naming_it(record, operator, filter):
    for call in (
        lambda: record.find(filter),
        lambda: record.find_one(filter),
        lambda: record.count_documents(filter),
        lambda: record.update_one(filter, {"$set": {"x": 1}}),
        lambda: record.find_one_and_update(filter, {"$set": {"x": 1}}),
        lambda: record.delete_many(filter),
    ):
        with pytest.raises(NotImplementedError, match=re.escape(operator)):
            call()
    assert record.find_one({"_id": "r1"}) == {"_id": "r1", "name": "Ann", "tags": ["a", "b"], "items": [{"sku": "A", "qty": 1}]}


@pytest.mark.parametrize(
    ("operator", "update"),
    [
        ("$pull", {"$pull": {"tags": "a"}}),
        ("$rename", {"$rename": {"name": "full_name"}}),
        ("$pop", {"$pop": {"tags": 1}}),
        ("$mul", {"$mul": {"n": 2}}),
        ("$min", {"$min": {"n": 0}}),
        ("$currentDate", {"$currentDate": {"updated_at": True}}),
        ("$slice", {"$push": {"tags": {"$each": ["c"], "$slice": -2}}}),
    ],
)
def test_an_unsupported_update_operator_raises_not_implemented_error_naming_it(record, operator, update):
    for call in (
        lambda: record.update_one({"_id": "r1"}, update),
        lambda: record.update_many({}, update),
        lambda: record.find_one_and_update({"_id": "r1"}, update),
    ):
        with pytest.raises(NotImplementedError, match=re.escape(operator)):
            call()
    assert record.find_one({"_id": "r1"})["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("operator", "pipeline"),
    [
        ("$group", [{"$group": {"_id": "$name", "n": {"$sum": 1}}}]),
        ("$match", [{"$match": {"name": "Ann"}}, {"$count": "n"}]),
        ("$lookup", [{"$lookup": {"from": "other", "localField": "a", "foreignField": "b", "as": "c"}}]),
    ],
)
def test_aggregation_raises_not_implemented_error_naming_the_stage(record, operator, pipeline):
    with pytest.raises(NotImplementedError, match=re.escape(operator)):
        record.aggregate(pipeline)


def test_an_operator_projection_raises_not_implemented_error_naming_it(record):
    with pytest.raises(NotImplementedError, match=re.escape("$slice")):
        record.find_one({"_id": "r1"}, {"tags": {"$slice": 1}})

"""`flask migrate-embedded-to-mongo`: every collection copied to MongoDB (mongomock here) with the
indexes of api/store/indexes.py, verified by counts and checksums; a non-empty target refused."""

from __future__ import annotations

import mongomock
import pytest

from api.store import MongoStore, SQLiteStore
from api.store.indexes import INDEXES
from api.store.migrate import MigrationError, migrate, verify

DOCUMENTS = {
    "applications": [
        {"_id": "app_1", "number": "YC1", "applicant_id": "acc_1", "acting_for": None, "created_at": "2026-01-02T08:00:00.000Z",
         "form": {"shop.name": "湘味小馆", "shop.area_sqm": 120.5, "shop.lighting": True}, "items": ["a", "b"]},
        {"_id": "app_2", "number": "YC2", "applicant_id": "acc_2", "acting_for": "91430211MA0000101Y",
         "created_at": "2026-01-03T08:00:00.000Z"},
    ],
    "accounts": [{"_id": f"acc_{i}", "phone_bi": f"bi{i}", "roles": ["citizen"], "acr": 2, "version": i} for i in range(2500)],
    "counters": [{"_id": 7, "value": 3}],
}  # fmt: skip


@pytest.fixture
def source(tmp_path):
    store = SQLiteStore(str(tmp_path / "embedded.sqlite3"))
    for name, documents in DOCUMENTS.items():
        store[name].insert_many([dict(d) for d in documents])
    yield store
    store.close()


@pytest.fixture
def target():
    return MongoStore(mongomock.MongoClient(), "onetrip")


def test_every_collection_is_copied_with_equal_counts_and_checksums(source, target):
    report = migrate(source, target)

    assert set(report) == set(DOCUMENTS)
    assert all(line["ok"] for line in report.values())
    assert report["accounts"]["target_count"] == 2500
    assert target["applications"].find_one({"_id": "app_1"}) == DOCUMENTS["applications"][0]
    assert target["counters"].find_one({"_id": 7}) == {"_id": 7, "value": 3}


def test_the_declared_indexes_are_created_on_the_target(source, target):
    migrate(source, target)

    for collection, keys, options in INDEXES:
        info = target[collection].index_information()
        assert any(list(spec["key"]) == keys and spec.get("unique", False) == options.get("unique", False)
                   for spec in info.values()), (collection, keys)  # fmt: skip


def test_a_target_holding_documents_is_refused_and_left_alone(source, target):
    target["accounts"].insert_one({"_id": "someone_else"})

    with pytest.raises(MigrationError, match="accounts"):
        migrate(source, target)

    assert [d["_id"] for d in target["accounts"].find({})] == ["someone_else"]
    assert target["applications"].count_documents({}) == 0


def test_with_force_the_target_is_replaced_and_running_it_again_gives_the_same_copy(source, target):
    target["accounts"].insert_one({"_id": "someone_else"})

    first = migrate(source, target, force=True)
    second = migrate(source, target, force=True)

    assert first == second and all(line["ok"] for line in second.values())
    assert target["accounts"].find_one({"_id": "someone_else"}) is None


def test_a_document_changed_on_the_target_is_reported_as_a_checksum_mismatch(source, target):
    migrate(source, target)
    target["applications"].update_one({"_id": "app_2"}, {"$set": {"acting_for": None}})

    report = verify(source, target)

    assert report["applications"]["ok"] is False
    assert report["applications"]["source_count"] == report["applications"]["target_count"] == 2
    assert report["applications"]["source_checksum"] != report["applications"]["target_checksum"]
    assert report["accounts"]["ok"] and report["counters"]["ok"]


class LosingTarget(MongoStore):
    """A target that silently loses the last document of every batch."""

    def __getitem__(self, name):
        collection = super().__getitem__(name)
        original = collection.insert_many

        def insert_many(documents, **kwargs):
            return original(documents[:-1], **kwargs) if len(documents) > 1 else original(documents, **kwargs)

        collection.insert_many = insert_many
        return collection


def test_a_copy_that_loses_documents_fails_with_the_collections_named(source):
    with pytest.raises(MigrationError, match="accounts") as failure:
        migrate(source, LosingTarget(mongomock.MongoClient(), "onetrip"))

    accounts = failure.value.report["accounts"]
    assert accounts["ok"] is False and accounts["source_count"] == 2500 and accounts["target_count"] < 2500


def test_the_command_copies_the_app_database_and_prints_the_verification(app):
    app.extensions["store"]["things"].insert_one({"_id": "t1", "name": "张三"})

    result = app.test_cli_runner().invoke(args=["migrate-embedded-to-mongo", "--to", "mongomock://"])

    assert result.exit_code == 0, result.output
    assert "things: 1 -> 1 documents" in result.output and "counts and checksums match" in result.output

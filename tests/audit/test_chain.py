"""The hash chain on both engines: appends link up, and verify finds the first tampered, missing or cut entry."""

from __future__ import annotations

from api.audit import AUDIT_HEAD, AUDIT_LOG, append, canonical, entry_hash, verify
from api.audit.chain import GENESIS_HASH

from .conftest import append_entries, entries


def test_entries_are_numbered_from_one_and_each_stores_the_previous_hash(engine_store):
    append_entries(engine_store, 3)

    stored = entries(engine_store)
    assert [e["seq"] for e in stored] == [1, 2, 3]
    assert stored[0]["prev_hash"] == GENESIS_HASH
    assert stored[1]["prev_hash"] == stored[0]["hash"]
    assert stored[2]["prev_hash"] == stored[1]["hash"]
    assert all(e["hash"] == entry_hash(e) for e in stored)


def test_the_hash_covers_the_canonical_json_of_every_field_but_the_hash(engine_store):
    entry = append(
        engine_store, actor_id="a1", actor_role="admin", action="x", subject_type="t", subject_id="s", detail={"b": 1, "a": "名"}
    )

    text = canonical(entry).decode("utf-8")
    assert '"hash"' not in text
    assert text.startswith('{"_id":') and '"detail":{"a":"名","b":1}' in text
    assert entry_hash({**entry, "extra": 1}) != entry["hash"]


def test_an_intact_chain_verifies_with_its_count(engine_store):
    append_entries(engine_store, 5)

    result = verify(engine_store)

    assert result.ok and result.count == 5


def test_an_empty_log_verifies(engine_store):
    assert verify(engine_store).ok and verify(engine_store).count == 0


def test_a_detail_changed_directly_in_the_store_is_reported_at_that_seq(engine_store):
    append_entries(engine_store, 6)
    engine_store[AUDIT_LOG].update_one({"seq": 4}, {"$set": {"detail.n": 99}})

    result = verify(engine_store)

    assert not result.ok
    assert (result.broken.seq, result.broken.reason, result.count) == (4, "hash", 3)
    assert result.broken.stored == entries(engine_store, seq=4)[0]["hash"]


def test_an_actor_changed_and_rehashed_is_still_caught_by_the_next_link(engine_store):
    append_entries(engine_store, 5)
    forged = {**entries(engine_store, seq=2)[0], "actor_id": "someone-else"}
    engine_store[AUDIT_LOG].update_one({"seq": 2}, {"$set": {"actor_id": "someone-else", "hash": entry_hash(forged)}})

    result = verify(engine_store)

    assert (result.broken.seq, result.broken.reason) == (3, "prev_hash")


def test_a_deleted_entry_is_reported_as_a_gap(engine_store):
    append_entries(engine_store, 5)
    engine_store[AUDIT_LOG].delete_one({"seq": 3})

    result = verify(engine_store)

    assert (result.broken.seq, result.broken.reason, result.count) == (3, "gap", 2)
    assert "gap" in result.broken.describe()


def test_deleting_the_last_entries_is_caught_by_the_head(engine_store):
    append_entries(engine_store, 4)
    engine_store[AUDIT_LOG].delete_many({"seq": {"$gte": 3}})

    result = verify(engine_store)

    assert (result.broken.seq, result.broken.reason) == (3, "head")


def test_appending_after_a_deleted_tail_does_not_hide_it(engine_store):
    append_entries(engine_store, 3)
    engine_store[AUDIT_LOG].delete_one({"seq": 3})
    append_entries(engine_store, 1)

    result = verify(engine_store)

    assert (result.broken.seq, result.broken.reason) == (3, "gap")


def test_an_append_inside_a_rolled_back_transaction_leaves_no_entry_and_no_gap(tmp_path):
    from api.store import SQLiteStore, ensure_indexes

    store = SQLiteStore(str(tmp_path / "t.sqlite3"))
    ensure_indexes(store, ("audit_log",))
    append_entries(store, 1)
    try:
        with store.transaction() as session:
            append(store, actor_id="a", actor_role="clerk", action="x", subject_type="t", subject_id="s", session=session)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    append_entries(store, 1)

    assert [e["seq"] for e in entries(store)] == [1, 2]
    assert verify(store).ok
    assert store[AUDIT_HEAD].find_one({"_id": "head"})["seq"] == 2


def test_a_deleted_head_is_reported_and_the_next_append_carries_on_from_the_last_entry(engine_store):
    append_entries(engine_store, 3)
    engine_store[AUDIT_HEAD].delete_one({"_id": "head"})

    reported = verify(engine_store)
    appended = append_entries(engine_store, 1)[0]

    assert (reported.broken.seq, reported.broken.reason) == (3, "head")
    assert appended["seq"] == 4 and appended["prev_hash"] == entries(engine_store, seq=3)[0]["hash"]
    assert verify(engine_store).ok


def test_pending_entries_written_inside_a_mongodb_transaction_are_chained_once_in_order(monkeypatch, tmp_path):
    """On MongoDB a state change's entry is written as pending in its transaction (no hot head document)
    and chained by the next own append, a search or verify; mongomock has no sessions, so the routing
    decision is forced here."""
    from api.audit import chain
    from api.store import ensure_indexes
    from tests.store.conftest import close_engine, open_engine

    store = open_engine("mongomock", tmp_path)
    ensure_indexes(store, ("audit_log",))
    monkeypatch.setattr(chain, "_defers", lambda store, session: True)
    first = append(store, actor_id="c1", actor_role="clerk", action="application.accept", subject_type="a", subject_id="1")
    second = append(store, actor_id="c2", actor_role="clerk", action="application.accept", subject_type="a", subject_id="2")
    monkeypatch.setattr(chain, "_defers", lambda store, session: False)

    assert store[AUDIT_LOG].count_documents({}) == 0 and store["audit_pending"].count_documents({}) == 2
    append(store, actor_id="a1", actor_role="admin", action="x", subject_type="t", subject_id="s")  # drains first

    stored = entries(store)
    assert [(e["seq"], e["actor_id"], e["at"]) for e in stored[:2]] == [(1, "c1", first["at"]), (2, "c2", second["at"])]
    assert stored[2]["actor_id"] == "a1" and store["audit_pending"].count_documents({}) == 0
    assert chain.drain_pending(store) == 0 and verify(store).ok and verify(store).count == 3
    close_engine(store)


def test_a_pending_entry_another_drainer_took_is_not_chained_twice(engine_store, monkeypatch):
    from api.audit import chain

    if engine_store.engine != "mongodb":
        assert chain.drain_pending(engine_store) == 0  # the embedded engine never defers
        return
    pending = {"_id": "aup_1", "at": "2026-05-04T02:00:00.000Z", "actor_id": "c", "actor_role": "clerk", "action": "x",
               "subject_type": "t", "subject_id": "s", "detail": {}}  # fmt: skip
    engine_store["audit_pending"].insert_one(pending)
    taken = chain._append_fields(engine_store, {"actor_id": "c"}, False, None, "aup_1")
    again = chain._append_fields(engine_store, {"actor_id": "c"}, False, None, "aup_1")

    assert taken is not None and again is None and engine_store[AUDIT_LOG].count_documents({}) == 1

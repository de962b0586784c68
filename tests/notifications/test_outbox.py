"""The outbox: one message per idempotency key, written in the caller's transaction."""

import json
import threading
from datetime import timedelta

import pytest

from api.errors import Conflict
from auth.crypto import cipher_for_store
from notifications.outbox import OUTBOX, QUEUED, enqueue, latest_to_phone, normalize_recipient

from .conftest import T0, open_sqlite, sample_data


def submitted(store, key="application.submitted:app-1", **options):
    return enqueue(store, "application.submitted", {"account_id": "acc-1"}, sample_data("application.submitted"), key, **options)


def test_enqueue_writes_a_queued_message_due_now_with_a_channel_per_way_to_reach_the_recipient(engine_store):
    message = enqueue(
        engine_store,
        "application.accepted",
        {"account_id": "acc-1", "phone": "13800138000"},
        sample_data("application.accepted"),
        "application.accepted:app-1",
        now=T0,
    )
    stored = engine_store[OUTBOX].find_one({"_id": message["_id"]})
    assert stored["state"] == QUEUED and stored["due_at"] == "2026-05-04T02:00:00.000Z"
    assert set(stored["channels"]) == {"inbox", "webpush", "sms"}
    assert all(channel == {"state": "pending", "attempts": 0} for channel in stored["channels"].values())


def test_the_same_idempotency_key_never_produces_a_second_message(engine_store):
    first = submitted(engine_store)
    again = submitted(engine_store)
    assert again["_id"] == first["_id"]
    assert engine_store[OUTBOX].count_documents({}) == 1


def test_different_keys_produce_different_messages(engine_store):
    submitted(engine_store, key="a")
    submitted(engine_store, key="b")
    assert engine_store[OUTBOX].count_documents({}) == 2


def test_concurrent_enqueues_with_one_key_store_exactly_one_message(tmp_path):
    stores = [open_sqlite(tmp_path) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    ids, errors = [], []

    def producer(store):
        barrier.wait()
        try:
            ids.append(submitted(store, key="payment.received:order-1")["_id"])
        except Exception as exc:  # any error fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=producer, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
    assert stores[0][OUTBOX].count_documents({}) == 1


def test_a_key_reused_for_another_event_is_a_conflict(engine_store):
    submitted(engine_store, key="k")
    with pytest.raises(Conflict):
        enqueue(engine_store, "application.approved", "acc-1", sample_data("application.approved"), "k")


def test_the_message_is_written_in_the_callers_transaction_and_rolls_back_with_it(sqlite_store):
    sqlite_store["applications"].count_documents({})  # create the table outside the transaction (see the report)
    with pytest.raises(RuntimeError), sqlite_store.transaction() as session:
        sqlite_store["applications"].insert_one({"_id": "app-1", "state": "submitted"})
        submitted(sqlite_store, session=session)
        raise RuntimeError("the change failed after the enqueue")
    assert sqlite_store[OUTBOX].count_documents({}) == 0
    assert sqlite_store["applications"].count_documents({}) == 0


def test_the_message_commits_together_with_the_change(sqlite_store):
    with sqlite_store.transaction() as session:
        sqlite_store["applications"].insert_one({"_id": "app-1", "state": "submitted"})
        submitted(sqlite_store, session=session)
    assert sqlite_store[OUTBOX].count_documents({}) == 1


def test_a_verification_code_to_a_phone_without_an_account_goes_by_sms_only_and_is_urgent(engine_store):
    message = enqueue(engine_store, "verification_code", {"phone": "13800138000"}, {"code": "123456", "minutes": 5}, "otp:1")
    assert list(message["channels"]) == ["sms"] and message["urgent"] is True


def test_the_phone_is_stored_encrypted_with_a_blind_index_and_never_in_plaintext(engine_store):
    message = enqueue(engine_store, "verification_code", {"phone": "13800138000"}, {"code": "123456", "minutes": 5}, "otp:1")
    stored = engine_store[OUTBOX].find_one({"_id": message["_id"]})
    assert "13800138000" not in json.dumps(stored, ensure_ascii=False)
    cipher = cipher_for_store(engine_store)
    assert cipher.decrypt(stored["recipient"]["phone_enc"], "outbox.recipient.phone") == "13800138000"
    assert latest_to_phone(engine_store, "verification_code", "13800138000")["_id"] == message["_id"]
    assert latest_to_phone(engine_store, "verification_code", "13900139000") is None


def test_a_message_to_an_account_only_needs_no_cipher_and_stores_no_phone(engine_store):
    stored = engine_store[OUTBOX].find_one({"_id": submitted(engine_store)["_id"]})
    assert stored["recipient"] == {"account_id": "acc-1", "phone_enc": None, "phone_bi": None}


def test_a_recipient_given_as_a_plain_string_is_an_account_id():
    assert normalize_recipient("acc-9") == {"account_id": "acc-9", "phone": None}


@pytest.mark.parametrize("recipient", [{}, {"phone": "12345"}, {"account_id": 7}, {"email": "a@b.c"}])
def test_a_recipient_without_a_valid_account_or_phone_is_refused(recipient):
    with pytest.raises((ValueError, TypeError)):
        normalize_recipient(recipient)


def test_an_event_that_cannot_reach_the_recipient_is_refused(engine_store):
    with pytest.raises(ValueError, match="no channel"):
        enqueue(engine_store, "verification_code", {"account_id": "acc-1"}, {"code": "123456", "minutes": 5}, "otp:2")


def test_send_at_schedules_the_message_for_later(engine_store):
    message = submitted(engine_store, send_at=T0 + timedelta(hours=2), now=T0)
    assert message["due_at"] == "2026-05-04T04:00:00.000Z"

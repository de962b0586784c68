"""What a read of registry data writes: its records are written before the data is answered, in one write
transaction (one turn in the embedded engine's writers' queue), and a record that cannot be written means
no data at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from api.audit import AUDIT_LOG, verify
from auth.data_use import COLLECTION as DATA_USE
from auth.data_use import record_data_use

VAULT = "/api/v1/me/vault"


@contextmanager
def statements(store) -> Iterator[list[str]]:
    """The SQL this thread's connection runs inside the block (the test client answers on this thread)."""
    ran: list[str] = []
    connection = store.connection()
    connection.set_trace_callback(ran.append)
    try:
        yield ran
    finally:
        connection.set_trace_callback(None)


def transactions(ran: list[str]) -> list[list[str]]:
    """The statements of each write transaction, BEGIN IMMEDIATE to COMMIT."""
    found, current = [], None
    for sql in ran:
        if sql.startswith("BEGIN IMMEDIATE"):
            current = []
        elif sql == "COMMIT" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(sql)
    return found


def _writes_to(transaction: list[str], collection: str) -> int:
    return sum(1 for sql in transaction if re.match(rf'(INSERT INTO|UPDATE) "c_{collection}"', sql))


def test_a_vault_read_writes_one_transaction_holding_its_audit_entry(store, verified):
    session, person = verified("13800000041")
    before = store[AUDIT_LOG].count_documents({})

    with statements(store) as ran:
        response = session.get(VAULT)

    assert response.status_code == 200 and response.get_json()["registry"]["person"]["name"] == person.name
    [written] = transactions(ran)
    assert (_writes_to(written, "audit_log"), _writes_to(written, "audit_head")) == (1, 1)
    [entry] = store[AUDIT_LOG].find({"seq": {"$gt": before}})
    assert (entry["action"], entry["subject_id"], entry["detail"]["purpose"]) == ("registry.read", session.account_id, "vault")
    assert verify(store).ok


def test_a_vault_read_whose_audit_entry_cannot_be_written_answers_an_error_and_no_data(store, verified, monkeypatch):
    session, person = verified("13800000042")
    before = store[AUDIT_LOG].count_documents({})

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(store[AUDIT_LOG], "insert_one", broken)
    response = session.get(VAULT)

    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert person.name not in body and "registry" not in body and response.get_json()["code"] == "internal_error"
    monkeypatch.undo()
    assert store[AUDIT_LOG].count_documents({}) == before and verify(store).ok  # the head did not move either


def test_a_data_use_entry_and_its_audit_entry_commit_in_one_transaction(store):
    with statements(store) as ran:
        record_data_use(store, "acc_resident", "acc_clerk", "clerk", "窗口核验身份", ["phone", "name", "name"])

    [written] = transactions(ran)
    assert (_writes_to(written, DATA_USE), _writes_to(written, "audit_log")) == (1, 1)
    [use] = store[DATA_USE].find({"subject_id": "acc_resident"})
    [entry] = store[AUDIT_LOG].find({"subject_id": "acc_resident", "action": "data.read"})
    assert use["fields"] == entry["detail"]["fields"] == ["name", "phone"]
    assert (entry["actor_id"], entry["actor_role"], entry["detail"]["purpose"]) == ("acc_clerk", "clerk", "窗口核验身份")


def test_a_data_use_entry_whose_audit_entry_cannot_be_written_is_not_kept_either(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(store[AUDIT_LOG], "insert_one", broken)
    with pytest.raises(RuntimeError):
        record_data_use(store, "acc_resident", "acc_clerk", "clerk", "窗口核验身份", ["phone"])

    assert store[DATA_USE].count_documents({"subject_id": "acc_resident"}) == 0


def test_a_data_use_entry_joins_the_callers_transaction(store):
    with statements(store) as ran:
        with store.transaction():
            store["accounts"].insert_one({"_id": "acc_joined"})
            record_data_use(store, "acc_resident", "acc_clerk", "clerk", "预约签到取号", ["appointment"])

    [written] = transactions(ran)
    assert (_writes_to(written, "accounts"), _writes_to(written, DATA_USE), _writes_to(written, "audit_log")) == (1, 1, 1)


def test_a_persons_own_read_writes_no_data_use_entry(store):
    record_data_use(store, "acc_same", "acc_same", "citizen", "本人查看", ["name"])

    assert store[DATA_USE].count_documents({}) == 0 and store[AUDIT_LOG].count_documents({"subject_id": "acc_same"}) == 0

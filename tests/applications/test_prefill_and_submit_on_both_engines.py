"""A draft and its submission on the embedded engine and on MongoDB (mongomock): the answers are what reading
the application back answers, and the registry reads are audited (chained at once on SQLite, written as
pending in the change's transaction on MongoDB)."""

from __future__ import annotations

import json

import pytest

from api import create_app
from api.audit.chain import AUDIT_LOG, AUDIT_PENDING, drain_pending
from api.catalog.service import load_catalog
from tests.applications.conftest import RESTAURANT_FACTS, fill, ok, provide_materials, start, submit


@pytest.fixture(params=["sqlite", "mongomock"])
def app(request, tmp_path):
    config = {"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING"}
    made = create_app({**config, "MONGODB_URI": "mongomock://"} if request.param == "mongomock" else config)
    load_catalog(made.extensions["store"])
    return made


def test_a_draft_and_its_submission_answer_what_reading_them_back_answers(restaurateur):
    owner = restaurateur()

    started = owner.post("/applications", json={"bundle": "open-restaurant"})
    assert started.status_code == 201
    assert json.loads(started.data) == json.loads(owner.get(f"/applications/{started.get_json()['id']}").data)
    ready = provide_materials(owner, fill(owner, started.get_json(), RESTAURANT_FACTS))
    sent = submit(owner, ready)

    assert ok(sent)["state"] == "submitted" and ok(sent)["fee"] and ok(sent)["timeline"]
    assert json.loads(sent.data) == json.loads(owner.get(f"/applications/{ready['id']}").data)


def test_the_registry_reads_of_a_draft_and_a_submission_are_in_the_audit_log(store, restaurateur):
    owner = restaurateur()
    ready = provide_materials(owner, fill(owner, start(owner, bundle="open-restaurant"), RESTAURANT_FACTS))
    ok(submit(owner, ready))

    drain_pending(store)  # MongoDB chains what a transaction wrote as pending; nothing to do on SQLite
    assert store[AUDIT_PENDING].count_documents({}) == 0
    reads = list(store[AUDIT_LOG].find({"action": "registry.read", "actor_id": owner.account_id}))
    assert sorted(e["subject_type"] for e in reads) == ["registry_org", "registry_org", "registry_person", "registry_person"]

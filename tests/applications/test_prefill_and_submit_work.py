"""Starting a draft and submitting it do each piece of work once: one read of each registry record (its change
time comes with it), one read of the vault's own data (the check and the default delivery share it), the last
application read only when a field falls through to it, and the registry reads audited in the transaction of
the change they lead to — or on their own when that change does not commit."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from api.applications import service
from api.audit.chain import AUDIT_LOG
from api.delivery.choice import open_recipient
from auth.crypto import field_cipher
from auth.registry import registry_for
from tests.applications.conftest import RESTAURANT_FACTS, fill, ok, provide_materials, start, submit
from tests.store_calls import _CountingStore, store_calls

ITEM = "430200-SCJG-003"  # 企业设立登记: a person's item, filled from the registry, the account and the vault


@contextmanager
def registry_calls(app):
    """Count the registry adapter's own store calls (store_calls does not see them: the adapter holds its store)."""
    registry = registry_for(app)
    with store_calls(app) as calls:
        real, registry.store = registry.store, _CountingStore(registry.store, calls)
        try:
            yield calls
        finally:
            registry.store = real


def _registry_reads(store, account_id: str) -> list[dict]:
    return list(store[AUDIT_LOG].find({"action": "registry.read", "actor_id": account_id}, sort=[("seq", 1)]))


def test_starting_a_draft_reads_the_person_and_the_business_once_each(app, restaurateur):
    owner = restaurateur()

    with registry_calls(app) as calls:
        draft = start(owner, bundle="open-restaurant")

    values = {f["name"]: f for f in draft["fields"]}
    assert values["applicant.name"]["source"] == "registry" and values["business.name"]["source"] == "registry"
    assert calls.count("registry_people", "find_one") == 1  # the record and its updated_at in one read
    assert calls.count("registry_orgs", "find_one") == 2  # X-Acting-For's check, then prefill: once each


def test_submitting_reads_the_person_once_and_the_own_data_once_for_the_check_and_the_delivery(app, resident, store):
    citizen = resident()
    ok(citizen.put("/me/vault/own", json={"version": 0, "contact_address": _ADDRESS}))
    ready = provide_materials(citizen, fill(citizen, start(citizen, item=ITEM), FOUNDING_FACTS))
    before = len(_registry_reads(store, citizen.account_id))

    with registry_calls(app) as calls:
        sent = submit(citizen, ready)

    assert ok(sent)["state"] == "submitted" and ok(sent)["delivery"]["method"] == "ems"
    assert calls.count("registry_people", "find_one") == 1
    assert calls.count("vault_own", "find_one") == 1
    assert len(_registry_reads(store, citizen.account_id)) == before + 1  # audited once, with the submission


def test_a_draft_its_sources_fill_asks_nothing_about_the_last_application(app, resident):
    citizen = resident()
    ok(citizen.put("/me/vault/own", json={"version": 0, "contact_address": _ADDRESS}))

    with store_calls(app) as calls:
        draft = start(citizen, item=ITEM)

    assert all(f["source"] for f in draft["fields"] if not f["name"].startswith("business."))
    assert calls.count("applications", "find_one") == 0 and calls.count("applications", "insert_one") == 1


def test_a_field_no_source_fills_still_gets_the_last_application_s_value(app, resident):
    citizen = resident()  # no vault address: the contact address falls through to the last application
    first = ok(submit(citizen, provide_materials(citizen, fill(citizen, start(citizen, item=ITEM), FOUNDING_FACTS))))

    with store_calls(app) as calls:
        again = start(citizen, item=ITEM)

    address = next(f for f in again["fields"] if f["name"] == "applicant.contact_address")
    assert address["value"] == FOUNDING_FACTS["applicant.contact_address"] and address["source"] == "previous_application"
    assert address["source_updated_at"] == first["submitted_at"]
    assert calls.count("applications", "find_one") == 1


@pytest.mark.parametrize("with_address", [True, False])
def test_the_default_delivery_of_a_submission_is_what_the_submit_step_offers(app, restaurateur, with_address):
    owner = restaurateur(address=with_address)
    offer = ok(owner.get("/delivery/my-address"))
    ready = provide_materials(owner, fill(owner, start(owner, bundle="open-restaurant"), TYPED_ADDRESS_FACTS))

    ok(submit(owner, ready))

    stored = app.extensions["store"]["applications"].find_one({"_id": ready["id"]})["delivery"]
    if with_address:
        with app.app_context():
            recipient = open_recipient(field_cipher(), stored)
        assert offer["method"] == "ems" and recipient["phone"] == offer["recipient_phone"] == "13800000003"
        assert recipient == {"name": offer["recipient_name"], "phone": offer["recipient_phone"], "address": offer["address"]}
    else:
        assert stored == offer == {"method": "pickup", "hall": "zz-smzx"}


def test_a_draft_s_registry_reads_are_audited_in_the_draft_s_own_transaction(app, resident, store, monkeypatch):
    citizen = resident()
    in_transaction = []
    real_append = service.audit.append

    def append(target, **entry):
        if entry["action"] == "registry.read":
            in_transaction.append(store.connection().in_transaction)
        return real_append(target, **entry)

    monkeypatch.setattr("api.audit.append", append)
    draft = start(citizen, item=ITEM)

    assert in_transaction == [True]
    [read] = _registry_reads(store, citizen.account_id)
    assert read["subject_type"] == "registry_person" and read["detail"] == {"purpose": "prefill", "question": "find_person"}
    assert store["applications"].count_documents({"_id": draft["id"]}) == 1


def test_a_submission_refused_as_incomplete_still_audits_its_registry_read(resident, store):
    citizen = resident()
    draft = start(citizen, item=ITEM)
    before = len(_registry_reads(store, citizen.account_id))

    refused = submit(citizen, draft)

    assert refused.status_code == 422 and ok(citizen.get(f"/applications/{draft['id']}"))["state"] == "draft"
    assert len(_registry_reads(store, citizen.account_id)) == before + 1


def test_a_submission_rolled_back_stores_nothing_but_its_registry_read_once(resident, store, monkeypatch):
    citizen = resident()
    ready = provide_materials(citizen, fill(citizen, start(citizen, item=ITEM), FOUNDING_FACTS))
    before = len(_registry_reads(store, citizen.account_id))
    audit_entries = store[AUDIT_LOG].count_documents({})

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "_fee_order", broken)  # fails inside the submission's transaction
    assert submit(citizen, ready).status_code == 500

    assert store["applications"].find_one({"_id": ready["id"]})["state"] == "draft"
    assert store["sub_applications"].count_documents({"application_id": ready["id"]}) == 0
    assert len(_registry_reads(store, citizen.account_id)) == before + 1
    assert store[AUDIT_LOG].count_documents({}) == audit_entries + 1  # the read, and not the rolled-back submission


def test_a_draft_started_while_the_number_was_taken_audits_its_registry_read_once(resident, store, monkeypatch):
    citizen = resident()
    taken = ok(citizen.post("/applications", json={"item": ITEM}), 201)["number"]
    drawn = iter([taken, taken, "YC20260101000001"])
    monkeypatch.setattr(service, "_application_number", lambda store: next(drawn))
    before = len(_registry_reads(store, citizen.account_id))

    draft = start(citizen, item=ITEM)

    assert draft["number"] == "YC20260101000001"
    assert len(_registry_reads(store, citizen.account_id)) == before + 1


def test_submitting_answers_as_before_with_an_address_the_person_typed(restaurateur):
    owner = restaurateur(address=False)
    ready = provide_materials(owner, fill(owner, start(owner, bundle="open-restaurant"), TYPED_ADDRESS_FACTS))
    chosen = {"method": "ems", "recipient_name": "王五", "recipient_phone": "13700000000", "address": _ADDRESS}

    sent = owner.post(f"/applications/{ready['id']}/submit", json={"version": ready["version"], "delivery": chosen})

    assert ok(sent)["delivery"] == {"method": "ems", "recipient_name": "王*", "recipient_phone": "137****0000",
                                    "address": "湖南省株洲市天元区****"}  # fmt: skip
    assert json.loads(sent.data) == json.loads(owner.get(f"/applications/{ready['id']}").data)


_ADDRESS = {"province": "湖南省", "city": "株洲市", "district": "天元区", "street": "嵩山路街道", "detail": "示例路12号3栋402"}
FOUNDING_FACTS = {
    "business.name": "株洲晓明科技有限公司",
    "business.registered_address": "湖南省株洲市天元区示例路1号",
    "business.type": "有限责任公司",
    "business.business_scope": "软件开发",
    "business.registered_capital_wan": 10,
    "applicant.contact_address": "湖南省株洲市天元区示例路1号",
}
TYPED_ADDRESS_FACTS = {**RESTAURANT_FACTS, "applicant.contact_address": "湖南省株洲市天元区示例路1号"}

"""What goes into the audit log, through the real API: a state change, a staff action, a staff read of a
resident's data, and admin changes each append one entry naming the right actor and subject."""

from __future__ import annotations

from api.audit import AUDIT_LOG, verify
from tests.applications.conftest import (  # noqa: F401  # noqa: F401
    accepted,
    app,
    approvers,
    business_licence,
    clerk,
    decide,
    ok,
    resident,
    restaurateur,
    staff,
    submitted,
    subs_by_department,
)
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401
from tests.catalog.conftest import item_data

ITEM = "430200-SCJG-002"


def _about(store, subject_type: str, subject_id: str, action: str) -> list[dict]:
    return list(store[AUDIT_LOG].find({"subject_type": subject_type, "subject_id": subject_id, "action": action}))


def test_submitting_an_application_appends_one_entry_by_the_applicant(restaurateur, store):  # noqa: F811
    owner = restaurateur()

    view = submitted(owner, item=ITEM)

    [entry] = _about(store, "application", view["id"], "application.submit")
    assert entry["actor_id"] == owner.account_id
    assert entry["detail"]["from"] == "draft" and entry["detail"]["to"] == "submitted"
    assert verify(store).ok


def test_a_clerk_accepting_and_an_approver_deciding_each_append_one_entry(restaurateur, clerk, approvers, store):  # noqa: F811
    owner = restaurateur()
    view = accepted(owner, clerk, item=ITEM)
    [sub] = subs_by_department(owner, view["id"])["scjg"]

    ok(decide(approvers["scjg"], sub["id"]))

    [accept] = _about(store, "application", view["id"], "application.accept")
    # the sub-application's decision; the application's own move that it causes is a second entry
    [approve] = [e for e in _about(store, "application", view["id"], "application.approve") if e["detail"]["sub_id"]]
    assert (accept["actor_id"], accept["actor_role"]) == (clerk.account_id, "clerk")
    assert (approve["actor_id"], approve["actor_role"]) == (approvers["scjg"].account_id, "approver")
    assert approve["detail"]["sub_id"] == sub["id"]
    assert approve["seq"] > accept["seq"]


def test_a_clerk_viewing_a_residents_application_appends_a_data_read_without_the_data(restaurateur, clerk, store):  # noqa: F811
    owner = restaurateur()
    view = submitted(owner, item=ITEM)

    ok(clerk.get(f"/clerk/applications/{view['id']}"))

    [entry] = _about(store, "person", owner.account_id, "data.read")
    assert (entry["actor_id"], entry["actor_role"]) == (clerk.account_id, "clerk")
    assert entry["detail"]["fields"] and all(isinstance(name, str) for name in entry["detail"]["fields"])
    assert owner.person.name not in str(entry) and owner.person.id_number not in str(entry)


def test_prefill_reading_the_registry_is_audited_by_blind_index_never_the_id_number(restaurateur, store):  # noqa: F811
    owner = restaurateur()

    ok(owner.post("/applications", json={"item": ITEM}), 201)

    reads = list(store[AUDIT_LOG].find({"action": "registry.read", "actor_id": owner.account_id}))
    assert {e["subject_type"] for e in reads} >= {"registry_person"}
    assert owner.person.id_number not in str(reads)


def test_an_admin_adding_a_catalogue_item_appends_one_entry(client, auth_header, store):
    admin = auth_header("acc-admin", roles=("admin",), acr=3)

    created = client.post("/api/v1/admin/catalog/items", json=item_data(), headers=admin)

    assert created.status_code == 201, created.get_json()
    [entry] = _about(store, "catalog_item", created.get_json()["code"], "catalog.item.create")
    assert (entry["actor_id"], entry["actor_role"]) == ("acc-admin", "admin")


def test_a_refused_admin_edit_appends_nothing(client, auth_header, store):
    admin = auth_header("acc-admin", roles=("admin",), acr=3)
    before = store[AUDIT_LOG].count_documents({})

    refused = client.post("/api/v1/admin/catalog/items", json={**item_data(), "department": "nope"}, headers=admin)

    assert refused.status_code == 422
    assert store[AUDIT_LOG].count_documents({}) == before


def test_rotating_the_signing_key_appends_one_entry_and_the_verify_command_passes(app, store):  # noqa: F811
    rotated = app.test_cli_runner().invoke(args=["rotate-signing-key"])

    assert rotated.exit_code == 0, rotated.output
    [entry] = list(store[AUDIT_LOG].find({"action": "keys.rotate"}))
    assert entry["actor_role"] == "operator" and entry["subject_type"] == "signing_key"
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def test_the_verify_command_exits_1_naming_the_entry_changed_in_the_store(app, store):  # noqa: F811
    for _ in range(3):
        app.test_cli_runner().invoke(args=["rotate-signing-key"])
    store[AUDIT_LOG].update_one({"seq": 2}, {"$set": {"detail.retired": ["forged"]}})

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "seq 2" in result.output


def test_a_clerks_in_person_verification_appends_the_level_change_and_the_read(verified, auth_header, client, store):  # noqa: F811
    session, _ = verified()
    at_window = auth_header("acc-clerk-1", roles=("clerk",))

    response = client.post(f"/api/v1/staff/accounts/{session.account_id}/in-person-verification", headers=at_window)

    assert response.status_code == 200
    [change] = _about(store, "person", session.account_id, "account.verify_in_person")
    [read] = _about(store, "person", session.account_id, "data.read")
    assert change["actor_id"] == read["actor_id"] == "acc-clerk-1"
    assert change["detail"] == {"from_level": 2, "to_level": 3}


def test_a_resident_reading_their_registry_data_in_the_vault_is_audited_without_the_data(verified, store):  # noqa: F811
    session, person = verified()

    response = session.get("/api/v1/me/vault")

    assert response.status_code == 200 and response.get_json()["registry"]["person"]
    [entry] = _about(store, "person", session.account_id, "registry.read")
    assert entry["detail"] == {"purpose": "vault", "sources": ["registry"], "revealed": False, "acting_for": None}
    assert person.id_number not in str(entry) and person.name not in str(entry)

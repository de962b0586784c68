"""The admin's audit API: search with filters and pages, one entry, verify; staff cannot change anything."""

from __future__ import annotations

import pytest

from api import create_app
from api.audit import AUDIT_HEAD, AUDIT_LOG

from .conftest import append_entries

URL = "/api/v1/admin/audit"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for this module (these tests only read the log): each test starts from an empty log."""
    return create_app({"DATA_DIR": str(tmp_path_factory.mktemp("var")), "TESTING": True, "LOG_LEVEL": "WARNING"})


@pytest.fixture
def store(app):
    store = app.extensions["store"]
    for collection in (AUDIT_LOG, AUDIT_HEAD):
        store[collection].delete_many({})
    return store


@pytest.fixture
def admin(auth_header):
    return auth_header("acc-admin", roles=("admin",), acr=3)


@pytest.fixture
def logged(store):
    """Five accepts by clerk c1 on app-1…app-5, then two data reads by approver a1 of person p1."""
    append_entries(store, 5, actor_id="c1")
    append_entries(store, 2, actor_id="a1", actor_role="approver", action="data.read", subject_type="person", subject_id="p1")
    return store


def test_an_admin_searches_by_subject_and_gets_its_entries_newest_first(client, admin, logged):
    response = client.get(URL, query_string={"subject_type": "person", "subject_id": "p1"}, headers=admin)

    assert response.status_code == 200
    found = [(e["seq"], e["actor_id"], e["action"]) for e in response.get_json()]
    assert found == [(7, "a1", "data.read"), (6, "a1", "data.read")]


def test_an_admin_searches_by_actor_and_by_action(client, admin, logged):
    by_actor = client.get(URL, query_string={"actor_id": "c1"}, headers=admin).get_json()
    by_action = client.get(URL, query_string={"action": "application.accept"}, headers=admin).get_json()

    assert [e["seq"] for e in by_actor] == [5, 4, 3, 2, 1]
    assert [e["seq"] for e in by_action] == [5, 4, 3, 2, 1]


def test_an_admin_searches_by_time_from_inclusive_to_exclusive(client, admin, logged):
    for seq, at in enumerate(["2026-05-01T00:00:00.000Z", "2026-05-02T00:00:00.000Z", "2026-05-03T00:00:00.000Z"], start=1):
        logged[AUDIT_LOG].update_one({"seq": seq}, {"$set": {"at": at}})  # only the filter is under test here

    found = client.get(URL, query_string={"from": "2026-05-02T08:00:00+08:00", "to": "2026-05-03T00:00:00Z"}, headers=admin)

    assert [e["seq"] for e in found.get_json()] == [2]


def test_the_search_is_paginated(client, admin, logged):
    response = client.get(URL, query_string={"actor_id": "c1", "page": 2, "page_size": 2}, headers=admin)

    assert [e["seq"] for e in response.get_json()] == [3, 2]
    assert '"total": 5' in response.headers["X-Pagination"]
    beyond = client.get(URL, query_string={"actor_id": "c1", "page": 50_000, "page_size": 2}, headers=admin)
    assert beyond.status_code == 200 and beyond.get_json() == []


def test_each_search_is_itself_audited_with_its_criteria(client, admin, logged):
    client.get(URL, query_string={"subject_type": "person", "subject_id": "p1"}, headers=admin)

    entry = logged[AUDIT_LOG].find_one({"action": "audit.search"})
    assert entry["actor_id"] == "acc-admin" and entry["actor_role"] == "admin"
    assert entry["detail"] == {"subject_type": "person", "subject_id": "p1"}


def test_a_time_range_that_ends_before_it_starts_is_a_422_and_records_nothing(client, admin, logged):
    response = client.get(URL, query_string={"from": "2026-05-03T00:00:00Z", "to": "2026-05-02T00:00:00Z"}, headers=admin)

    assert response.status_code == 422 and "from" in response.get_json()["errors"]
    assert logged[AUDIT_LOG].count_documents({}) == 7


def test_a_time_without_an_offset_is_a_422(client, admin, logged):
    response = client.get(URL, query_string={"from": "2026-05-03T00:00:00"}, headers=admin)

    assert response.status_code == 422


def test_one_entry_is_read_by_its_seq_and_an_unknown_or_impossible_seq_is_a_404(client, admin, logged):
    entry = client.get(f"{URL}/3", headers=admin)

    assert entry.status_code == 200 and entry.get_json()["subject_id"] == "app-3"
    assert client.get(f"{URL}/99", headers=admin).status_code == 404
    assert client.get(f"{URL}/{10**30}", headers=admin).status_code == 404


def test_a_moment_no_store_can_hold_is_a_422_not_a_500(client, admin, logged):
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        assert client.get(URL, query_string={"from": moment}, headers=admin).status_code == 422


def test_verify_over_http_reports_an_intact_chain_and_then_the_entry_changed_in_the_store(client, admin, logged):
    intact = client.get(f"{URL}/verify", headers=admin).get_json()
    logged[AUDIT_LOG].update_one({"seq": 2}, {"$set": {"actor_id": "someone-else"}})

    broken = client.get(f"{URL}/verify", headers=admin).get_json()

    assert intact["ok"] is True and intact["count"] == 7
    assert broken["ok"] is False and broken["broken"]["seq"] == 2 and broken["broken"]["reason"] == "hash"


@pytest.mark.parametrize("roles", [("clerk",), ("approver",), ("courier",), ("citizen",)])
def test_anyone_but_an_admin_gets_403(client, auth_header, logged, roles):
    headers = auth_header("acc-x", roles=roles)

    for path in (URL, f"{URL}/1", f"{URL}/verify"):
        assert client.get(path, headers=headers).status_code == 403


def test_without_a_token_it_is_401(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "PUT", "POST"])
def test_an_admin_cannot_change_or_delete_entries_through_the_api(client, admin, logged, method):
    before = list(logged[AUDIT_LOG].find({}, sort=[("seq", 1)]))

    for path in (URL, f"{URL}/1", f"{URL}/verify"):
        response = client.open(path, method=method, headers=admin, json={"actor_id": "x"})
        assert response.status_code == 405, (method, path)

    assert list(logged[AUDIT_LOG].find({}, sort=[("seq", 1)])) == before


def test_no_route_or_documented_operation_under_the_audit_path_writes(app, client):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(URL)]
    paths = {path: ops for path, ops in client.get("/api/v1/openapi.json").get_json()["paths"].items() if path.startswith(URL)}

    assert rules and paths
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)
    assert all(set(ops) <= {"get", "parameters"} for ops in paths.values())
    assert not [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule and not rule.rule.startswith(URL)]

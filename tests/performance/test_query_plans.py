"""Every query the flows below send to the store uses an index on SQLite, and every declared index is used.

The flows run through the HTTP API (and the workers' claim queries) while tests/performance/recorder.py
records each (collection, filter shape, sort) the embedded engine receives; each shape is then run
through EXPLAIN QUERY PLAN. A full SCAN of a collection's table is allowed only for the reviewed
entries of SCAN_ALLOWED; an index of api/store/indexes.py that no recorded query uses must be in
NOT_RECORDED with the reason (an unused index costs every write); a collection with indexes that the
flows never query must be in NOT_QUERIED with the reason. A new index or collection therefore fails
here until a flow uses it or a reason is written down.
"""

from __future__ import annotations

import json

import pytest

from api.appointments import jobs as appointment_jobs
from api.appointments.settings import settings_of as appointment_settings
from api.store.indexes import INDEXES
from auth import limits
from notifications.worker import Worker
from payments import tasks as payment_tasks
from tests.applications.conftest import accepted, approve_all, ok

from .recorder import Plan, explain, recording

# (collection, the filter's fields or None for any) -> why reading all of the collection is fine
SCAN_ALLOWED = {
    ("catalog_items", None): "the catalogue: a few hundred items at most, read whole and filtered in Python for search",
    ("catalog_bundles", None): "the catalogue's bundles: tens of documents",
    ("departments", None): "the city's departments: tens of documents",
    ("certificate_types", None): "the certificate types: tens of documents",
    ("outbox", ("event", "recipient.phone_bi")): "notifications.outbox.latest_to_phone: a helper of the tests and demo only",
}
UNIQUE = "a unique constraint: every insert checks it, whether or not a query reads by it"
NOT_IN_FLOWS = "its query is not in the flows above (a job or screen they do not run)"
# "collection.index" -> why no recorded query uses it; only the collections the flows query are judged
NOT_RECORDED: dict[str, str] = {
    "accounts.id_bi_1": "staff look-up by ID number at the window: " + NOT_IN_FLOWS,
    "applications.number_1": UNIQUE,
    "applications.state_1_updated_at_1": "api/retention: drafts past retention, " + NOT_IN_FLOWS,
    "applications.updated_at_1": "api/retention: " + NOT_IN_FLOWS,
    "appointments.account_id_1_starts_at_-1": "my appointments: " + NOT_IN_FLOWS,
    "appointments.account_id_1_state_1_no_show_at_1": "booking rules (no-shows): " + NOT_IN_FLOWS,
    "appointments.acting_for_1_starts_at_-1": "a business's appointments: " + NOT_IN_FLOWS,
    "appointments.active_key_1": UNIQUE,
    "appointments.hall_1_day_1_starts_at_1": "the hall's day list: " + NOT_IN_FLOWS,
    "catalog_items.department_1_code_1": "the public search reads the active catalogue whole (SCAN_ALLOWED): admin only",
    "catalog_items.for_whom_1_code_1": "the public search reads the active catalogue whole (SCAN_ALLOWED): admin only",
    "certificates.number_1": UNIQUE,
    "data_correction_requests.application_id_1_field_1_status_1": "a field's open request: " + NOT_IN_FLOWS,
    "data_correction_requests.department_1_status_1_created_at_1": "the approvers' queue: " + NOT_IN_FLOWS,
    "fee_orders.state_1_expires_at_1": "payments recovery closes expired orders: " + NOT_IN_FLOWS,
    "fee_orders.updated_at_1": "api/retention: " + NOT_IN_FLOWS,
    "otp_codes.expires_at_1": "api/retention: " + NOT_IN_FLOWS,
    "outbox.state_1_sent_at_1": "api/retention: " + NOT_IN_FLOWS,
    "payment_tasks.key_1": UNIQUE,
    "registry_orgs.legal_rep_bi_1": "a person's companies as legal representative: " + NOT_IN_FLOWS,
    "sessions.account_id_1_last_used_at_-1": "my sessions / logout everywhere: " + NOT_IN_FLOWS,
    "shipments.courier_id_1_out_for_date_1_route_area_1": "the courier's round: " + NOT_IN_FLOWS,
    "shipments.state_1_state_since_1": "stuck parcels: " + NOT_IN_FLOWS,
    "shipments.updated_at_1": "api/retention: " + NOT_IN_FLOWS,
    "shipments.waybill_no_1": UNIQUE,
    "sub_applications.state_1_deadline_on_1": "deadline reminders: " + NOT_IN_FLOWS,
    "wechat_accounts.appid_1_openid_1": UNIQUE,
}

# collection -> why the flows never query it (its indexes are then not judged: a flow that queries it
# belongs in flows() first). Every collection of api/store/indexes.py is queried or listed here.
NOT_QUERIED: dict[str, str] = {
    "refresh_tokens": "the flows log in but never refresh",
    "org_agents": "no agent grants in the flows",
    "data_use_log": "written by the flows; read by the data-use screens, not in the flows",
    "data_quality_cases": "no registry disagreements in the flows",
    "audit_log": "written by the flows; read by the audit screens and `audit verify`, not in the flows",
    "sms_log": "written by the flows; not read in them",
    "inbox": "written by the notifications worker, which the flows do not run to delivery",
    "push_subscriptions": "no browser subscribes in the flows",
    "miniprogram_permissions": "no mini-program in the flows",
    "miniprogram_sends": "no mini-program in the flows; read by api/retention",
    "uploads": "the flows' bundle has no uploaded material",
    "payment_attempts": "the flows do not pay",
    "payment_alerts": "the flows do not pay",
    "payment_refunds": "the flows do not pay",
    "appointment_slots": "no appointment in the flows",
    "queue_tickets": "no queue ticket in the flows",
    "delivery_alerts": "no delivery in the flows",
    "stats_counters": "the statistics screens are not in the flows",
    "evaluations": "no evaluation in the flows",
    "evaluation_invitations": "no evaluation in the flows",
    "rectifications": "no evaluation in the flows",
}


def index_name(keys) -> str:
    return "_".join(f"{path}_{direction}" for path, direction in keys)


def flows(app, store, restaurateur, clerk, approvers) -> None:
    """A resident's and a company's day, the staff's lists and the workers' claims."""
    client = app.test_client()
    for path in ("/catalog/items", "/catalog/items?q=营业执照", "/catalog/bundles", "/catalog/bundles/open-restaurant",
                 "/catalog/items/430200-SCJG-002", "/catalog/departments"):  # fmt: skip
        assert client.get("/api/v1" + path).status_code == 200, path
    owner = restaurateur()
    view = accepted(owner, clerk, bundle="open-restaurant")
    approve_all(owner, approvers, view["id"])
    for caller in (owner, owner.as_self()):
        ok(caller.get("/applications"))
        ok(caller.get("/me/vault"))
        ok(caller.get("/me/certificates"))
    ok(owner.get(f"/applications/{view['id']}"))
    ok(owner.get("/me/correction-requests"))
    ok(clerk.get("/clerk/applications"))
    ok(approvers["scjg"].get("/review/sub-applications"))
    with app.app_context():
        Worker(store, {}).claim()
        payment_tasks.claim(store)
        appointment_jobs.run_due(store, appointment_settings(app))
    limits.purge_expired(store)  # what 1 request in 100 does after counting (random: not left to chance here)


@pytest.fixture
def plans(app, store, restaurateur, clerk, approvers) -> list[Plan]:
    with recording() as recorder:
        flows(app, store, restaurateur, clerk, approvers)
    return [explain(store, query) for query in recorder.queries.values()]


def allowed(plan: Plan) -> bool:
    fields = tuple(sorted(plan.query.filter))
    return (plan.query.collection, None) in SCAN_ALLOWED or (plan.query.collection, fields) in SCAN_ALLOWED


def describe(plan: Plan) -> str:
    query = plan.query
    return f"{query.collection} {json.dumps(query.filter, ensure_ascii=False)} sort {query.sort}: {plan.lines}"


def test_no_recorded_query_scans_a_whole_collection_outside_the_allow_list(plans):
    assert len(plans) > 30  # the flows did run
    scans = [describe(plan) for plan in plans if plan.full_scan() and not allowed(plan)]

    assert scans == [], "\n".join(scans)


def test_every_declared_index_is_used_by_a_recorded_query_or_listed_with_its_reason(plans):
    used = {f"{plan.query.collection}.{name}" for plan in plans for name in plan.indexes()}
    queried = {plan.query.collection for plan in plans}
    # only the collections the flows query can be judged (see the module's docstring)
    declared = {f"{collection}.{index_name(keys)}" for collection, keys, _ in INDEXES if collection in queried}

    unused = sorted(declared - used - set(NOT_RECORDED))
    stale = sorted(set(NOT_RECORDED) & used)  # a reason that no longer holds

    assert (unused, stale) == ([], []), "\n".join(unused + stale)


def test_every_collection_with_declared_indexes_is_queried_by_the_flows_or_listed_with_its_reason(plans):
    queried = {plan.query.collection for plan in plans}
    declared = {collection for collection, _, _ in INDEXES}

    assert (sorted(declared - queried - set(NOT_QUERIED)), sorted(queried & set(NOT_QUERIED))) == ([], [])

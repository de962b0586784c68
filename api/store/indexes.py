"""Every index the application uses, in one place (DESIGN.md "The data layer"); created at start-up, idempotent.

Each entry is (collection, keys, options) with pymongo-style keys [(path, 1 | -1)]. On the embedded
engine an indexed path must hold scalars (no multikey indexes), and a query uses an index only when it
filters on the indexed paths. The module named above each group holds the queries that group serves;
a new query goes in with its index here.
"""

from __future__ import annotations

from typing import Any

Index = tuple[str, list[tuple[str, int]], dict[str, Any]]
UNIQUE = {"unique": True}

INDEXES: list[Index] = [
    # auth/accounts.py, auth/sessions.py, auth/otp.py, auth/limits.py
    ("accounts", [("phone_bi", 1)], UNIQUE),
    ("accounts", [("id_bi", 1)], {}),
    ("sessions", [("account_id", 1), ("last_used_at", -1)], {}),
    ("refresh_tokens", [("family_id", 1)], {}),
    ("otp_codes", [("phone_bi", 1), ("purpose", 1), ("created_at", -1)], {}),
    ("rate_limits", [("expires_at", 1)], {}),
    # wechat/accounts.py: one binding per openid of an app, one openid per account and app
    ("wechat_accounts", [("appid", 1), ("openid", 1)], UNIQUE),
    ("wechat_accounts", [("account_id", 1), ("appid", 1)], UNIQUE),
    # auth/business.py, auth/data_use.py, auth/data_quality.py
    ("org_agents", [("credit_code", 1), ("agent_id_bi", 1)], {}),
    ("org_agents", [("agent_id_bi", 1), ("expires_at", 1)], {}),
    ("data_use_log", [("subject_id", 1), ("at", -1)], {}),
    ("data_quality_cases", [("kind", 1), ("status", 1)], {}),
    # auth/registry/local.py: the population and legal-person registries, by blind index
    ("registry_people", [("id_bi", 1)], UNIQUE),
    ("registry_orgs", [("credit_bi", 1)], UNIQUE),
    ("registry_orgs", [("legal_rep_bi", 1)], {}),
    # api/audit/chain.py (seq: one entry per number, the chain's order), service.py (admin search, newest first)
    ("audit_log", [("seq", 1)], UNIQUE),
    ("audit_log", [("subject_type", 1), ("subject_id", 1), ("seq", -1)], {}),
    ("audit_log", [("actor_id", 1), ("seq", -1)], {}),
    ("audit_log", [("action", 1), ("seq", -1)], {}),
    ("audit_log", [("at", 1)], {}),
    # api/retention/service.py: what is past its retention (drafts use applications (state, updated_at) too)
    ("applications", [("state", 1), ("updated_at", 1)], {}),
    ("sms_log", [("sent_at", 1)], {}),
    ("outbox", [("state", 1), ("sent_at", 1)], {}),
    ("otp_codes", [("expires_at", 1)], {}),
    # notifications/
    ("outbox", [("idempotency_key", 1)], UNIQUE),
    ("outbox", [("state", 1), ("due_at", 1)], {}),
    ("inbox", [("account_id", 1), ("created_at", -1)], {}),
    ("inbox", [("account_id", 1), ("read_at", 1)], {}),
    ("sms_log", [("phone_bi", 1), ("sent_at", -1)], {}),
    ("push_subscriptions", [("account_id", 1)], {}),
    # notifications/miniprogram_permissions.py: one count per account and subscription template
    ("miniprogram_permissions", [("account_id", 1), ("template_id", 1)], UNIQUE),
    # api/retention: the finished send records of the mini-program channel, after the outbox retention
    ("miniprogram_sends", [("state", 1), ("updated_at", 1)], {}),
    # api/catalog/service.py
    ("catalog_items", [("department", 1), ("code", 1)], {}),
    ("catalog_items", [("for_whom", 1), ("code", 1)], {}),
    # api/vault/service.py
    ("certificates", [("holder_key", 1), ("issued_on", -1)], {}),
    ("certificates", [("number", 1)], UNIQUE),
    ("certificates", [("application_id", 1)], {}),
    # api/applications/service.py, review.py, uploads.py, corrections.py
    # acting_for is in the key: "my own applications" ask acting_for = null, which most applications hold, and
    # with (applicant_id, created_at) alone SQLite may pick (acting_for, created_at) and read them all
    ("applications", [("applicant_id", 1), ("acting_for", 1), ("created_at", -1)], {}),
    ("applications", [("acting_for", 1), ("created_at", -1)], {}),
    ("applications", [("state", 1), ("hall", 1), ("submitted_at", 1)], {}),
    ("applications", [("number", 1)], UNIQUE),
    ("sub_applications", [("application_id", 1)], {}),
    ("sub_applications", [("department", 1), ("state", 1), ("deadline_on", 1)], {}),
    ("application_events", [("application_id", 1), ("at", 1)], {}),
    ("uploads", [("owner_id", 1), ("created_at", -1)], {}),
    ("uploads", [("application_id", 1)], {}),
    ("uploads", [("sha256", 1)], {}),  # is a stored file still used by anyone (draft purge)
    ("data_correction_requests", [("applicant_id", 1), ("created_at", -1)], {}),
    ("data_correction_requests", [("department", 1), ("status", 1), ("created_at", 1)], {}),
    ("data_correction_requests", [("application_id", 1), ("field", 1), ("status", 1)], {}),
    # payments/orders.py, refunds.py, tasks.py
    ("fee_orders", [("application_id", 1)], UNIQUE),
    ("fee_orders", [("state", 1), ("expires_at", 1)], {}),
    ("payment_attempts", [("out_trade_no", 1)], UNIQUE),
    ("payment_attempts", [("state", 1), ("created_at", 1)], {}),
    ("payment_attempts", [("fee_order_id", 1)], {}),
    ("payment_alerts", [("created_at", -1)], {}),
    ("payment_refunds", [("out_refund_no", 1)], UNIQUE),
    ("payment_refunds", [("cause", 1)], UNIQUE),
    ("payment_refunds", [("fee_order_id", 1)], {}),
    ("payment_refunds", [("state", 1), ("updated_at", 1)], {}),
    ("payment_tasks", [("key", 1)], UNIQUE),
    ("payment_tasks", [("state", 1), ("due_at", 1)], {}),
    # api/appointments/slots.py, bookings.py, queue.py
    ("appointment_slots", [("hall", 1), ("starts_at", 1)], {}),
    ("appointments", [("active_key", 1)], UNIQUE),
    ("appointments", [("account_id", 1), ("starts_at", -1)], {}),
    ("appointments", [("acting_for", 1), ("starts_at", -1)], {}),
    ("appointments", [("state", 1), ("starts_at", 1)], {}),
    ("appointments", [("hall", 1), ("day", 1), ("starts_at", 1)], {}),
    ("appointments", [("account_id", 1), ("state", 1), ("no_show_at", 1)], {}),
    ("queue_tickets", [("hall", 1), ("day", 1), ("number", 1)], UNIQUE),
    ("queue_tickets", [("hall", 1), ("day", 1), ("group", 1), ("state", 1), ("priority", 1), ("seq", 1)], {}),
    ("queue_tickets", [("hall", 1), ("day", 1), ("state", 1), ("called_at", -1)], {}),
    ("queue_tickets", [("hall", 1), ("day", 1), ("window", 1), ("state", 1)], {}),
    # api/delivery/service.py, courier.py, carrier.py
    ("shipments", [("waybill_no", 1)], UNIQUE),
    ("shipments", [("application_id", 1)], UNIQUE),
    ("shipments", [("courier_id", 1), ("out_for_date", 1), ("route_area", 1)], {}),
    ("shipments", [("state", 1), ("state_since", 1)], {}),
    ("shipment_events", [("shipment_id", 1), ("at", 1)], {}),
    ("delivery_alerts", [("hall", 1), ("created_at", -1)], {}),
    # api/stats/aggregate.py: each source read after its checkpoint (updated_at, _id); service.py: counters by scope
    ("applications", [("updated_at", 1)], {}),
    ("fee_orders", [("updated_at", 1)], {}),
    ("shipments", [("updated_at", 1)], {}),
    ("stats_counters", [("scope", 1)], {}),
    ("sub_applications", [("state", 1), ("deadline_on", 1)], {}),  # the admin's overdue list
    # api/evaluations/service.py, rectifications.py (evaluation_totals is read by _id only)
    ("evaluations", [("subject_type", 1), ("subject_id", 1)], UNIQUE),  # one rating per subject
    ("evaluations", [("account_id", 1), ("created_at", -1)], {}),
    ("evaluations", [("updated_at", 1)], {}),  # incremental aggregation (api/stats) reads what changed since
    ("evaluation_invitations", [("account_id", 1), ("evaluation_id", 1), ("invited_at", -1)], {}),
    ("evaluation_invitations", [("evaluation_id", 1), ("reminded_at", 1), ("invited_at", 1)], {}),  # remind_unrated
    ("rectifications", [("state", 1), ("deadline_on", 1)], {}),
    ("rectifications", [("evaluation_id", 1)], UNIQUE),
]


def ensure_indexes(store: Any, collections: tuple[str, ...] | None = None) -> list[str]:
    """Create the indexes (of `collections` only, if given); returns "collection.index_name" for each."""
    return [
        f"{collection}.{store[collection].create_index(keys, **options)}"
        for collection, keys, options in INDEXES
        if collections is None or collection in collections
    ]

"""What the applicant's hottest requests ask the store (the load benchmark's prefill, submit, tracking and
my applications): each document once, no query per row, and the same answer as reading it back."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from api.applications import states
from api.catalog import service as catalog
from tests.applications.conftest import RESTAURANT_FACTS, fill, ok, provide_materials, start, submit, submitted
from tests.store_calls import store_calls

HISTORY = ("sub_applications", "application_events", "fee_orders", "shipments")


@pytest.fixture
def catalogue_reads(monkeypatch):
    """How many times a request asked the catalogue for a bundle and for an item (served from memory or not)."""
    asked = Counter()
    for name in ("get_bundle", "get_item"):

        def counted(store, code, _real=getattr(catalog, name), _name=name):
            asked[_name] += 1
            return _real(store, code)

        monkeypatch.setattr(catalog, name, counted)
    return asked


def test_tracking_an_application_reads_each_of_its_documents_once(app, restaurateur, catalogue_reads):
    owner = restaurateur()
    sent = submitted(owner, bundle="open-restaurant")
    catalogue_reads.clear()

    with store_calls(app) as calls:
        ok(owner.get(f"/applications/{sent['id']}"))

    assert calls.count("applications") == 1
    assert calls.count("accounts") <= 1  # X-Acting-For's check may read it; reading one's own application needs no account
    assert [calls.count(name) for name in HISTORY] == [1, 1, 1, 1]
    assert catalogue_reads == {"get_bundle": 1, "get_item": len(sent["items"])}  # each once, though form and materials need both


def test_starting_a_draft_reads_the_catalogue_once_and_asks_nothing_about_its_history(app, restaurateur, catalogue_reads):
    owner = restaurateur()

    with store_calls(app) as calls:
        draft = start(owner, bundle="open-restaurant")

    assert [calls.count(name) for name in HISTORY] == [0, 0, 0, 0]
    assert calls.count("applications", "find_one") == 1  # the previous application, for prefill
    assert catalogue_reads == {"get_bundle": 1, "get_item": len(draft["items"])}


def test_a_new_draft_answers_exactly_what_reading_it_back_answers(restaurateur):
    owner = restaurateur()

    for target in ({"bundle": "open-restaurant"}, {"item": "430200-SCJG-002"}):
        started = owner.post("/applications", json=target)
        assert started.status_code == 201
        read = owner.get(f"/applications/{started.get_json()['id']}")
        assert json.loads(started.data) == json.loads(read.data)


def test_submitting_reads_the_catalogue_once_and_answers_what_reading_it_back_answers(app, restaurateur, catalogue_reads):
    owner = restaurateur()
    ready = provide_materials(owner, fill(owner, start(owner, bundle="open-restaurant"), RESTAURANT_FACTS))
    catalogue_reads.clear()

    with store_calls(app) as calls:
        sent = submit(owner, ready)

    assert sent.status_code == 200
    assert calls.count("applications", "find_one") == 1  # the draft; not the last application (its values are never locked)
    assert calls.count("sub_applications", "insert_many") == 1 and calls.count("sub_applications", "insert_one") == 0
    assert [calls.count(name, "find") + calls.count(name, "find_one") for name in HISTORY] == [0, 0, 0, 0]  # as written
    assert catalogue_reads == {"get_bundle": 1, "get_item": len(ready["items"])}  # the view is built from what submitting read
    assert json.loads(sent.data) == json.loads(owner.get(f"/applications/{ready['id']}").data)
    assert len(sent.get_json()["subs"]) == len(ready["items"])


def test_a_clerk_opening_an_application_logs_its_form_s_fields_and_reads_the_catalogue_once(
    store, restaurateur, clerk, catalogue_reads
):
    owner = restaurateur()
    sent = submitted(owner, bundle="open-restaurant")
    catalogue_reads.clear()

    seen = ok(clerk.get(f"/clerk/applications/{sent['id']}"))

    logged = store["data_use_log"].find_one({"subject_id": owner.account_id, "actor_id": clerk.account_id})
    assert logged["fields"] == sorted(f["name"] for f in seen["fields"]) and logged["purpose"] == "窗口受理审核申请"
    assert catalogue_reads == {"get_bundle": 1, "get_item": len(sent["items"])}


def test_an_item_accepted_on_submission_answers_what_reading_it_back_answers(restaurateur):
    owner = restaurateur()
    ready = provide_materials(owner, fill(owner, start(owner, item="430200-SCJG-001"), RESTAURANT_FACTS))

    sent = submit(owner, ready)

    assert ok(sent)["state"] == "in_review"  # reviewed online only: accepted at once
    assert json.loads(sent.data) == json.loads(owner.get(f"/applications/{ready['id']}").data)


def test_my_applications_reads_the_page_and_its_fees_once_without_counting_a_page_that_is_not_full(app, restaurateur):
    owner = restaurateur()
    submitted(owner, bundle="open-restaurant")
    start(owner, bundle="open-restaurant")
    start(owner, item="430200-SCJG-002")

    with store_calls(app) as calls:
        listed = owner.get("/applications")

    assert len(ok(listed)) == 3 and json.loads(listed.headers["X-Pagination"])["total"] == 3
    assert calls.count("applications") == 1 and calls.count("fee_orders") == 1
    assert calls.count("accounts") <= 1  # X-Acting-For's check may read it; the list needs no account


def test_every_page_of_my_applications_tells_the_same_total(restaurateur):
    owner = restaurateur()
    for _ in range(5):
        start(owner, item="430200-SCJG-002")

    for page, rows in ((1, 2), (2, 2), (3, 1), (4, 0)):
        listed = owner.get(f"/applications?page={page}&page_size=2")
        assert len(ok(listed)) == rows
        assert json.loads(listed.headers["X-Pagination"])["total"] == 5, page


def test_the_last_application_is_offered_past_newer_drafts_and_after_a_withdrawal(restaurateur):
    owner = restaurateur()
    sent = submitted(owner, bundle="open-restaurant")
    start(owner, item="430200-SCJG-002")
    start(owner, item="430200-SCJG-002")

    def offered_shop_name() -> str | None:
        draft = start(owner, item="430200-SCJG-002")
        return next(f for f in draft["fields"] if f["name"] == "shop.name")["value"]

    assert offered_shop_name() == RESTAURANT_FACTS["shop.name"]
    ok(owner.post(f"/applications/{sent['id']}/withdraw"))
    assert offered_shop_name() == RESTAURANT_FACTS["shop.name"]


def test_every_state_of_an_application_has_a_label_so_none_is_left_out_of_the_submitted_ones():
    declared = {value for name, value in vars(states).items() if name.isupper() and isinstance(value, str)}
    assert declared <= set(states.STATE_LABELS)
    assert set(states.SUBMITTED_ONCE) == set(states.STATE_LABELS) - {states.DRAFT}

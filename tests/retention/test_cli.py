"""`flask retention purge [--dry-run]`: prints the counts; a dry run changes nothing at all."""

from __future__ import annotations

from api.audit import AUDIT_LOG
from tests.applications.conftest import app, business_licence, ok, resident, restaurateur, start  # noqa: F401
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401

from .conftest import days_ago

DAY = 86400


def _snapshot(store) -> dict:
    return {name: list(store[name].find({}, sort=[("_id", 1)])) for name in store.list_collection_names()}


def _purge(app, *args: str) -> str:  # noqa: F811
    result = app.test_cli_runner().invoke(args=["retention", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_dry_run_prints_what_would_go_and_changes_nothing(app, store, clock, closed_application):  # noqa: F811
    closed_application("rejected", closed_days_ago=365)
    store["sms_log"].insert_one({"phone_bi": "bi", "text": "…", "sent_at": days_ago(120)})
    before = _snapshot(store)

    output = _purge(app, "--dry-run")

    assert "would purge" in output and "closed_applications 1" in output and "sms_log 1" in output
    assert _snapshot(store) == before


def test_the_command_purges_and_prints_the_counts_by_the_moved_clock(app, store, clock, closed_application):  # noqa: F811
    closed_application("withdrawn", closed_days_ago=100)  # not yet: 180 days by default
    assert "closed_applications 0" in _purge(app)

    clock.advance(81 * DAY)
    output = _purge(app)

    assert "purged" in output and "closed_applications 1" in output and "closed_uploads 1" in output
    assert store[AUDIT_LOG].count_documents({"action": "retention.purge"}) == 2


def test_a_draft_started_through_the_api_is_purged_after_the_draft_retention(app, store, clock, restaurateur):  # noqa: F811
    draft = start(restaurateur(), item="430200-SCJG-002")
    clock.advance(29 * DAY)
    assert "drafts 0" in _purge(app)

    clock.advance(2 * DAY)
    assert "drafts 1" in _purge(app)
    assert store["applications"].find_one({"_id": draft["id"]}) is None

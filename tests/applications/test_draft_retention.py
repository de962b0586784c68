"""Drafts nobody touched for the retention period (DRAFT_RETENTION_DAYS, 30 days by default) are purged
with their uploads: `flask purge-drafts`, or `purge_stale_drafts` from a worker."""

from __future__ import annotations

import os
import time

import pytest

from api.applications.retention import purge_stale_drafts
from api.applications.uploads import upload_path
from tests.applications.conftest import fill, ok, start, submitted, tiny_pdf, upload
from tests.auth.conftest import clock  # noqa: F401 - the fixture moves api.clock

DAY = 86400


def _age_file(app, record: dict) -> None:
    """As if the file had been written long ago (the purge leaves files used in the last hour alone)."""
    old = time.time() - 40 * DAY
    os.utime(upload_path(app.config["DATA_DIR"], record["sha256"]), (old, old))


def _purge(app, *args: str):
    result = app.test_cli_runner().invoke(args=["purge-drafts", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def owner(restaurateur, clock):  # noqa: F811 - the re-exported fixture
    return restaurateur()


def test_a_draft_untouched_for_the_retention_period_is_purged_with_its_upload_records_and_file(owner, app, store, clock):  # noqa: F811
    forgotten = start(owner, bundle="open-restaurant")
    ok(upload(owner, forgotten, "food_layout_plan", tiny_pdf() + b"%forgotten\n"))
    record = store["uploads"].find_one({"application_id": forgotten["id"]})
    _age_file(app, record)
    clock.advance(31 * DAY)

    output = _purge(app)

    assert "purged 1 draft(s) untouched for 30 days, 1 upload record(s), 1 file(s)" in output
    assert store["applications"].find_one({"_id": forgotten["id"]}) is None
    assert store["uploads"].count_documents({}) == 0
    assert not upload_path(app.config["DATA_DIR"], record["sha256"]).exists()


def test_a_draft_saved_within_the_period_and_submitted_applications_are_kept(owner, app, store, clock):  # noqa: F811
    sent = submitted(owner, bundle="open-restaurant")
    touched = start(owner, item="430200-SCJG-002")
    clock.advance(20 * DAY)
    fill(owner, touched, {"shop.seats": 20})  # saved: untouched for 11 days only, by the end
    clock.advance(11 * DAY)

    output = _purge(app)

    assert "purged 0 draft(s)" in output
    assert store["applications"].find_one({"_id": touched["id"]})["state"] == "draft"
    assert store["applications"].find_one({"_id": sent["id"]})["state"] == "submitted"
    assert store["uploads"].count_documents({}) == 4  # the submitted application's uploads


def test_a_file_another_upload_record_still_uses_is_kept_when_a_draft_is_purged(owner, app, store, clock):  # noqa: F811
    sent = submitted(owner, bundle="open-restaurant")  # its uploads are the same bytes as the draft's
    forgotten = start(owner, item="430200-SCJG-002")
    ok(upload(owner, forgotten, "food_layout_plan", tiny_pdf()))
    record = store["uploads"].find_one({"application_id": forgotten["id"]})
    _age_file(app, record)
    clock.advance(31 * DAY)

    purged = purge_stale_drafts(store, 30, app.config["DATA_DIR"])

    assert (purged.drafts, purged.uploads, purged.files) == (1, 1, 0)
    assert store["uploads"].find_one({"_id": record["_id"]}) is None
    assert upload_path(app.config["DATA_DIR"], record["sha256"]).exists()
    assert store["applications"].find_one({"_id": sent["id"]}) is not None


def test_the_retention_comes_from_the_configuration_and_the_days_option(owner, app, store, clock):  # noqa: F811
    draft = start(owner, item="430200-SCJG-002")
    clock.advance(8 * DAY)

    assert "purged 0 draft(s) untouched for 30 days" in _purge(app)
    assert "purged 0 draft(s) untouched for 10 days" in _purge(app, "--days", "10")
    app.config["DRAFT_RETENTION_DAYS"] = 7
    assert "purged 1 draft(s) untouched for 7 days" in _purge(app)
    assert store["applications"].find_one({"_id": draft["id"]}) is None


def test_a_retention_below_one_day_is_refused_and_nothing_is_deleted(owner, app, store, clock):  # noqa: F811
    start(owner, item="430200-SCJG-002")
    clock.advance(31 * DAY)

    result = app.test_cli_runner().invoke(args=["purge-drafts", "--days", "0"])

    assert result.exit_code != 0
    with pytest.raises(ValueError):
        purge_stale_drafts(store, 0)
    assert store["applications"].count_documents({}) == 1


def test_the_default_retention_is_30_days():
    from api.config import load_config

    assert load_config(environ={})["DRAFT_RETENTION_DAYS"] == 30
    assert load_config(environ={"ONETRIP_DRAFT_RETENTION_DAYS": "90"})["DRAFT_RETENTION_DAYS"] == 90

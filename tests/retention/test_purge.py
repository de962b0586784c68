"""Each kind of data is purged after its retention and kept before it; audit entries never are; a dry
run changes nothing; every real run leaves one audit entry with its counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from api.applications.uploads import UPLOADS, upload_path
from api.audit import AUDIT_LOG, append, verify
from api.config import load_config
from api.retention.service import RetentionSettings, purge, run_if_due
from api.store import SQLiteStore, ensure_indexes

from .conftest import NOW, days_ago


@pytest.fixture
def store(tmp_path):
    """A bare embedded store with every index: the purge needs no app (test_cli.py drives the app)."""
    opened = SQLiteStore(str(tmp_path / "retention.sqlite3"))
    ensure_indexes(opened)
    yield opened
    opened.close()


@pytest.fixture
def data_dir(tmp_path) -> str:
    return str(tmp_path / "var")


SETTINGS = RetentionSettings(draft_days=30, closed_upload_days=180, sms_log_days=90, outbox_days=90, login_code_days=7)


def _sms(store, sent_days_ago: float) -> str:
    return store["sms_log"].insert_one({"phone_bi": "bi", "text": "【一次办】…", "sent_at": days_ago(sent_days_ago)}).inserted_id


def _outbox(store, state: str, sent_days_ago: float) -> str:
    message = {"idempotency_key": f"k-{state}-{sent_days_ago}", "state": state, "due_at": days_ago(sent_days_ago),
               "sent_at": days_ago(sent_days_ago) if state == "sent" else None}  # fmt: skip
    return store["outbox"].insert_one(message).inserted_id


def _login_code(store, expired_days_ago: float) -> str:
    code = {"phone_bi": "bi", "purpose": "login", "used": False, "created_at": days_ago(expired_days_ago),
            "expires_at": days_ago(expired_days_ago)}  # fmt: skip
    return store["otp_codes"].insert_one(code).inserted_id


def _ids(store, collection: str) -> set:
    return {d["_id"] for d in store[collection].find({}, {"_id": 1})}


def test_sms_log_entries_are_purged_after_their_retention_and_kept_before(store):
    old, recent = _sms(store, 91), _sms(store, 89)

    counts = purge(store, SETTINGS, None, now=NOW)

    assert counts["sms_log"] == 1 and _ids(store, "sms_log") == {recent}
    assert old not in _ids(store, "sms_log")


def test_only_sent_outbox_messages_past_their_retention_are_purged(store):
    old_sent, recent_sent = _outbox(store, "sent", 100), _outbox(store, "sent", 10)
    old_dead, queued = _outbox(store, "dead", 100), _outbox(store, "queued", 100)

    counts = purge(store, SETTINGS, None, now=NOW)

    assert counts["outbox"] == 1
    assert _ids(store, "outbox") == {recent_sent, old_dead, queued} and old_sent not in _ids(store, "outbox")


def _send(store, state: str, finished_days_ago: float) -> str:
    record = {"_id": f"msg-{state}-{finished_days_ago}", "account_id": "acc_1", "template_id": "tpl", "state": state,
              "created_at": days_ago(finished_days_ago), "updated_at": days_ago(finished_days_ago)}  # fmt: skip
    return store["miniprogram_sends"].insert_one(record).inserted_id


def test_finished_mini_program_send_records_are_purged_with_the_outbox_and_taken_ones_kept(store):
    old_sent, old_refused = _send(store, "sent", 100), _send(store, "refused", 100)
    recent, still_taken = _send(store, "sent", 10), _send(store, "taken", 100)

    counts = purge(store, SETTINGS, None, now=NOW)

    assert counts["miniprogram_sends"] == 2
    assert _ids(store, "miniprogram_sends") == {recent, still_taken}
    assert not {old_sent, old_refused} & _ids(store, "miniprogram_sends")


def test_login_codes_expired_past_their_retention_are_purged(store):
    _login_code(store, 8)
    kept = _login_code(store, 6)

    assert purge(store, SETTINGS, None, now=NOW)["login_codes"] == 1
    assert _ids(store, "otp_codes") == {kept}


@pytest.mark.parametrize("state", ["rejected", "withdrawn"])
def test_uploads_of_a_closed_application_are_purged_and_the_application_keeps_a_note(store, data_dir, closed_application, state):
    application, upload = closed_application(state, closed_days_ago=181)

    counts = purge(store, SETTINGS, data_dir, now=NOW)

    assert (counts["closed_applications"], counts["closed_uploads"], counts["closed_files"]) == (1, 1, 1)
    assert store[UPLOADS].find_one({"_id": upload["_id"]}) is None
    assert not upload_path(data_dir, upload["sha256"]).exists()
    kept = store["applications"].find_one({"_id": application["_id"]})
    assert kept["state"] == state and kept["uploads_purged_at"] and kept["materials"]["floor_plan"]["purged"] is True
    [event] = list(store["application_events"].find({"application_id": application["_id"]}))
    assert (event["action"], event["actor_id"]) == ("uploads_purged", "system")


def test_uploads_of_a_recently_closed_or_open_application_are_kept(store, data_dir, closed_application):
    _, recent = closed_application("rejected", closed_days_ago=179)
    _, open_one = closed_application("in_review", closed_days_ago=400)

    counts = purge(store, SETTINGS, data_dir, now=NOW)

    assert counts["closed_applications"] == 0
    assert _ids(store, UPLOADS) == {recent["_id"], open_one["_id"]}
    assert upload_path(data_dir, recent["sha256"]).exists()


def test_a_closed_application_is_purged_once(store, data_dir, closed_application):
    closed_application("withdrawn", closed_days_ago=300)

    assert purge(store, SETTINGS, data_dir, now=NOW)["closed_applications"] == 1
    assert purge(store, SETTINGS, data_dir, now=NOW)["closed_applications"] == 0


def test_audit_entries_are_never_purged_and_each_run_appends_one_with_its_counts(store):
    append(store, actor_id="c1", actor_role="clerk", action="application.accept", subject_type="application", subject_id="a")
    long_after = NOW + dt.timedelta(days=5000)  # the entry is older than any retention by then
    store["sms_log"].insert_one({"phone_bi": "bi", "text": "…", "sent_at": days_ago(1)})

    counts = purge(store, SETTINGS, None, now=long_after)

    entries = list(store[AUDIT_LOG].find({}, sort=[("seq", 1)]))
    assert [e["seq"] for e in entries] == [1, 2]
    assert (entries[1]["action"], entries[1]["actor_id"]) == ("retention.purge", "system")
    assert entries[1]["detail"] == counts and counts["sms_log"] == 1
    assert verify(store).ok


def test_a_retention_of_zero_keeps_that_kind_forever(store):
    kept = _sms(store, 5000)

    counts = purge(store, dataclasses.replace(SETTINGS, sms_log_days=0), None, now=NOW)

    assert "sms_log" not in counts and _ids(store, "sms_log") == {kept}


def test_the_scheduled_run_purges_once_per_interval_across_callers(store):
    _sms(store, 100)

    first = run_if_due(store, SETTINGS, None, now=NOW)
    again = run_if_due(store, SETTINGS, None, now=NOW.replace(minute=59))
    later = run_if_due(store, SETTINGS, None, now=NOW.replace(hour=3))

    assert first["sms_log"] == 1 and again is None and later is not None
    assert store[AUDIT_LOG].count_documents({"action": "retention.purge"}) == 2
    assert verify(store).ok


def test_the_settings_come_from_the_configuration_and_its_environment_variables():
    config = load_config(environ={"ONETRIP_RETENTION_SMS_LOG_DAYS": "30", "ONETRIP_DRAFT_RETENTION_DAYS": "90"})
    settings = RetentionSettings.from_config(config)

    assert (settings.sms_log_days, settings.draft_days, settings.outbox_days) == (30, 90, 90)
    with pytest.raises(ValueError):
        RetentionSettings.from_config({**config, "RETENTION_OUTBOX_DAYS": -1})

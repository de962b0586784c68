"""The worker: lease, per-channel outcome, backoff, dead-lettering, quiet hours."""

from datetime import UTC, datetime

import pytest

from api.errors import Conflict
from notifications.channels.base import NothingToSend, Undeliverable
from notifications.outbox import DEAD, OUTBOX, QUEUED, RETRY, SENDING, SENT, requeue_dead
from notifications.quiet_hours import QuietHours
from notifications.worker import LeaseLost, _Lease

from .conftest import Clock, RecordingChannel, always_failing, make_message, make_worker, recording_channels

BACKOFF = (30, 120, 600, 3600, 21600)


def stored(store, message):
    return store[OUTBOX].find_one({"_id": message["_id"]})


def test_a_due_message_is_sent_through_each_of_its_channels_once_and_marked_sent(engine_store, clock):
    channels = recording_channels()
    message = make_message(engine_store, phone="13800138000")
    worker = make_worker(engine_store, channels, clock)
    assert worker.drain() == 1
    assert [channels[name].sent[message["_id"]] for name in ("inbox", "webpush", "sms")] == [1, 1, 1]
    after = stored(engine_store, message)
    assert after["state"] == SENT and after["sent_at"] == "2026-05-04T02:00:00.000Z"
    assert {name: c["state"] for name, c in after["channels"].items()} == {"inbox": "sent", "webpush": "sent", "sms": "sent"}
    assert all(c["attempts"] == 1 for c in after["channels"].values())
    assert "lease_token" not in after and "lease_owner" not in after


def test_a_message_not_yet_due_is_not_claimed(engine_store, clock):
    make_message(engine_store, now=datetime(2026, 5, 4, 3, 0, tzinfo=UTC))
    assert make_worker(engine_store, recording_channels(), clock).drain() == 0


def test_a_claimed_message_is_leased_and_no_other_worker_can_claim_it_before_the_lease_expires(engine_store, clock):
    make_message(engine_store)
    first = make_worker(engine_store, recording_channels(), clock, lease_seconds=60)
    second = make_worker(engine_store, recording_channels(), clock, lease_seconds=60)
    message, expired = first.claim()
    assert message["state"] == SENDING and not expired
    assert stored(engine_store, message)["due_at"] == "2026-05-04T02:01:00.000Z"
    clock.advance(59)
    assert second.claim() is None
    clock.advance(1)
    reclaimed, expired = second.claim()
    assert reclaimed["_id"] == message["_id"] and expired


def test_an_expired_lease_counts_as_a_failed_try_and_the_message_is_sent_by_the_next_worker(engine_store, clock):
    message = make_message(engine_store)
    make_worker(engine_store, recording_channels(), clock, lease_seconds=60).claim()  # then "dies"
    clock.advance(61)
    channels = recording_channels()
    assert make_worker(engine_store, channels, clock).drain() == 1
    after = stored(engine_store, message)
    assert after["state"] == SENT and after["failures"] == 1 and after["tries"] == 2
    assert channels["inbox"].sent[message["_id"]] == 1


def test_a_worker_whose_lease_was_taken_over_can_no_longer_write_the_message(engine_store, clock):
    make_message(engine_store)
    slow = make_worker(engine_store, recording_channels(), clock, lease_seconds=60)
    message, _ = slow.claim()
    clock.advance(61)
    make_worker(engine_store, recording_channels(), clock).drain()
    with pytest.raises(LeaseLost):
        _Lease(slow, message).write({"$set": {"state": RETRY}})
    assert stored(engine_store, message)["state"] == SENT


def test_temporary_failures_are_retried_on_the_backoff_schedule_and_the_message_is_dead_after_the_last_try(engine_store, clock):
    message = make_message(engine_store)
    channels = {"inbox": always_failing("inbox"), "webpush": RecordingChannel("webpush")}
    worker = make_worker(engine_store, channels, clock, backoff=BACKOFF)
    waits = []
    for _ in BACKOFF:
        assert worker.drain() == 1
        after = stored(engine_store, message)
        assert after["state"] == RETRY
        due = datetime.fromisoformat(after["due_at"].replace("Z", "+00:00"))
        waits.append((due - clock.now).total_seconds())
        clock.advance(waits[-1] - 1)
        assert worker.drain() == 0, "retried before its backoff was over"
        clock.advance(1)
    assert waits == list(BACKOFF)
    assert worker.drain() == 1
    after = stored(engine_store, message)
    assert after["state"] == DEAD and after["failures"] == 6 and after["tries"] == 6
    assert after["channels"]["inbox"]["attempts"] == 6 and after["channels"]["inbox"]["last_error"] == "provider down"
    clock.advance(86400)
    assert worker.drain() == 0, "a dead message is never tried again"


def test_a_channel_that_succeeded_is_not_called_again_when_another_channel_is_retried(engine_store, clock):
    message = make_message(engine_store, phone="13800138000")
    channels = {"inbox": RecordingChannel("inbox"), "webpush": RecordingChannel("webpush"), "sms": always_failing("sms", times=2)}
    worker = make_worker(engine_store, channels, clock, backoff=BACKOFF)
    worker.drain()
    clock.advance(30)
    worker.drain()
    clock.advance(120)
    worker.drain()
    assert stored(engine_store, message)["state"] == SENT
    assert channels["inbox"].calls == 1 and channels["webpush"].calls == 1 and channels["sms"].calls == 3


def test_an_undeliverable_channel_is_recorded_as_failed_and_not_retried(engine_store, clock):
    message = make_message(engine_store, phone="13800138000")
    channels = recording_channels()
    channels["sms"] = RecordingChannel("sms", [Undeliverable("number does not exist")])
    make_worker(engine_store, channels, clock).drain()
    after = stored(engine_store, message)
    assert after["state"] == SENT
    assert after["channels"]["sms"]["state"] == "failed" and after["channels"]["sms"]["last_error"] == "number does not exist"


def test_a_channel_with_nobody_to_reach_is_recorded_as_skipped(engine_store, clock):
    message = make_message(engine_store)
    channels = recording_channels()
    channels["webpush"] = RecordingChannel("webpush", [NothingToSend("no push subscriptions")])
    make_worker(engine_store, channels, clock).drain()
    assert stored(engine_store, message)["channels"]["webpush"]["state"] == "skipped"


def test_a_message_that_no_channel_could_deliver_is_dead(engine_store, clock):
    message = make_message(engine_store, "verification_code", account_id=None, phone="13800138000")
    channels = {"sms": RecordingChannel("sms", [Undeliverable("blocked number")])}
    make_worker(engine_store, channels, clock).drain()
    assert stored(engine_store, message)["state"] == DEAD


def test_an_unexpected_exception_in_a_channel_is_retried_not_lost(engine_store, clock):
    message = make_message(engine_store)
    channels = recording_channels()
    channels["inbox"] = RecordingChannel("inbox", [KeyError("bug")])
    worker = make_worker(engine_store, channels, clock)
    worker.drain()
    assert stored(engine_store, message)["state"] == RETRY
    clock.advance(30)
    worker.drain()
    assert stored(engine_store, message)["state"] == SENT and channels["inbox"].sent[message["_id"]] == 1


def test_a_worker_without_a_channel_the_message_needs_retries_it_rather_than_dropping_it(engine_store, clock):
    message = make_message(engine_store)
    make_worker(engine_store, {"inbox": RecordingChannel("inbox")}, clock).drain()
    after = stored(engine_store, message)
    assert after["state"] == RETRY and after["channels"]["webpush"]["last_error"] == "this worker has no webpush channel"


def test_a_message_whose_data_cannot_be_rendered_any_more_is_dead_with_the_reason(engine_store, clock):
    message = make_message(engine_store)
    engine_store[OUTBOX].update_one({"_id": message["_id"]}, {"$unset": {"data.bundle_name": ""}})
    make_worker(engine_store, recording_channels(), clock).drain()
    after = stored(engine_store, message)
    assert after["state"] == DEAD and "bundle_name" in after["last_error"]


def test_a_dead_message_can_be_requeued_with_fresh_tries(engine_store, clock):
    message = make_message(engine_store)
    channels = {"inbox": always_failing("inbox"), "webpush": RecordingChannel("webpush")}
    worker = make_worker(engine_store, channels, clock, backoff=(1,))
    worker.drain()
    clock.advance(1)
    worker.drain()
    assert stored(engine_store, message)["state"] == DEAD
    requeue_dead(engine_store, message["_id"], now=clock.now)
    worker.channels["inbox"] = RecordingChannel("inbox")
    worker.drain()
    assert stored(engine_store, message)["state"] == SENT


QUIET = QuietHours.parse("22:00-08:00")
NIGHT = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai


def test_non_urgent_sms_wait_for_the_end_of_the_quiet_hours_while_the_inbox_gets_it_at_once(engine_store):
    clock = Clock(NIGHT)
    message = make_message(engine_store, phone="13800138000", now=NIGHT)
    channels = recording_channels()
    worker = make_worker(engine_store, channels, clock, quiet_hours=QUIET)
    worker.drain()
    after = stored(engine_store, message)
    assert channels["inbox"].sent[message["_id"]] == 1 and channels["sms"].calls == 0
    assert after["state"] == QUEUED and after["due_at"] == "2026-05-05T00:00:00.000Z"  # 08:00 Shanghai
    assert after["failures"] == 0
    clock.now = datetime(2026, 5, 5, 0, 0, tzinfo=UTC)
    worker.drain()
    assert channels["sms"].sent[message["_id"]] == 1 and channels["inbox"].calls == 1
    assert stored(engine_store, message)["state"] == SENT


def test_verification_codes_are_sent_at_once_even_in_the_quiet_hours(engine_store):
    message = make_message(engine_store, "verification_code", account_id=None, phone="13800138000", now=NIGHT)
    channels = recording_channels("sms")
    make_worker(engine_store, channels, Clock(NIGHT), quiet_hours=QUIET).drain()
    assert channels["sms"].sent[message["_id"]] == 1


@pytest.mark.parametrize(
    ("local", "quiet"),
    [("21:59", False), ("22:00", True), ("03:00", True), ("07:59", True), ("08:00", False), ("12:00", False)],
)
def test_quiet_hours_span_midnight_in_shanghai_time(local, quiet):
    hour, minute = map(int, local.split(":"))
    moment = datetime(2026, 5, 4, hour, minute, tzinfo=QUIET._local(NIGHT).tzinfo)
    assert QUIET.contains(moment) is quiet


def test_quiet_hours_can_be_configured_or_switched_off():
    assert QuietHours.parse("off") is None
    assert QuietHours.parse("13:00-14:00").contains(datetime(2026, 5, 4, 5, 30, tzinfo=UTC))  # 13:30 Shanghai
    for bad in ("22:00", "late-early", "08:00-08:00"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)


def test_a_retry_that_raises_again_is_not_counted_twice_for_an_expired_lease(engine_store, clock):
    message = make_message(engine_store)
    make_worker(engine_store, recording_channels(), clock, lease_seconds=10).claim()
    clock.advance(11)
    worker = make_worker(engine_store, {"inbox": always_failing("inbox", 1), "webpush": RecordingChannel("webpush")}, clock)
    worker.drain()
    after = stored(engine_store, message)
    assert after["state"] == RETRY and after["failures"] == 2  # the dead worker's try and this one
    assert after["due_at"] == "2026-05-04T02:02:11.000Z"  # the second backoff step: 120 s


class Killed(BaseException):
    """Stands for the process dying mid-send: nothing after it in the worker runs."""


def test_a_message_that_kills_its_worker_on_every_try_is_dead_after_the_last_try_without_another_send(engine_store, clock):
    message = make_message(engine_store)
    for _ in range(6):
        killer = {"inbox": RecordingChannel("inbox", [Killed()]), "webpush": RecordingChannel("webpush")}
        with pytest.raises(Killed):
            make_worker(engine_store, killer, clock, lease_seconds=10).drain()
        clock.advance(11)
    channels = recording_channels()
    make_worker(engine_store, channels, clock).drain()
    after = stored(engine_store, message)
    assert after["state"] == DEAD and after["failures"] == 6 and after["tries"] == 7
    assert channels["inbox"].calls == 0


def test_a_verification_code_is_blanked_in_the_outbox_once_it_was_sent(engine_store, clock):
    message = make_message(engine_store, "verification_code", account_id=None, phone="13800138000", code="654321")
    channels = recording_channels("sms")
    make_worker(engine_store, channels, clock).drain()
    after = stored(engine_store, message)
    assert after["state"] == SENT and after["data"]["code"] == "******"


def test_a_dead_verification_code_is_blanked_and_cannot_be_requeued(engine_store, clock):
    message = make_message(engine_store, "verification_code", account_id=None, phone="13800138000", code="654321")
    make_worker(engine_store, {"sms": always_failing("sms")}, clock, backoff=(1,)).drain()
    clock.advance(1)
    make_worker(engine_store, {"sms": always_failing("sms")}, clock, backoff=(1,)).drain()
    assert stored(engine_store, message)["data"]["code"] == "******"
    with pytest.raises(Conflict):
        requeue_dead(engine_store, message["_id"])

"""Fixed-window limits in the store: they count across processes and reset with the window."""

import pytest

from auth.limits import SHANGHAI, Rule, TooManyRequests, count, enforce, hit, peek


def test_a_limit_allows_its_count_then_answers_the_wait(store):
    rule = Rule("t", 2, 60)
    assert [hit(store, rule, "x", now=1000.0) for _ in range(3)] == [0, 0, 21]


def test_a_new_window_starts_counting_again(store):
    rule = Rule("t", 1, 60)
    assert hit(store, rule, "x", now=1000.0) == 0
    assert hit(store, rule, "x", now=1001.0) > 0
    assert hit(store, rule, "x", now=1021.0) == 0


def test_subjects_are_counted_apart_and_stored_only_as_digests(store):
    rule = Rule("t", 1, 60)
    assert hit(store, rule, "13800000001", now=0.0) == 0
    assert hit(store, rule, "13800000002", now=0.0) == 0
    assert "13800000001" not in str(list(store["rate_limits"].find({})))


def test_day_windows_end_at_midnight_in_shanghai(store):
    rule = Rule("d", 10, 86400, SHANGHAI)
    # 2026-11-25 15:59:00 UTC is 23:59 in Shanghai: one minute (and a second of margin) left
    _, left = count(store, rule, "x", now=1795622340.0)
    assert left == 61


def test_an_event_refused_by_the_first_rule_is_not_counted_under_the_next(store):
    address, phone = Rule("address", 1, 60), Rule("phone", 10, 86400)
    enforce(store, [(address, "198.51.100.1"), (phone, "13800000001")])
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            enforce(store, [(address, "198.51.100.1"), (phone, "13800000001")])
    assert peek(store, phone, "13800000001")[0] == 1

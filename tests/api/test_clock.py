"""Time as the store keeps it: 24 characters, UTC, milliseconds, sortable as text."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.clock import from_iso, to_iso


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 5, 3, 6, 30, tzinfo=UTC), "2026-05-03T06:30:00.000Z"),
        (datetime(2026, 5, 3, 14, 30, 0, 999_999, tzinfo=timezone(timedelta(hours=8))), "2026-05-03T06:30:00.999Z"),
        (datetime(2026, 12, 31, 23, 59, 59, 1_500, tzinfo=UTC), "2026-12-31T23:59:59.001Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
    ],
)
def test_a_moment_is_written_in_utc_to_the_millisecond_in_24_characters(moment, text):
    assert to_iso(moment) == text
    assert from_iso(text) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        to_iso(datetime(2026, 5, 3, 6, 30))


def test_text_order_is_time_order():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=7 * n**2) for n in range(200)]
    assert sorted(to_iso(m) for m in moments) == [to_iso(m) for m in moments]

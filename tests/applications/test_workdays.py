"""Promised time limits count working days as the holiday notices set them."""

import datetime as dt

import pytest

from api.applications import workdays
from api.applications.workdays import add_working_days, is_working_day, working_days_between


def test_the_national_day_holiday_is_not_a_working_day_and_its_make_up_saturday_is():
    assert not is_working_day(dt.date(2026, 10, 1))
    assert is_working_day(dt.date(2026, 10, 10))  # a Saturday worked for the Golden Week (调休)


def test_five_working_days_from_the_eve_of_the_national_day_skip_the_whole_holiday():
    # 2026-09-30 (Wed); 10-01..10-07 holiday; 10-08 Thu, 10-09 Fri, 10-10 Sat (make-up), 10-12 Mon, 10-13 Tue
    assert add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


def test_a_plain_week_counts_monday_to_friday():
    assert add_working_days(dt.date(2026, 11, 20), 3) == dt.date(2026, 11, 25)
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 25)) == 3


def test_a_year_without_holiday_data_counts_weekdays():
    assert is_working_day(dt.date(2031, 6, 2))  # a Monday
    assert not is_working_day(dt.date(2031, 6, 1))  # a Sunday


def test_a_local_closure_from_the_override_file_is_respected(monkeypatch):
    monkeypatch.setattr(workdays, "_overrides", lambda: {dt.date(2026, 11, 23): False})
    assert add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 24)


@pytest.mark.parametrize("days", [0, 1, 7, 20])
def test_adding_then_counting_working_days_agrees(days):
    start = dt.date(2026, 9, 25)
    assert working_days_between(start, add_working_days(start, days)) == days

"""Working days (工作日) for promised time limits, as the State Council's holiday notices set them.

Statutory holidays and the make-up working days of 调休 come from the maintained `chinese-calendar`
package. `data/calendar_overrides.json` adds what it cannot know: local closures (a typhoon day, a
hall moving) and, until the package publishes a year, that year's announced holidays. For a year
neither knows, Monday to Friday are working days and the gap is logged once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from pathlib import Path

import chinese_calendar

log = logging.getLogger("onetrip.applications.workdays")
OVERRIDES_FILE = Path(__file__).parent / "data" / "calendar_overrides.json"


@functools.cache
def _overrides() -> dict[dt.date, bool]:
    """date -> True (working) / False (closed), from the override file."""
    if not OVERRIDES_FILE.exists():
        return {}
    raw = json.loads(OVERRIDES_FILE.read_text(encoding="utf-8"))
    days = {dt.date.fromisoformat(d): False for d in raw.get("closed", [])}
    days.update({dt.date.fromisoformat(d): True for d in raw.get("working", [])})
    return days


@functools.cache
def _warn_no_data(year: int) -> None:
    log.warning("no holiday data for this year: counting Monday to Friday", extra={"year": year})


def is_working_day(day: dt.date) -> bool:
    override = _overrides().get(day)
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_no_data(day.year)
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which `days` working days after `start` are over (start itself not counted)."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        count += is_working_day(current)
    return count

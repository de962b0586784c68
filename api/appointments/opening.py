"""When a hall is open (开放时间) and the slots (预约时段) that opening hours make, in Asia/Shanghai.

A hall states its hours per weekday and its own closed days. The national calendar decides the rest
(api.applications.workdays): a statutory holiday closes every hall, a make-up working day (调休) opens
it with Monday's hours, and an ordinary weekend day keeps the hall's weekend hours (a community point
open on Saturday mornings). Slots are cut from each period in the hall's slot length; a remainder
shorter than one slot is not offered. Slots are computed, never stored: the same hours give the same
slots, so they are cached by the schedule's content.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

import chinese_calendar

from api.applications.workdays import is_working_day
from api.clock import from_iso, local_zone, to_iso

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAKE_UP_DAY_HOURS = "mon"  # a weekend day worked in place of a holiday keeps a normal working day's hours


def _statutory_holiday(day: dt.date) -> bool:
    """A weekend day inside a holiday (the Saturday of National Day week), not an ordinary weekend."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the package does not know yet: an ordinary weekend
        return False
    return bool(on_holiday and name)


@functools.lru_cache(maxsize=1024)
def day_kind(day: dt.date) -> str:
    """working | make_up (a weekend day worked) | weekend | holiday."""
    weekend = day.weekday() >= 5
    if is_working_day(day):
        return "make_up" if weekend else "working"
    if not weekend or _statutory_holiday(day):
        return "holiday"
    return "weekend"


def schedule_key(hall: dict) -> str:
    """What the slots of a hall depend on, as text (the cache key)."""
    return json.dumps([hall["opening_hours"], sorted(hall.get("closed_days") or []), hall["slot_minutes"]], sort_keys=True)


def periods_on(hall: dict, day: dt.date) -> list[list[str]]:
    """The hall's opening periods that day, [["09:00", "12:00"], …]; empty when closed."""
    if day.isoformat() in (hall.get("closed_days") or []):
        return []
    kind = day_kind(day)
    if kind == "holiday":
        return []
    weekday = MAKE_UP_DAY_HOURS if kind == "make_up" else WEEKDAYS[day.weekday()]
    return hall["opening_hours"].get(weekday) or []


def slots_on(hall: dict, day: dt.date) -> tuple[tuple[str, str], ...]:
    """(starts_at, ends_at) of each slot that day, UTC ISO, in order."""
    return _slots(schedule_key(hall), day)


def slots_by_day(hall: dict, days: list[dt.date]) -> list[tuple[dt.date, tuple[tuple[str, str], ...]]]:
    key = schedule_key(hall)
    return [(day, _slots(key, day)) for day in days]


@functools.lru_cache(maxsize=8192)
def _slots(key: str, day: dt.date) -> tuple[tuple[str, str], ...]:
    opening_hours, closed_days, minutes = json.loads(key)
    periods = periods_on({"opening_hours": opening_hours, "closed_days": closed_days}, day)
    zone, step = local_zone(), dt.timedelta(minutes=minutes)
    slots = []
    for start, end in periods:
        moment = dt.datetime.combine(day, dt.time.fromisoformat(start), zone)
        closing = dt.datetime.combine(day, dt.time.fromisoformat(end), zone)
        while moment + step <= closing:
            slots.append((to_iso(moment), to_iso(moment + step)))
            moment += step
    return tuple(slots)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date()


def local_time(iso: str) -> str:
    """'5月6日 09:30' for messages."""
    moment = from_iso(iso).astimezone(local_zone())
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"

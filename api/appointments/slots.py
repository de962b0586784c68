"""Places in slots: one counter document per hall and slot, holding how many places each window has given.

`appointment_slots` {_id: "<hall>|<starts_at>", hall, starts_at, day, taken: {"A01": 2, …}}. A booking
takes a place with one atomic conditional increment per window tried — `taken.A01 < places_per_window`
in the filter, `$inc` in the update — so two requests can never both take the last place, on either
engine and across processes: there is no read-then-write. The counter is created before the booking's
transaction (an upsert that may race with another request's; the loser's DuplicateKeyError means the
document exists, which is all it wanted), because inside a MongoDB transaction a duplicate key aborts
the transaction instead of being retried.

Availability reads the hall (one lookup) and the hall's counters over the horizon (one range query on
the (hall, starts_at) index, at most one document per slot): no booking is ever read for it.
"""

from __future__ import annotations

import datetime as dt

from api import clock
from api.clock import from_iso, to_iso

from .counters import ensure_counter
from .halls import windows_for
from .opening import day_kind, local_day, slots_by_day
from .settings import AppointmentSettings

COUNTERS = "appointment_slots"


def counter_id(hall_code: str, starts_at: str) -> str:
    return f"{hall_code}|{starts_at}"


def ensure_slot_counter(store, hall_code: str, starts_at: str) -> None:
    """Make sure the slot's counter exists (idempotent, outside any transaction)."""
    seed = {"hall": hall_code, "starts_at": starts_at, "day": local_day(from_iso(starts_at)).isoformat(), "taken": {},
            "created_at": clock.now_iso()}  # fmt: skip
    ensure_counter(store, COUNTERS, counter_id(hall_code, starts_at), seed)


def take_place(store, hall_code: str, starts_at: str, windows: list[str], places: int, session=None) -> str | None:
    """A place at the first of `windows` with room in this slot, atomically; the window's code, or None when full."""
    key = counter_id(hall_code, starts_at)
    for window in windows:
        path = f"taken.{window}"
        taken = store[COUNTERS].find_one_and_update(
            {"_id": key, "$or": [{path: {"$lt": places}}, {path: {"$exists": False}}]},
            {"$inc": {path: 1}, "$set": {"updated_at": clock.now_iso()}},
            projection={"_id": 1},
            session=session,
        )
        if taken is not None:
            return window
    return None


def release_place(store, hall_code: str, starts_at: str, window: str, session=None) -> None:
    path = f"taken.{window}"
    store[COUNTERS].update_one(
        {"_id": counter_id(hall_code, starts_at), path: {"$gt": 0}},
        {"$inc": {path: -1}, "$set": {"updated_at": clock.now_iso()}},
        session=session,
    )


def horizon(settings: AppointmentSettings, now: dt.datetime) -> list[dt.date]:
    """Today and the following days, Asia/Shanghai: the days anyone may book."""
    today = local_day(now)
    return [today + dt.timedelta(days=offset) for offset in range(settings.horizon_days)]


def bookable(settings: AppointmentSettings, starts_at: str, now: dt.datetime) -> bool:
    return from_iso(starts_at) - now >= dt.timedelta(minutes=settings.booking_closes_minutes)


def availability(store, settings: AppointmentSettings, hall: dict, item: str) -> dict:
    """Each day of the horizon with its slots, their capacity for `item` and the places left."""
    now = clock.utcnow()
    windows = windows_for(hall, item)
    places = hall["places_per_window"]
    days = horizon(settings, now)
    grid = slots_by_day(hall, days)
    first = next((slots[0][0] for _, slots in grid if slots), None)
    taken: dict[str, dict] = {}
    if first is not None and windows:
        last = next(slots[-1][0] for _, slots in reversed(grid) if slots)
        # whole documents: a projection costs the embedded engine a deep copy of each, more than it saves
        found = store[COUNTERS].find({"hall": hall["code"], "starts_at": {"$gte": first, "$lte": last}})
        taken = {counter["starts_at"]: counter.get("taken") or {} for counter in found}
    capacity = len(windows) * places
    handles = frozenset(windows)
    closes = to_iso(now + dt.timedelta(minutes=settings.booking_closes_minutes))
    out_days = []
    for day, slots in grid:
        out_slots = []
        for starts_at, ends_at in slots:
            left = capacity
            for window, count in (taken.get(starts_at) or {}).items():
                if window in handles:
                    left -= min(count, places)
            out_slots.append({"starts_at": starts_at, "ends_at": ends_at, "capacity": capacity,
                              "available": left if starts_at >= closes else 0})  # fmt: skip
        out_days.append({"date": day.isoformat(), "open": bool(slots), "day_kind": day_kind(day), "slots": out_slots})
    return {
        "hall": hall["code"],
        "item": item,
        "slot_minutes": hall["slot_minutes"],
        "booking_closes_minutes": settings.booking_closes_minutes,
        "days": out_days,
    }

"""Timed work on bookings: reminders (the day before and 1 h before) and marking the missed ones as no-shows.

`run_due(store, settings)` does whatever is due and is safe to run as often as anyone likes: each reminder
is enqueued under an idempotency key naming the booking, its slot and the reminder, so a second run (or a
second process) sends nothing twice, and a rescheduled booking gets its own reminders. Run it every few
minutes: `flask appointments jobs --every 300` (a process of its own) or from cron with no `--every`.
"""

from __future__ import annotations

import datetime as dt

from api import clock
from api.clock import from_iso, to_iso
from notifications.outbox import OUTBOX

from . import bookings
from .bookings import BOOKED, BOOKINGS
from .settings import AppointmentSettings


def run_due(store, settings: AppointmentSettings, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or clock.utcnow()
    return {"reminders": queue_reminders(store, settings, now), "no_shows": mark_missed(store, settings, now)}


def _reminder_due(settings: AppointmentSettings, booking: dict, now: dt.datetime) -> float | None:
    """The latest reminder due now (hours before the slot), or None; a reminder whose moment came before
    the booking was made is not sent (the confirmation said it), nor is one that a later one replaced."""
    starts = from_iso(booking["starts_at"])
    due = [hours for hours in settings.reminder_hours if now >= starts - dt.timedelta(hours=hours)]
    if not due:
        return None
    hours = min(due)
    if from_iso(booking["booked_at"]) > starts - dt.timedelta(hours=hours):
        return None
    return hours


def queue_reminders(store, settings: AppointmentSettings, now: dt.datetime) -> int:
    """Enqueue the reminders now due; returns how many are new."""
    until = to_iso(now + dt.timedelta(hours=max(settings.reminder_hours)))
    upcoming = store[BOOKINGS].find({"state": BOOKED, "starts_at": {"$gt": to_iso(now), "$lte": until}})
    queued = 0
    for booking in list(upcoming):
        hours = _reminder_due(settings, booking, now)
        if hours is None:
            continue
        key = f"appointment.reminder:{booking['_id']}:{booking['starts_at']}:{hours:g}h"
        if store[OUTBOX].find_one({"idempotency_key": key}, projection={"_id": 1}) is not None:
            continue
        bookings.notify(store, "appointment.reminder", booking, key, now, None)
        queued += 1
    return queued


def mark_missed(store, settings: AppointmentSettings, now: dt.datetime) -> int:
    """Bookings nobody checked in before the check-in window closed become no-shows; returns how many."""
    cutoff = to_iso(now - dt.timedelta(minutes=settings.check_in_late_minutes))
    missed = 0
    for booking in list(store[BOOKINGS].find({"state": BOOKED, "starts_at": {"$lt": cutoff}})):
        with store.transaction() as session:
            missed += bookings.record_no_show(store, settings, booking, BOOKED, now, session) is not None
    return missed

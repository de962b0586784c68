"""Booking a slot (网上预约): book, cancel, reschedule, and the no-show rule.

A booking is made by a resident for themselves or by someone acting for a business, for an item or
for a submitted application that needs a visit. At most one active booking per party (the person, or
the business) and item: the booking's `active_key` is "<party>|<item>" while it is booked or checked
in, and "closed|<id>" after, under a unique index, so two racing requests cannot both hold one.

Time rules (settings.py): booking closes 1 h before the slot; cancelling and rescheduling are possible
until 2 h before; check-in from 30 min before to 15 min after. A booking nobody checked in by then is a
no-show (jobs.py), as is a checked-in visitor who did not come when called (queue.py); 3 no-shows in
90 days suspend the person's booking for 30 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from api import clock
from api.applications import states as application_states
from api.applications.service import APPLICATIONS
from api.catalog import service as catalog
from api.clock import from_iso, to_iso
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.store import new_id
from notifications import enqueue

from . import halls, slots
from .opening import local_day, local_time, slots_on
from .settings import AppointmentSettings

BOOKINGS = "appointments"
SUSPENSIONS = "appointment_suspensions"
BOOKED, CHECKED_IN, SERVED, NO_SHOW, CANCELLED = "booked", "checked_in", "served", "no_show", "cancelled"
ACTIVE = (BOOKED, CHECKED_IN)
STATE_LABELS = {BOOKED: "已预约", CHECKED_IN: "已签到", SERVED: "已办理", NO_SHOW: "已爽约", CANCELLED: "已取消"}
TOKEN_TYPE = "appointment"  # noqa: S105 - not a secret: the `typ` of the signed QR token (api.vault.signing), so a certificate's token is no booking's
_OPEN_APPLICATION = (application_states.SUBMITTED, application_states.IN_REVIEW, application_states.NEEDS_CORRECTION,
                     application_states.APPROVED)  # fmt: skip


@dataclass(frozen=True)
class Booker:
    """Who books: the person's account, the business they act for (if any), their real-name level, and
    the name shown to the clerk (the person's, or the business's when acting for one)."""

    account_id: str
    acting_for: str | None = None
    acr: int = 0
    holder_name: str | None = None

    @property
    def party(self) -> str:
        return f"org:{self.acting_for}" if self.acting_for else self.account_id


# -- reading -----------------------------------------------------------------------------------------


def masked_name(booking: dict) -> str | None:
    """A person's name as staff and screens see it (张*明); a business's name is public and shown whole."""
    name = booking.get("holder_name")
    if not name or booking.get("acting_for"):
        return name
    return name[0] + "*" if len(name) <= 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def _may_see(booker: Booker, booking: dict) -> bool:
    if booking["account_id"] == booker.account_id:
        return True
    return bool(booker.acting_for) and booking.get("acting_for") == booker.acting_for


def get_own(store, booker: Booker, booking_id: str) -> dict:
    """The caller's booking (or their business's, while acting for it); anyone else's is a 404."""
    booking = store[BOOKINGS].find_one({"_id": booking_id})
    if booking is None or not _may_see(booker, booking):
        raise NotFound("找不到该预约", code="appointment_not_found")
    return booking


def _to_change(store, booker: Booker, booking_id: str) -> dict:
    booking = get_own(store, booker, booking_id)
    if booking.get("acting_for") and booker.acting_for != booking["acting_for"]:
        raise Forbidden("该预约需以企业身份办理：请先在「我的企业」中选择该企业", code="acting_for_required")
    return booking


def my_bookings(store, booker: Booker, page: int, page_size: int) -> tuple[list[dict], int]:
    """Mine, and my business's while acting for it; the latest slot first."""
    query: dict = {"account_id": booker.account_id}
    if booker.acting_for:
        query = {"$or": [query, {"acting_for": booker.acting_for}]}
    total = store[BOOKINGS].count_documents(query)
    found = store[BOOKINGS].find(query).sort("starts_at", -1).skip((page - 1) * page_size).limit(page_size)
    return list(found), total


def view(booking: dict, settings: AppointmentSettings, sign: Callable[[str, str, int], str] | None = None) -> dict:
    """What the holder sees: times they may still act, the QR token while it can be used, the queue number."""
    starts = from_iso(booking["starts_at"])
    usable = booking["state"] == BOOKED and sign is not None
    token = sign(booking["_id"], TOKEN_TYPE, int(from_iso(booking["booked_at"]).timestamp())) if usable else None
    keys = ("hall", "hall_name", "hall_address", "item", "item_name", "application_id", "acting_for", "group", "group_name",
            "floor_name", "starts_at", "ends_at", "state", "booked_at", "version")  # fmt: skip
    return {
        "id": booking["_id"],
        **{key: booking.get(key) for key in keys},
        "state_label": STATE_LABELS[booking["state"]],
        "holder_name": masked_name(booking),
        "cancellable_until": to_iso(starts - dt.timedelta(minutes=settings.cancel_until_minutes)),
        "check_in_from": to_iso(starts - dt.timedelta(minutes=settings.check_in_early_minutes)),
        "check_in_until": to_iso(starts + dt.timedelta(minutes=settings.check_in_late_minutes)),
        "check_in_token": token,
        "ticket": booking.get("ticket"),
    }


# -- rules before booking ---------------------------------------------------------------------------


def suspended_until(store, account_id: str, now: dt.datetime) -> str | None:
    suspension = store[SUSPENSIONS].find_one({"_id": account_id})
    if suspension and suspension["until"] > to_iso(now):
        return suspension["until"]
    return None


def _check_booker(store, settings: AppointmentSettings, booker: Booker, now: dt.datetime) -> None:
    if booker.acr < settings.min_real_name_level:
        raise Forbidden(f"预约需要实名认证等级L{settings.min_real_name_level}，请先完成实名认证", code="real_name_level_too_low")
    if until := suspended_until(store, booker.account_id, now):
        raise Forbidden(f"您近{settings.no_show_window_days}天内爽约{settings.no_show_limit}次，{local_time(until)}前不能预约",
                        code="booking_suspended", errors={"suspended_until": [until]})  # fmt: skip


def _application_item(store, booker: Booker, hall: dict, application_id: str, item: str | None) -> tuple[str, str]:
    """(item, application id) for a booking made for an application: the caller's, submitted and not
    finished, and an item of it that needs a visit and that this hall handles."""
    application = store[APPLICATIONS].find_one({"_id": application_id})
    mine = application is not None and (
        application["applicant_id"] == booker.account_id
        or (booker.acting_for and application.get("acting_for") == booker.acting_for)
    )
    if not mine:
        raise Invalid("找不到该申请", code="application_not_found", errors={"application_id": ["找不到该申请"]})
    if application["state"] not in _OPEN_APPLICATION:
        raise Invalid(
            "该申请当前不需要预约到现场", code="application_not_open", errors={"application_id": [application["state"]]}
        )
    candidates = [item] if item else application["items"]
    visiting = [code for code in candidates if code in application["items"] and halls.windows_for(hall, code)
                and catalog.get_item(store, code).get("visits")]  # fmt: skip
    if not visiting:
        raise Invalid(
            "该申请没有需要在此大厅现场办理的事项", code="no_visit_needed", errors={"item": ["本大厅不办理或无需到现场"]}
        )
    return visiting[0], application_id


def _slot(store, settings: AppointmentSettings, hall: dict, starts_at: dt.datetime, now: dt.datetime) -> tuple[str, str]:
    """(starts_at, ends_at) of the slot the caller asked for: one of the hall's, in the horizon, still open."""
    wanted = to_iso(starts_at)
    day = local_day(starts_at)
    found = next((slot for slot in slots_on(hall, day) if slot[0] == wanted), None)
    if found is None or day not in slots.horizon(settings, now):
        raise Invalid("这不是可预约的时段，请从可预约时段中选择", code="not_a_slot", errors={"starts_at": ["不是可预约的时段"]})
    if not slots.bookable(settings, wanted, now):
        raise Conflict(f"预约需在开始前{settings.booking_closes_minutes}分钟完成，该时段已停止预约", code="booking_closed")
    return found


def _active_key(booker: Booker, item: str) -> str:
    return f"{booker.party}|{item}"


def _refuse_second_booking(store, booker: Booker, item: str) -> None:
    existing = store[BOOKINGS].find_one({"active_key": _active_key(booker, item)})
    if existing is not None:
        raise Conflict(f"您已预约该事项（{local_time(existing['starts_at'])}，{existing['hall_name']}），如需改时间请改约",
                       code="already_booked", errors={"appointment_id": [existing["_id"]]})  # fmt: skip


# -- booking ---------------------------------------------------------------------------------------------


def retrying(operation: Callable[[], Any], attempts: int = 3) -> Any:
    """Run a transaction again when MongoDB says a concurrent one made it fail (a transient write conflict on
    a slot counter); the embedded engine serialises writers and never asks."""
    for attempt in range(attempts):
        try:
            return operation()
        except PyMongoError as exc:
            if attempt + 1 == attempts or not exc.has_error_label("TransientTransactionError"):
                raise
    return None


def book(store, settings: AppointmentSettings, booker: Booker, hall_code: str, starts_at: dt.datetime,
         item: str | None = None, application_id: str | None = None) -> dict:  # fmt: skip
    now = clock.utcnow()
    _check_booker(store, settings, booker, now)
    hall = store[halls.HALLS].find_one({"_id": hall_code, "status": "active"})
    if hall is None:
        raise Invalid("没有这个大厅", code="hall_not_found", errors={"hall": ["没有这个大厅"]})
    if application_id:
        item, application_id = _application_item(store, booker, hall, application_id, item)
    windows = halls.windows_for(hall, item)
    if not windows:
        raise Invalid("该大厅不办理此事项", code="item_not_handled", errors={"item": ["该大厅不办理此事项"]})
    slot_start, slot_end = _slot(store, settings, hall, starts_at, now)
    _refuse_second_booking(store, booker, item)
    item_doc = catalog.get_item(store, item)
    group = halls.group_for_item(hall, item)
    booking = {
        "_id": new_id("apt_"), "hall": hall["code"], "hall_name": hall["name"], "hall_address": hall["address"],
        "item": item, "item_name": item_doc["name"], "application_id": application_id, "account_id": booker.account_id,
        "acting_for": booker.acting_for, "holder_name": booker.holder_name, "active_key": _active_key(booker, item),
        "group": group["code"], "group_name": group["name"], "floor_name": halls.floor_name(hall, group["floor"]),
        "window": None, "starts_at": slot_start, "ends_at": slot_end, "day": local_day(from_iso(slot_start)).isoformat(),
        "state": BOOKED, "booked_at": to_iso(now), "ticket": None, "created_at": to_iso(now), "updated_at": to_iso(now),
        "version": 1,
    }  # fmt: skip
    slots.ensure_slot_counter(store, hall["code"], slot_start)

    def transaction() -> dict:
        with store.transaction() as session:
            window = slots.take_place(store, hall["code"], slot_start, windows, hall["places_per_window"], session)
            if window is None:
                raise Conflict("该时段已约满，请选择其他时段", code="slot_full")
            document = {**booking, "window": window}
            try:
                store[BOOKINGS].insert_one(document, session=session)
            except DuplicateKeyError:
                raise Conflict("您已预约该事项，如需改时间请改约", code="already_booked") from None
            notify(store, "appointment.booked", document, f"appointment.booked:{document['_id']}:v1", now, session)
        return document

    return retrying(transaction)


def cancel(store, settings: AppointmentSettings, booker: Booker, booking_id: str) -> dict:
    """The holder cancels until 2 h before; the place is free again at once."""
    booking = _to_change(store, booker, booking_id)
    now = clock.utcnow()
    _check_changeable(settings, booking, now, "取消")
    closed = {"state": CANCELLED, "active_key": f"closed|{booking['_id']}", "cancelled_at": to_iso(now),
              "updated_at": to_iso(now)}  # fmt: skip

    def transaction() -> dict:
        with store.transaction() as session:
            cancelled = store[BOOKINGS].find_one_and_update(
                {"_id": booking["_id"], "state": BOOKED, "version": booking["version"]},
                {"$set": closed, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if cancelled is None:
                raise Conflict("预约已在其他地方变更，请刷新后重试", code="version_conflict")
            slots.release_place(store, booking["hall"], booking["starts_at"], booking["window"], session)
            notify(store, "appointment.cancelled", cancelled, f"appointment.cancelled:{booking['_id']}", now, session)
        return cancelled

    return retrying(transaction)


def reschedule(store, settings: AppointmentSettings, booker: Booker, booking_id: str, starts_at: dt.datetime,
               expected_version: int) -> dict:  # fmt: skip
    """Move to another slot of the same hall and item (改约): the new place is taken before the old is freed."""
    booking = _to_change(store, booker, booking_id)
    now = clock.utcnow()
    if booking["version"] != expected_version:
        raise Conflict("预约已在其他地方变更，请刷新后重试", code="version_conflict")
    _check_changeable(settings, booking, now, "改约")
    hall = halls.get_hall(store, booking["hall"])
    slot_start, slot_end = _slot(store, settings, hall, starts_at, now)
    if slot_start == booking["starts_at"]:
        raise Invalid("新时段与原时段相同", code="same_slot", errors={"starts_at": ["新时段与原时段相同"]})
    windows = halls.windows_for(hall, booking["item"])
    slots.ensure_slot_counter(store, hall["code"], slot_start)

    def transaction() -> dict:
        with store.transaction() as session:
            window = slots.take_place(store, hall["code"], slot_start, windows, hall["places_per_window"], session)
            if window is None:
                raise Conflict("该时段已约满，请选择其他时段", code="slot_full")
            moved = store[BOOKINGS].find_one_and_update(
                {"_id": booking["_id"], "state": BOOKED, "version": expected_version},
                {"$set": {"starts_at": slot_start, "ends_at": slot_end, "day": local_day(from_iso(slot_start)).isoformat(),
                          "window": window, "rescheduled_at": to_iso(now), "updated_at": to_iso(now)},
                 "$inc": {"version": 1}, "$push": {"previous_slots": booking["starts_at"]}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )  # fmt: skip
            if moved is None:
                raise Conflict("预约已在其他地方变更，请刷新后重试", code="version_conflict")
            slots.release_place(store, booking["hall"], booking["starts_at"], booking["window"], session)
            notify(store, "appointment.booked", moved, f"appointment.booked:{moved['_id']}:v{moved['version']}", now, session)
        return moved

    return retrying(transaction)


def _check_changeable(settings: AppointmentSettings, booking: dict, now: dt.datetime, action: str) -> None:
    if booking["state"] != BOOKED:
        raise Conflict(f"预约{STATE_LABELS[booking['state']]}，不能{action}", code="not_booked",
                       errors={"state": [booking["state"]]})  # fmt: skip
    if from_iso(booking["starts_at"]) - now < dt.timedelta(minutes=settings.cancel_until_minutes):
        hours = settings.cancel_until_minutes / 60
        raise Conflict(f"距预约时间不足{hours:g}小时，不能{action}", code="change_closed")


def notify(store, event: str, booking: dict, key: str, now: dt.datetime, session, **extra) -> None:
    data = {"appointment_id": booking["_id"], "hall_name": booking["hall_name"], "service_name": booking["item_name"],
            "starts_at": booking["starts_at"], **extra}  # fmt: skip
    enqueue(store, event, booking["account_id"], data, key, session=session, now=now)


# -- no-shows -------------------------------------------------------------------------------------------


def record_no_show(store, settings: AppointmentSettings, booking: dict, from_state: str, now: dt.datetime,
                   session=None) -> dict | None:  # fmt: skip
    """Mark a booking a no-show (爽约) and suspend its booker after too many; None if its state moved on."""
    missed = store[BOOKINGS].find_one_and_update(
        {"_id": booking["_id"], "state": from_state},
        {"$set": {"state": NO_SHOW, "no_show_at": to_iso(now), "active_key": f"closed|{booking['_id']}",
                  "updated_at": to_iso(now)}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
        session=session,
    )  # fmt: skip
    if missed is None:
        return None
    since = to_iso(now - dt.timedelta(days=settings.no_show_window_days))
    recent = store[BOOKINGS].count_documents(
        {"account_id": booking["account_id"], "state": NO_SHOW, "no_show_at": {"$gte": since}}, session=session
    )
    if recent >= settings.no_show_limit:
        until = to_iso(now + dt.timedelta(days=settings.suspension_days))
        store[SUSPENSIONS].update_one(
            {"_id": booking["account_id"]},
            {"$set": {"until": until, "since": to_iso(now), "no_shows": recent, "updated_at": to_iso(now)}},
            upsert=True,
            session=session,
        )
    return missed

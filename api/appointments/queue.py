"""Check-in and the queue (签到取号, 排队叫号) at a hall.

A clerk (or a kiosk signed in as one) scans a booking's QR code within its check-in window and the
visitor gets a queue number: the window group's letter and the group's next number of the day in that
hall (A023). Numbers come from one counter document per hall, day and group, incremented atomically in
the same transaction that stores the ticket, so they are unique and in order. Walk-ins get numbers from
the same counter. A window calls the next waiting ticket of its group for an item it handles: booked
visitors first, then walk-ins, each in number order — one atomic find-and-update, so two windows never
call the same ticket. Recalling repeats the call; a called ticket ends served or no-show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo import ReturnDocument

from api import audit, clock
from api.catalog import service as catalog
from api.clock import from_iso, to_iso
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id
from auth.data_use import record_data_use
from notifications import enqueue

from . import bookings, halls
from .bookings import BOOKINGS, TOKEN_TYPE, masked_name, retrying
from .counters import ensure_counter
from .opening import local_day, local_time
from .settings import AppointmentSettings

TICKETS = "queue_tickets"
QUEUE_COUNTERS = "queue_counters"
WAITING, CALLED, SERVED, NO_SHOW = "waiting", "called", "served", "no_show"
BOOKED_FIRST, WALK_IN = 0, 1  # priority: lower is called first
SCREEN_CALLS = 10


@dataclass(frozen=True)
class Clerk:
    account_id: str
    hall: str


def ticket_view(ticket: dict) -> dict:
    return {"id": ticket["_id"], **{k: v for k, v in ticket.items() if k not in ("_id", "account_id", "priority", "seq")}}


def _ticket_ref(ticket: dict) -> dict:
    return {key: ticket.get(key) for key in ("number", "state", "window", "window_name")} | {"id": ticket["_id"]}


def booking_of_token(verify, token: str) -> str:
    """The booking id a QR token was signed for; a forged, altered or foreign token is a 422."""
    payload = verify(token)
    if payload is None or payload.get("typ") != TOKEN_TYPE:
        raise Invalid("二维码无效，请让办事人刷新预约二维码", code="invalid_token", errors={"token": ["二维码无效"]})
    return payload["cid"]


# -- numbers and tickets ---------------------------------------------------------------------------------


def _counter_key(hall: str, day: str, group: str) -> str:
    return f"{hall}|{day}|{group}"


def _prepare_number(store, hall: str, day: str, group: str) -> None:
    seed = {"hall": hall, "day": day, "group": group, "seq": 0, "created_at": clock.now_iso()}
    ensure_counter(store, QUEUE_COUNTERS, _counter_key(hall, day, group), seed)


def _next_number(store, hall: str, day: str, group: str, session) -> tuple[int, str]:
    counter = store[QUEUE_COUNTERS].find_one_and_update(
        {"_id": _counter_key(hall, day, group)}, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER, session=session
    )
    return counter["seq"], f"{group}{counter['seq']:03d}"


def _new_ticket(hall: str, day: str, group: str, item: str, item_name: str, now: dt.datetime, **extra) -> dict:
    return {
        "_id": new_id("tkt_"), "hall": hall, "day": day, "group": group, "item": item, "item_name": item_name,
        "kind": "walk_in", "priority": WALK_IN, "appointment_id": None, "account_id": None, "holder_name": None,
        "state": WAITING, "window": None, "window_name": None, "issued_at": to_iso(now), "called_at": None,
        "call_count": 0, "finished_at": None, "created_at": to_iso(now), "updated_at": to_iso(now), "version": 1, **extra,
    }  # fmt: skip


def _waiting_before(store, ticket: dict) -> int:
    ahead = {"$or": [{"priority": {"$lt": ticket["priority"]}}, {"priority": ticket["priority"], "seq": {"$lt": ticket["seq"]}}]}
    return store[TICKETS].count_documents(
        {"hall": ticket["hall"], "day": ticket["day"], "group": ticket["group"], "state": WAITING, **ahead}
    )


def check_in(store, settings: AppointmentSettings, clerk: Clerk, booking_id: str) -> dict:
    """签到: the booking at this hall, within its window, becomes a waiting ticket with priority."""
    now = clock.utcnow()
    booking = store[BOOKINGS].find_one({"_id": booking_id})
    if booking is None:
        raise NotFound("找不到该预约", code="appointment_not_found")
    _check_checkable(settings, clerk, booking, now)
    day = local_day(now).isoformat()
    _prepare_number(store, clerk.hall, day, booking["group"])

    def transaction() -> dict:
        with store.transaction() as session:
            seq, number = _next_number(store, clerk.hall, day, booking["group"], session)
            ticket = _new_ticket(clerk.hall, day, booking["group"], booking["item"], booking["item_name"], now, seq=seq,
                                 number=number, kind="booked", priority=BOOKED_FIRST, appointment_id=booking["_id"],
                                 account_id=booking["account_id"], holder_name=masked_name(booking))  # fmt: skip
            store[TICKETS].insert_one(ticket, session=session)
            checked_in = store[BOOKINGS].find_one_and_update(
                {"_id": booking["_id"], "state": bookings.BOOKED},
                {"$set": {"state": bookings.CHECKED_IN, "checked_in_at": to_iso(now), "checked_in_by": clerk.account_id,
                          "ticket": _ticket_ref(ticket), "updated_at": to_iso(now)}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )  # fmt: skip
            if checked_in is None:
                raise Conflict("预约状态已变化，请刷新后重试", code="version_conflict")
            record_data_use(store, booking["account_id"], clerk.account_id, "clerk", "预约签到取号", ["appointment"], session)
        return {"ticket": ticket, "appointment": checked_in}

    result = retrying(transaction)
    return {**result, "waiting_before": _waiting_before(store, result["ticket"])}


def _check_checkable(settings: AppointmentSettings, clerk: Clerk, booking: dict, now: dt.datetime) -> None:
    if booking["hall"] != clerk.hall:
        raise Conflict(f"该预约在{booking['hall_name']}办理，不在本大厅", code="wrong_hall")
    if booking["state"] == bookings.CHECKED_IN:
        raise Conflict(f"已签到，排队号{booking['ticket']['number']}", code="already_checked_in")
    if booking["state"] != bookings.BOOKED:
        raise Conflict(f"预约{bookings.STATE_LABELS[booking['state']]}，不能签到", code="not_booked",
                       errors={"state": [booking["state"]]})  # fmt: skip
    starts = from_iso(booking["starts_at"])
    opens = starts - dt.timedelta(minutes=settings.check_in_early_minutes)
    if now < opens:
        raise Conflict(f"还未到签到时间，请于{local_time(to_iso(opens))}后签到", code="check_in_too_early")
    if now > starts + dt.timedelta(minutes=settings.check_in_late_minutes):
        raise Conflict(f"已超过签到时间（预约时间后{settings.check_in_late_minutes}分钟），请现场取号或重新预约",
                       code="check_in_too_late")  # fmt: skip


def walk_in(store, clerk: Clerk, item: str) -> dict:
    """A number for a visitor without a booking (现场取号), called after the booked ones of its group."""
    hall = halls.get_hall(store, clerk.hall, active_only=False)
    group = halls.group_for_item(hall, item)
    if group is None:
        raise Invalid("本大厅不办理此事项", code="item_not_handled", errors={"item": ["本大厅不办理此事项"]})
    item_name = catalog.get_item(store, item)["name"]
    now = clock.utcnow()
    day = local_day(now).isoformat()
    _prepare_number(store, clerk.hall, day, group["code"])

    def transaction() -> dict:
        with store.transaction() as session:
            seq, number = _next_number(store, clerk.hall, day, group["code"], session)
            ticket = _new_ticket(clerk.hall, day, group["code"], item, item_name, now, seq=seq, number=number)
            store[TICKETS].insert_one(ticket, session=session)
        return ticket

    return retrying(transaction)


# -- calling --------------------------------------------------------------------------------------------


def _window(store, clerk: Clerk, window_code: str) -> tuple[dict, dict]:
    hall = halls.get_hall(store, clerk.hall, active_only=False)
    window = halls.window_of(hall, window_code)
    if window is None or not window.get("active", True):
        raise Invalid("本大厅没有这个窗口或窗口已关闭", code="window_not_found", errors={"window": ["本大厅没有这个窗口"]})
    return hall, window


def _eligible(clerk: Clerk, day: str, window: dict) -> dict:
    return {"hall": clerk.hall, "day": day, "group": window["group"], "state": WAITING, "item": {"$in": window["items"]}}


def call_next(store, clerk: Clerk, window_code: str) -> dict:
    """叫号: the next waiting ticket this window can serve, booked first; {"ticket": None} when nobody waits."""
    hall, window = _window(store, clerk, window_code)
    now = clock.utcnow()
    day = local_day(now).isoformat()
    current = store[TICKETS].find_one({"hall": clerk.hall, "day": day, "window": window_code, "state": CALLED})
    if current is not None:
        raise Conflict(f"请先将{current['number']}号标记为已办理或过号", code="window_busy", errors={"ticket": [current["_id"]]})
    label = f"{halls.floor_name(hall, halls.group_of(hall, window['group'])['floor'])}{window['name']}"

    def transaction() -> dict | None:
        with store.transaction() as session:
            ticket = store[TICKETS].find_one_and_update(
                _eligible(clerk, day, window),
                {"$set": {"state": CALLED, "window": window_code, "window_name": label, "called_at": to_iso(now),
                          "called_by": clerk.account_id, "updated_at": to_iso(now)}, "$inc": {"call_count": 1, "version": 1}},
                sort=[("priority", 1), ("seq", 1)],
                return_document=ReturnDocument.AFTER,
                session=session,
            )  # fmt: skip
            if ticket is not None:
                _follow_on_booking(store, hall, ticket, now, session)
                _audit(store, clerk, "queue.call", ticket, session)
        return ticket

    ticket = retrying(transaction)
    waiting = store[TICKETS].count_documents(_eligible(clerk, day, window))
    return {"ticket": ticket, "waiting": waiting}


def _follow_on_booking(store, hall: dict, ticket: dict, now: dt.datetime, session) -> None:
    """The booking shows its ticket's state; its holder is told which window to go to."""
    if not ticket.get("appointment_id"):
        return
    store[BOOKINGS].update_one({"_id": ticket["appointment_id"]},
                               {"$set": {"ticket": _ticket_ref(ticket), "updated_at": to_iso(now)}}, session=session)  # fmt: skip
    if ticket["state"] == CALLED:
        data = {"appointment_id": ticket["appointment_id"], "hall_name": hall["name"], "ticket_number": ticket["number"],
                "window_name": ticket["window_name"]}  # fmt: skip
        key = f"appointment.called:{ticket['_id']}:{ticket['call_count']}"
        enqueue(store, "appointment.called", ticket["account_id"], data, key, session=session, now=now)


def _ticket_here(store, clerk: Clerk, ticket_id: str) -> dict:
    ticket = store[TICKETS].find_one({"_id": ticket_id})
    if ticket is None or ticket["hall"] != clerk.hall:
        raise NotFound("找不到该排队号", code="ticket_not_found")
    if ticket["state"] != CALLED:
        raise Conflict(f"{ticket['number']}号当前不在叫号中", code="not_called", errors={"state": [ticket["state"]]})
    return ticket


def recall(store, clerk: Clerk, ticket_id: str) -> dict:
    """重呼: call the same number again (the screen shows it on top, the holder is told again)."""
    ticket = _ticket_here(store, clerk, ticket_id)
    hall = halls.get_hall(store, clerk.hall, active_only=False)
    now = clock.utcnow()

    def transaction() -> dict:
        with store.transaction() as session:
            called = store[TICKETS].find_one_and_update(
                {"_id": ticket_id, "state": CALLED, "version": ticket["version"]},
                {"$set": {"called_at": to_iso(now), "updated_at": to_iso(now)}, "$inc": {"call_count": 1, "version": 1}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if called is None:
                raise Conflict("排队号状态已变化，请刷新", code="version_conflict")
            _follow_on_booking(store, hall, called, now, session)
            _audit(store, clerk, "queue.recall", called, session)
        return called

    return retrying(transaction)


def finish(store, settings: AppointmentSettings, clerk: Clerk, ticket_id: str, outcome: str) -> dict:
    """办结 (served) or 过号 (no_show) of a called ticket; a booked visitor's booking follows, and a no-show
    counts towards the booking suspension."""
    ticket = _ticket_here(store, clerk, ticket_id)
    hall = halls.get_hall(store, clerk.hall, active_only=False)
    now = clock.utcnow()

    def transaction() -> dict:
        with store.transaction() as session:
            done = store[TICKETS].find_one_and_update(
                {"_id": ticket_id, "state": CALLED, "version": ticket["version"]},
                {"$set": {"state": outcome, "finished_at": to_iso(now), "finished_by": clerk.account_id,
                          "updated_at": to_iso(now)}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )  # fmt: skip
            if done is None:
                raise Conflict("排队号状态已变化，请刷新", code="version_conflict")
            _audit(store, clerk, f"queue.{outcome}", done, session)
            if done.get("appointment_id"):
                _finish_booking(store, settings, done, outcome, now, session)
                _follow_on_booking(store, hall, done, now, session)
        return done

    return retrying(transaction)


def _audit(store, clerk: Clerk, action: str, ticket: dict, session) -> None:
    audit.append(store, actor_id=clerk.account_id, actor_role="clerk", action=action, subject_type="queue_ticket",
                 subject_id=ticket["_id"], detail={"hall": ticket["hall"], "number": ticket["number"],
                                                   "appointment_id": ticket.get("appointment_id")}, session=session)  # fmt: skip


def _finish_booking(store, settings: AppointmentSettings, ticket: dict, outcome: str, now: dt.datetime, session) -> None:
    booking = {"_id": ticket["appointment_id"], "account_id": ticket["account_id"]}
    if outcome == NO_SHOW:
        bookings.record_no_show(store, settings, booking, bookings.CHECKED_IN, now, session)
        return
    served = store[BOOKINGS].update_one(
        {"_id": booking["_id"], "state": bookings.CHECKED_IN},
        {"$set": {"state": bookings.SERVED, "served_at": to_iso(now), "active_key": f"closed|{booking['_id']}",
                  "updated_at": to_iso(now)}, "$inc": {"version": 1}},
        session=session,
    )  # fmt: skip
    if served.modified_count:
        from api.evaluations.service import invite_for_appointment

        invite_for_appointment(store, booking["_id"], session, now)  # 好差评: the visitor is asked to rate the visit


# -- what staff and the screen see ----------------------------------------------------------------------


def clerk_queue(store, clerk: Clerk) -> dict:
    """Today's waiting tickets of the clerk's hall in calling order, and those being called."""
    day = local_day(clock.utcnow()).isoformat()
    waiting = store[TICKETS].find({"hall": clerk.hall, "day": day, "state": WAITING}, sort=[("priority", 1), ("seq", 1)])
    called = store[TICKETS].find({"hall": clerk.hall, "day": day, "state": CALLED}, sort=[("called_at", -1)])
    return {"day": day, "waiting": [ticket_view(t) for t in waiting.limit(500)], "called": [ticket_view(t) for t in called]}


def day_bookings(store, clerk: Clerk, day: dt.date | None) -> list[dict]:
    """The clerk's hall's bookings of a day (today by default), in slot order."""
    day_text = (day or local_day(clock.utcnow())).isoformat()
    return list(store[BOOKINGS].find({"hall": clerk.hall, "day": day_text}, sort=[("starts_at", 1)]).limit(2000))


def screen(store, hall_code: str) -> dict:
    """The calling screen (叫号屏): the numbers being called, newest first, and how many wait per group. No names."""
    hall = halls.get_hall(store, hall_code)
    now = clock.utcnow()
    day = local_day(now).isoformat()
    calling = store[TICKETS].find({"hall": hall_code, "day": day, "state": CALLED}, sort=[("called_at", -1)]).limit(SCREEN_CALLS)
    groups = [
        {"group": g["code"], "name": g["name"],
         "waiting": store[TICKETS].count_documents({"hall": hall_code, "day": day, "group": g["code"], "state": WAITING})}
        for g in hall["groups"]
    ]  # fmt: skip
    return {
        "hall": hall_code,
        "hall_name": hall["name"],
        "day": day,
        "calling": [{k: t[k] for k in ("number", "window", "window_name", "called_at", "call_count")} for t in calling],
        "groups": groups,
    }

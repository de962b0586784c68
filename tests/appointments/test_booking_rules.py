"""Booking rules: one active booking per person and item, booking closes 1 h before, cancel and reschedule until
2 h before, the no-show suspension, and bad input refused with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from api.appointments.bookings import BOOKINGS, SUSPENSIONS
from api.appointments.jobs import run_due
from api.appointments.settings import AppointmentSettings, settings_of
from api.appointments.slots import COUNTERS
from tests.appointments.conftest import DEED, FOOD, HALL, MONDAY, book, booked, ok, places_left, refused, slot

TUESDAY = MONDAY + dt.timedelta(days=1)


def _nothing_stored(store) -> None:
    assert store[BOOKINGS].count_documents({}) == 0
    assert store["outbox"].count_documents({"event": {"$in": ["appointment.booked"]}}) == 0


# -- one active booking per person and item ------------------------------------------------------------


def test_a_person_holds_one_active_booking_per_item_and_may_book_another_item(store, hall, resident, clock):
    person = resident()
    first = booked(person, slot(MONDAY, "10:00"))
    body = refused(book(person, slot(TUESDAY, "10:00")), 409, "already_booked")
    assert body["errors"] == {"appointment_id": [first["id"]]}
    assert booked(person, slot(TUESDAY, "10:00"), FOOD)["item"] == FOOD
    assert store[BOOKINGS].count_documents({"account_id": person.account_id, "item": DEED}) == 1


def test_after_cancelling_the_same_item_can_be_booked_again(hall, resident, clock):
    person = resident()
    first = booked(person, slot(MONDAY, "10:00"))
    ok(person.post(f"/appointments/{first['id']}/cancel"))
    assert booked(person, slot(TUESDAY, "10:00"))["state"] == "booked"


# -- booking closes 1 h before ------------------------------------------------------------------------


def test_booking_closes_one_hour_before_the_slot(app, store, hall, resident, clock):
    starts_at = slot(MONDAY, "10:00")
    clock.set_local(MONDAY, "09:00")
    assert booked(resident(), starts_at)["starts_at"] == starts_at  # exactly 1 h before: still open
    clock.advance(seconds=1)
    late = resident()
    refused(book(late, starts_at), 409, "booking_closed")
    assert store[BOOKINGS].count_documents({"account_id": late.account_id}) == 0
    assert places_left(app.test_client(), starts_at) == 0  # shown as closed, though four places are free


def test_a_slot_beyond_the_fourteen_days_or_in_the_past_is_not_a_slot(store, hall, resident, clock):
    person = resident()
    refused(book(person, slot(MONDAY + dt.timedelta(days=14), "10:00")), 422, "not_a_slot")
    refused(book(person, slot(MONDAY - dt.timedelta(days=1), "10:00")), 422, "not_a_slot")
    _nothing_stored(store)


# -- cancel and reschedule until 2 h before -----------------------------------------------------------------


def test_a_booking_can_be_cancelled_until_two_hours_before_its_slot_and_not_after(app, store, hall, resident, clock):
    early, late = resident(), resident()
    ten, half_past = slot(MONDAY, "10:00"), slot(MONDAY, "10:30")
    first, second = booked(early, ten), booked(late, half_past)
    clock.set_local(MONDAY, "08:00")
    assert ok(early.post(f"/appointments/{first['id']}/cancel"))["state"] == "cancelled"  # exactly 2 h before
    clock.set_local(MONDAY, "08:30:01")
    refused(late.post(f"/appointments/{second['id']}/cancel"), 409, "change_closed")
    assert store[BOOKINGS].find_one({"_id": second["id"]})["state"] == "booked"
    assert store[COUNTERS].find_one({"_id": f"{HALL}|{half_past}"})["taken"] == {"A01": 1}


def test_a_cancelled_booking_cannot_be_cancelled_again(hall, resident, clock):
    person = resident()
    appointment = booked(person, slot(TUESDAY, "10:00"))
    ok(person.post(f"/appointments/{appointment['id']}/cancel"))
    refused(person.post(f"/appointments/{appointment['id']}/cancel"), 409, "not_booked")


def test_rescheduling_takes_the_new_place_and_frees_the_old_one(app, store, hall, resident, clock):
    person = resident()
    old, new = slot(TUESDAY, "10:00"), slot(TUESDAY, "15:30")
    appointment = booked(person, old)
    moved = ok(person.post(f"/appointments/{appointment['id']}/reschedule", json={"starts_at": new, "version": 1}))
    assert (moved["starts_at"], moved["version"], moved["id"]) == (new, 2, appointment["id"])
    client = app.test_client()
    assert (places_left(client, old), places_left(client, new)) == (5, 4)
    assert len(list(store["outbox"].find({"event": "appointment.booked"}))) == 2  # the confirmation of the new time


def test_rescheduling_with_a_stale_version_or_to_a_full_slot_changes_nothing(app, store, hall, resident, clock):
    person = resident()
    appointment = booked(person, slot(TUESDAY, "10:00"))
    full = slot(TUESDAY, "11:00")
    for index in range(5):
        booked(resident(f"居民{index}"), full)
    path = f"/appointments/{appointment['id']}/reschedule"
    refused(person.post(path, json={"starts_at": full, "version": 1}), 409, "slot_full")
    refused(person.post(path, json={"starts_at": full, "version": 7}), 409, "version_conflict")
    assert store[BOOKINGS].find_one({"_id": appointment["id"]})["starts_at"] == slot(TUESDAY, "10:00")
    assert places_left(app.test_client(), slot(TUESDAY, "10:00")) == 4


# -- no-shows ---------------------------------------------------------------------------------------------------


@pytest.fixture
def missing(store):
    """missing(person, clock, day): the person books 10:00 that day and nobody checks in before the window closes."""

    def miss(person, clock, day: dt.date) -> None:
        clock.set_local(day, "08:00")
        booked(person, slot(day, "10:00"))
        clock.set_local(day, "10:16")
        assert run_due(store, AppointmentSettings())["no_shows"] == 1

    return miss


def test_three_no_shows_in_ninety_days_suspend_booking_for_thirty_days(store, hall, resident, clock, missing):
    person = resident()
    for week in range(3):
        missing(person, clock, MONDAY + dt.timedelta(weeks=week))
    assert store[BOOKINGS].count_documents({"account_id": person.account_id, "state": "no_show"}) == 3
    third_miss = clock.now
    clock.set_local(MONDAY + dt.timedelta(weeks=3), "08:00")
    body = refused(book(person, slot(MONDAY + dt.timedelta(weeks=3), "10:00")), 403, "booking_suspended")
    assert body["errors"]["suspended_until"] == [store[SUSPENSIONS].find_one({"_id": person.account_id})["until"]]

    clock.now = third_miss + dt.timedelta(days=30, hours=1)
    day = (clock.now + dt.timedelta(days=1)).date()
    day += dt.timedelta(days=(7 - day.weekday()) % 7)  # the next Monday
    assert booked(person, slot(day, "10:00"))["state"] == "booked"


def test_three_no_shows_spread_over_more_than_ninety_days_do_not_suspend(store, hall, resident, clock, missing):
    person = resident()
    for weeks in (0, 7, 14):  # the first falls out of the 90 days before the third
        missing(person, clock, MONDAY + dt.timedelta(weeks=weeks))
    clock.set_local(MONDAY + dt.timedelta(weeks=14), "11:00")
    assert booked(person, slot(MONDAY + dt.timedelta(weeks=14, days=1), "10:00"))["state"] == "booked"
    assert store[SUSPENSIONS].count_documents({}) == 0


def test_the_no_show_rule_is_configurable(app, store, hall, resident, clock):
    app.config["APPOINTMENTS_NO_SHOW_LIMIT"] = 1
    app.extensions.pop("appointment_settings", None)
    person = resident()
    booked(person, slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "10:16")
    run_due(store, settings_of(app))
    refused(book(person, slot(TUESDAY, "10:00")), 403, "booking_suspended")


# -- who may book -------------------------------------------------------------------------------------------


def test_a_resident_below_real_name_level_two_cannot_book(store, hall, resident, clock):
    refused(book(resident(acr=1), slot(MONDAY, "10:00")), 403, "real_name_level_too_low")
    _nothing_stored(store)


# -- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"hall": HALL, "item": DEED}, 422, "starts_at"),
        ({"hall": HALL, "starts_at": "2026-05-11T02:00:00.000Z"}, 422, "item"),
        ({"hall": HALL, "item": DEED, "starts_at": "2026-05-11T10:00:00"}, 422, "starts_at"),  # no zone: ambiguous
        ({"hall": HALL, "item": DEED, "starts_at": "tomorrow"}, 422, "starts_at"),
        ({"hall": HALL, "item": "BDC-1", "starts_at": "2026-05-11T02:00:00.000Z"}, 422, "item"),
        ({"hall": "no-such-hall", "item": DEED, "starts_at": "2026-05-11T02:00:00.000Z"}, 422, "hall"),
        ({"hall": HALL, "item": "430200-WJW-001", "starts_at": "2026-05-11T02:00:00.000Z"}, 422, "item"),
        ({"hall": HALL, "item": DEED, "starts_at": "2026-05-11T02:10:00.000Z"}, 422, "starts_at"),  # 10:10 is no slot
        ({"hall": HALL, "item": DEED, "starts_at": "2026-05-11T02:00:00.000Z", "vip": True}, 422, "vip"),
        ({"hall": HALL, "application_id": "app_nobody", "starts_at": "2026-05-11T02:00:00.000Z"}, 422, "application_id"),
    ],
)
def test_bad_booking_input_is_a_422_with_the_field_named_and_nothing_stored(store, hall, resident, clock, body, status, field):
    answer = resident().post("/appointments", json=body)
    assert field in refused(answer, status)["errors"]
    _nothing_stored(store)
    assert store[COUNTERS].count_documents({}) == 0


def test_a_body_that_is_not_json_is_refused_without_a_500(store, hall, resident, clock):
    person = resident()
    assert person.post("/appointments", data="{not json", content_type="application/json").status_code == 400
    assert person.post("/appointments", data="hall=t-hall", content_type="text/plain").status_code == 415
    _nothing_stored(store)

"""Check-in with the booking's QR code, queue numbers, calling order, and the clerk's call / recall / served / no-show."""

from __future__ import annotations

import datetime as dt
import threading

from api.appointments.bookings import BOOKINGS
from api.appointments.queue import TICKETS
from api.vault.signing import certificate_keys
from tests.appointments.conftest import (
    DEED,
    FOOD,
    HALL,
    MONDAY,
    booked,
    call_next,
    check_in,
    ok,
    outbox,
    refused,
    slot,
    walk_in,
)

# -- the QR code and the check-in window -------------------------------------------------------------------


def test_a_booking_shows_a_qr_code_whose_token_is_signed_with_the_certificate_key(app, hall, resident, clock):
    person = resident()
    appointment = booked(person, slot(MONDAY, "10:00"))
    payload = certificate_keys(app).verify(appointment["check_in_token"])
    assert payload["cid"] == appointment["id"] and payload["typ"] == "appointment"
    svg = person.get(f"/appointments/{appointment['id']}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_check_in_opens_thirty_minutes_before_the_slot_and_closes_fifteen_minutes_after(store, hall, resident, clerk, clock):
    desk = clerk()
    early, on_time, late = (booked(resident(), slot(MONDAY, hhmm)) for hhmm in ("10:00", "10:00", "09:30"))
    clock.set_local(MONDAY, "09:29:59")
    refused(check_in(desk, early), 409, "check_in_too_early")
    assert store[BOOKINGS].find_one({"_id": early["id"]})["state"] == "booked"
    clock.set_local(MONDAY, "09:30")
    assert ok(check_in(desk, early))["ticket"]["number"] == "A001"  # exactly 30 min before
    clock.set_local(MONDAY, "09:45:01")
    refused(check_in(desk, late), 409, "check_in_too_late")  # 15 min and 1 s after 09:30
    assert store[TICKETS].count_documents({"appointment_id": late["id"]}) == 0
    assert ok(check_in(desk, on_time))["ticket"]["number"] == "A002"


def test_a_checked_in_booking_cannot_be_checked_in_twice_nor_cancelled(hall, resident, clerk, clock):
    person, desk = resident(), clerk()
    appointment = booked(person, slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:50")
    first = ok(check_in(desk, appointment))
    assert refused(check_in(desk, appointment), 409, "already_checked_in")["message"].endswith(first["ticket"]["number"])
    clock.set_local(MONDAY, "07:00")
    refused(person.post(f"/appointments/{appointment['id']}/cancel"), 409, "not_booked")
    assert ok(person.get(f"/appointments/{appointment['id']}"))["check_in_token"] is None


def test_a_forged_or_altered_token_or_a_certificate_token_does_not_check_in(app, store, hall, resident, clerk, clock):
    desk = clerk()
    appointment = booked(resident(), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:50")
    token = appointment["check_in_token"]
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    certificate = certificate_keys(app).sign(appointment["id"], "business_licence")
    for bad in (altered, "not-a-token-at-all", certificate):
        refused(desk.post("/clerk/appointments/check-in", json={"token": bad}), 422, "invalid_token")
    assert store[TICKETS].count_documents({}) == 0


def test_a_clerk_of_another_hall_cannot_check_a_booking_in(make_hall, hall, resident, clerk, clock):
    make_hall(code="t-other")
    appointment = booked(resident(), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:50")
    refused(check_in(clerk("t-other"), appointment), 409, "wrong_hall")


# -- queue numbers ---------------------------------------------------------------------------------------------


def test_queue_numbers_are_unique_per_hall_and_day_and_in_order_under_concurrency(app, hall, clerk, clock):
    clock.set_local(MONDAY, "09:00")
    desks = [clerk() for _ in range(20)]  # twenty kiosks at once, each its own client
    tickets: list = [None] * len(desks)
    start = threading.Barrier(len(desks))

    def work(index: int) -> None:
        start.wait()
        tickets[index] = desks[index].post("/clerk/queue/walk-ins", json={"item": DEED}).get_json()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(desks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(ticket["number"] for ticket in tickets)
    assert numbers == [f"A{n:03d}" for n in range(1, 21)]
    after = walk_in(desks[0])["number"]
    assert after == "A021"  # the next one continues in order


def test_each_window_group_has_its_own_sequence_and_each_day_starts_again(hall, make_hall, clerk, clock):
    make_hall(code="t-other")
    clock.set_local(MONDAY, "09:00")
    desk = clerk()
    assert [walk_in(desk)["number"], walk_in(desk, FOOD)["number"], walk_in(desk)["number"]] == ["A001", "B001", "A002"]
    assert walk_in(clerk("t-other"))["number"] == "A001"  # another hall counts on its own
    clock.set_local(MONDAY + dt.timedelta(days=1), "09:00")
    assert walk_in(desk)["number"] == "A001"


def test_booked_visitors_are_called_before_walk_ins_and_each_in_number_order(hall, resident, clerk, clock):
    desk = clerk()
    clock.set_local(MONDAY, "08:00")
    first, second = booked(resident(), slot(MONDAY, "10:00")), booked(resident(), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:35")
    walk_ins = [walk_in(desk)["number"], walk_in(desk)["number"]]
    booked_numbers = [ok(check_in(desk, first))["ticket"]["number"], ok(check_in(desk, second))["ticket"]["number"]]
    assert (walk_ins, booked_numbers) == (["A001", "A002"], ["A003", "A004"])
    called = []
    for window in ("A01", "A02", "A03", "A04"):
        called.append(call_next(desk, window)["ticket"]["number"])
    assert called == ["A003", "A004", "A001", "A002"]
    assert call_next(desk, "A05") == {"ticket": None, "waiting": 0}


def test_a_window_calls_only_its_group_and_items(hall, clerk, clock):
    desk = clerk()
    clock.set_local(MONDAY, "09:00")
    walk_in(desk, FOOD)
    assert call_next(desk, "A01")["ticket"] is None
    assert call_next(desk, "B01")["ticket"]["number"] == "B001"


# -- call, recall, served, no-show ------------------------------------------------------------------------------


def test_a_call_tells_the_booked_visitor_which_window_and_a_recall_tells_them_again(store, hall, resident, clerk, clock):
    desk = clerk()
    appointment = booked(resident(), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:40")
    ok(check_in(desk, appointment))
    ticket = call_next(desk, "A02")["ticket"]
    assert (ticket["window"], ticket["window_name"], ticket["call_count"]) == ("A02", "一楼A02窗口", 1)
    again = ok(desk.post(f"/clerk/queue/tickets/{ticket['id']}/recall"))
    assert again["call_count"] == 2
    messages = outbox(store, "appointment.called")
    assert len(messages) == 2 and messages[0]["data"]["window_name"] == "一楼A02窗口" and messages[0]["urgent"] is True


def test_a_window_finishes_its_current_number_before_calling_the_next(hall, clerk, clock):
    desk = clerk()
    clock.set_local(MONDAY, "09:00")
    walk_in(desk), walk_in(desk)
    current = call_next(desk)["ticket"]
    refused(desk.post("/clerk/queue/call-next", json={"window": "A01"}), 409, "window_busy")
    assert ok(desk.post(f"/clerk/queue/tickets/{current['id']}/served"))["state"] == "served"
    assert call_next(desk)["ticket"]["number"] == "A002"


def test_served_and_no_show_end_the_booking_and_a_no_show_at_the_window_counts_towards_suspension(
    store, hall, resident, clerk, clock
):
    desk, person = clerk(), resident()
    served_one = booked(person, slot(MONDAY, "10:00"))
    missed_one = booked(person, slot(MONDAY, "10:00"), FOOD)
    clock.set_local(MONDAY, "09:45")
    ok(check_in(desk, served_one)), ok(check_in(desk, missed_one))
    ok(desk.post(f"/clerk/queue/tickets/{call_next(desk, 'A01')['ticket']['id']}/served"))
    ok(desk.post(f"/clerk/queue/tickets/{call_next(desk, 'B01')['ticket']['id']}/no-show"))
    states = {b["item"]: (b["state"], b["ticket"]["state"]) for b in store[BOOKINGS].find({"account_id": person.account_id})}
    assert states == {DEED: ("served", "served"), FOOD: ("no_show", "no_show")}
    assert booked(person, slot(MONDAY + dt.timedelta(days=1), "10:00"))["state"] == "booked"  # served: free to book again


def test_a_ticket_that_is_not_being_called_cannot_be_finished_or_recalled(hall, clerk, clock):
    desk = clerk()
    clock.set_local(MONDAY, "09:00")
    ticket = walk_in(desk)
    for action in ("recall", "served", "no-show"):
        refused(desk.post(f"/clerk/queue/tickets/{ticket['id']}/{action}"), 409, "not_called")
    refused(desk.post("/clerk/queue/tickets/tkt_nothing/served"), 404, "ticket_not_found")
    refused(desk.post("/clerk/queue/call-next", json={"window": "Z99"}), 422, "window_not_found")


# -- the calling screen and the clerk's lists ---------------------------------------------------------------------


def test_the_calling_screen_shows_called_numbers_and_windows_newest_first_and_no_names(app, hall, resident, clerk, clock):
    desk = clerk()
    appointment = booked(resident("张晓明"), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:40")
    ok(check_in(desk, appointment))
    walk_in(desk), walk_in(desk)
    call_next(desk, "A01")
    clock.advance(seconds=30)
    call_next(desk, "A02")
    screen = app.test_client().get(f"/api/v1/appointments/halls/{HALL}/screen")
    body = ok(screen)
    assert [(c["number"], c["window_name"]) for c in body["calling"]] == [("A002", "一楼A02窗口"), ("A001", "一楼A01窗口")]
    assert {g["group"]: g["waiting"] for g in body["groups"]} == {"A": 1, "B": 0}
    assert "张" not in screen.get_data(as_text=True)
    assert screen.headers["Cache-Control"] == "public, max-age=2"


def test_the_clerk_sees_the_days_bookings_with_masked_names_and_the_queue_in_calling_order(hall, resident, clerk, clock):
    desk = clerk()
    appointment = booked(resident("张晓明"), slot(MONDAY, "10:00"))
    listed = ok(desk.get("/clerk/appointments"))
    assert [(a["id"], a["holder_name"], a["check_in_token"]) for a in listed] == [(appointment["id"], "张*明", None)]
    clock.set_local(MONDAY, "09:40")
    walk_in(desk)
    ok(check_in(desk, appointment))
    queue = ok(desk.get("/clerk/queue"))
    assert [(t["number"], t["kind"]) for t in queue["waiting"]] == [("A002", "booked"), ("A001", "walk_in")]
